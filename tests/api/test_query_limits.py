"""Query limits: depth, aliases, tokens and nodes are refused with a GraphQL error before any
resolver runs (no database query at all), each configurable in settings at request time."""

import pytest
from graphql import get_introspection_query

from tests.support import factories


def limit_errors(body: dict) -> list[dict]:
    return [e for e in body.get("errors", [])
            if e.get("extensions", {}).get("code") == "QUERY_TOO_COMPLEX"]


def refused(gql, django_assert_num_queries, query: str, limit: str, variables=None) -> dict:
    with django_assert_num_queries(0):
        body = gql.execute(query, variables, allow_errors=True)
    assert body["data"] is None
    assert [e["extensions"]["limit"] for e in limit_errors(body)] == [limit], body
    return body


def replies(levels: int, leaf: str = "body") -> str:
    inner = leaf
    for _ in range(levels):
        inner = f"replies(first: 3) {{ edges {{ node {{ {inner} }} }} }}"
    return inner


def nested_replies(levels: int) -> str:
    """posts > comments > `levels` of replies, small pages so only the depth can be too much."""
    return (f"{{ posts(first: 2) {{ edges {{ node {{ comments(first: 3) {{ edges {{ node {{ "
            f"{replies(levels)} }} }} }} }} }} }} }}")


# Depth -----------------------------------------------------------------------------------------


def test_three_levels_of_nested_replies_fit_the_default_depth(gql, users):
    post = factories.published_post(users["author"])
    top = factories.comment(post, user=users["subscriber"])
    parent = top
    for _ in range(3):
        parent = factories.comment(post, user=users["subscriber"], parent=parent)
    body = gql.execute(nested_replies(3))
    comment = body["data"]["posts"]["edges"][0]["node"]["comments"]["edges"][0]["node"]
    assert comment["replies"]["edges"][0]["node"]["replies"]["edges"][0]["node"]["replies"]


def test_a_fourth_level_is_refused_before_anything_runs(gql, django_assert_num_queries):
    body = refused(gql, django_assert_num_queries, nested_replies(4), "depth")
    assert "HEARTH_MAX_QUERY_DEPTH" in body["errors"][0]["message"]


def test_depth_limit_is_read_from_settings_per_request(gql, settings, django_assert_num_queries):
    settings.HEARTH_MAX_QUERY_DEPTH = 2
    refused(gql, django_assert_num_queries, "{ posts { edges { node { id } } } }", "depth")
    settings.HEARTH_MAX_QUERY_DEPTH = 3
    gql.execute("{ posts { edges { node { id } } } }")


def test_depth_hidden_in_fragments_and_inline_fragments_counts(gql, settings,
                                                               django_assert_num_queries):
    settings.HEARTH_MAX_QUERY_DEPTH = 3
    query = """
      { ...A }
      fragment A on Query { posts { ...B } }
      fragment B on PostConnection { edges { node { ... on Post { author { id } } } } }
    """
    refused(gql, django_assert_num_queries, query, "depth")


# Aliases ---------------------------------------------------------------------------------------


def test_thirty_aliases_pass_and_thirty_one_are_refused(gql, django_assert_num_queries):
    fields = " ".join(f"a{i}: viewer {{ id }}" for i in range(30))
    gql.execute(f"{{ {fields} }}")
    refused(gql, django_assert_num_queries, f"{{ {fields} extra: viewer {{ id }} }}", "aliases")


def test_aliases_count_every_use_of_a_fragment(gql, django_assert_num_queries):
    spreads = " ".join("...F" for _ in range(4))
    fields = " ".join(f"a{i}: viewer {{ id }}" for i in range(8))
    query = f"{{ {spreads} }} fragment F on Query {{ {fields} }}"
    refused(gql, django_assert_num_queries, query, "aliases")


def test_fragment_doubling_bomb_is_measured_once_per_fragment(gql, django_assert_num_queries):
    """40 fragments each spreading the next twice would expand to 2**40 fields."""
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = f"{{ ...F0 }} {fragments} fragment F40 on Query {{ a: viewer {{ id }} }}"
    body = refused(gql, django_assert_num_queries, query, "aliases")
    assert "1,099,511,627,776" in body["errors"][0]["message"]


def test_circular_fragments_are_a_validation_error_not_a_crash(gql):
    for query in (
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "{ ...A } fragment A on Query { viewer { id } ...A }",
        "{ posts { ...C } } "
        "fragment C on PostConnection { edges { node { author { posts { ...C } } } } }",
    ):
        response = gql.post(query)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert any("within itself" in e["message"] for e in body["errors"]), body


def test_alias_limit_is_read_from_settings(gql, settings, django_assert_num_queries):
    settings.HEARTH_MAX_ALIASES = 1
    gql.execute("{ a: viewer { id } }")
    refused(gql, django_assert_num_queries, "{ a: viewer { id } b: viewer { id } }", "aliases")


# Tokens ----------------------------------------------------------------------------------------


def test_too_many_tokens_stop_the_parser(gql, django_assert_num_queries):
    query = "{ " + " ".join("__typename" for _ in range(2_100)) + " }"
    with django_assert_num_queries(0):
        body = gql.execute(query, allow_errors=True)
    assert body["data"] is None
    assert "more than 2000 tokens" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "tokens",
                                               "maximum": 2_000}


def test_token_limit_is_read_from_settings(gql, settings):
    settings.HEARTH_MAX_TOKENS = 10
    body = gql.execute("{ posts { edges { node { id title slug } } } }", allow_errors=True)
    assert "more than 10 tokens" in body["errors"][0]["message"]


@pytest.mark.fallback_expected  # introspection runs on graphql-core's executor
def test_introspection_fits_the_default_limits(gql):
    body = gql.execute(get_introspection_query(descriptions=True))
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


# Nodes -----------------------------------------------------------------------------------------


def test_nodes_multiply_along_each_path_like_githubs(gql, django_assert_num_queries):
    # 10 posts + 10 * 99 comments = 1,000: just fits the default budget.
    ok = "{ posts(first: 10) { edges { node { comments(first: 99) { totalCount } } } } }"
    gql.execute(ok)
    # 10 + 10*10 + 10*10*9 = 1,010: refused.
    nested = ("{ posts(first: 10) { edges { node { comments(first: 10) { edges { node { "
              "replies(first: 9) { totalCount } } } } } } } }")
    body = refused(gql, django_assert_num_queries, nested, "nodes")
    assert "1,010" in body["errors"][0]["message"]


def test_connections_without_page_size_count_twenty(gql, settings, django_assert_num_queries):
    settings.HEARTH_MAX_NODES = 419
    # 20 + 20*20 = 420
    query = "{ posts { edges { node { comments { totalCount } } } } }"
    refused(gql, django_assert_num_queries, query, "nodes")
    settings.HEARTH_MAX_NODES = 420
    gql.execute(query)


def test_page_sizes_from_variables_and_defaults_count(gql, django_assert_num_queries):
    query = """query Q($n: Int = 100, $m: Int) {
      posts(first: $n) { edges { node { comments(last: $m) { edges { node {
        replies(first: $n) { totalCount } } } } } } } }"""
    refused(gql, django_assert_num_queries, query, "nodes", {"m": 100})
    gql.execute(query, {"n": 2, "m": 2})


def test_nodes_in_repeated_fragments_add_up(gql, settings, django_assert_num_queries):
    settings.HEARTH_MAX_NODES = 1_000
    query = """{ ...P ...P2 }
      fragment P on Query { a: posts(first: 100) { ...E } b: posts(first: 100) { ...E } }
      fragment P2 on Query { c: posts(first: 100) { ...E } }
      fragment E on PostConnection { edges { node { comments(first: 3) { totalCount } } } }"""
    # 3 * (100 + 100 * 3) = 1,200
    body = refused(gql, django_assert_num_queries, query, "nodes")
    assert "1,200" in body["errors"][0]["message"]


def test_huge_page_size_is_refused_by_node_count_not_run(gql, django_assert_num_queries):
    refused(gql, django_assert_num_queries,
            "{ posts(first: 1000000) { totalCount } }", "nodes")


# Introspection and suggestions ------------------------------------------------------------------


@pytest.mark.fallback_expected  # introspection runs on graphql-core's executor
def test_introspection_can_be_switched_off(gql, settings):
    settings.HEARTH_INTROSPECTION = False
    body = gql.execute("{ __schema { queryType { name } } }", allow_errors=True)
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    gql.execute("{ posts { totalCount } }")
    settings.HEARTH_INTROSPECTION = True
    gql.execute("{ __schema { queryType { name } } }")


def test_no_field_suggestions_without_debug(gql, settings):
    settings.DEBUG = False
    body = gql.execute("{ postz { totalCount } }", allow_errors=True)
    message = body["errors"][0]["message"]
    assert "postz" in message and "Did you mean" not in message and "posts" not in message
    body = gql.execute("query($k: ReactionKind!) { __typename }", {"k": "LIK"}, allow_errors=True)
    assert "Did you mean" not in str(body)


def test_field_suggestions_with_debug(gql, settings):
    settings.DEBUG = True
    body = gql.execute("{ postz { totalCount } }", allow_errors=True)
    assert "Did you mean" in body["errors"][0]["message"]


def test_nesting_as_deep_as_the_token_limit_allows_is_refused_not_a_crash(gql, settings):
    """About 660 levels fit in 2,000 tokens; nothing in the parser or the limits recurses past
    Python's stack."""
    settings.DEBUG = False
    for field in ("viewer", "a: viewer", "...on Query{viewer"):
        levels = 2_000 // (len(field.split()) + 2)
        query = "{" + f"{field}{{" * levels + "id" + "}" * (levels + 1)
        response = gql.post(query)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["data"] is None
        assert "Unexpected error." not in response.content.decode()


def test_a_long_chain_of_fragments_is_refused_not_a_crash(gql, settings):
    settings.DEBUG = False
    count = 2_000 // 12
    fragments = " ".join(f"fragment F{i} on Query {{ viewer {{ ...F{i + 1} }} }}"
                         for i in range(count))
    query = f"{{ ...F0 }} {fragments} fragment F{count} on Query {{ viewer {{ id }} }}"
    response = gql.post(query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["data"] is None
    assert "Unexpected error." not in response.content.decode()
