"""What a document may cost before anything runs: Hearth's cheap structural limits (selections,
introspection fields) are checked before graphql-core's rules, so a document over them never
reaches the quadratic overlapping-fields rule; page sizes in variables count as graphql-core will
coerce them; comment-only variants of a document share one validation."""

import pytest
from graphql import get_introspection_query

from schema.core import document_cache
from tests.support import factories


def limits_of(body: dict) -> list[str]:
    return [e["extensions"]["limit"] for e in body["errors"]
            if e.get("extensions", {}).get("code") == "QUERY_TOO_COMPLEX"]


@pytest.fixture
def graphql_rules_runs(monkeypatch):
    """How many times graphql-core's validation rules ran."""
    runs = []
    validate_document = document_cache.validate_document

    def counting(*args):
        runs.append(args[1])
        return validate_document(*args)

    monkeypatch.setattr(document_cache, "validate_document", counting)
    return runs


def refused(gql, django_assert_num_queries, query: str, limit: str, variables=None) -> dict:
    with django_assert_num_queries(0):
        body = gql.execute(query, variables, allow_errors=True)
    assert body["data"] is None
    assert limits_of(body) == [limit], body
    error = body["errors"][0]
    assert error["extensions"]["maximum"] > 0
    return body


# Selections ------------------------------------------------------------------------------------


def test_the_issues_repeated_field_is_refused_without_graphqls_rules(
        gql, django_assert_num_queries, graphql_rules_runs):
    query = "{" + " viewer { id }" * 490 + "} # unique 1"
    body = refused(gql, django_assert_num_queries, query, "selections")
    assert body["errors"][0]["extensions"]["maximum"] == 200
    assert "HEARTH_MAX_SELECTIONS" in body["errors"][0]["message"]
    assert len(body["errors"]) == 1  # no "Validation aborted", no overlapping-fields report
    assert graphql_rules_runs == []


def test_two_hundred_selections_pass_and_one_more_is_refused(gql, django_assert_num_queries):
    gql.execute("{" + " __typename" * 200 + "}")
    refused(gql, django_assert_num_queries, "{" + " __typename" * 201 + "}", "selections")


@pytest.mark.parametrize("query", [
    # in a fragment, spread once: the fragment counts once, the spread too
    "{ ...F } fragment F on Query {" + " __typename" * 200 + " }",
    # in an unused fragment (graphql-core still compares its fields pairwise)
    "{ __typename } fragment F on Query {" + " __typename" * 200 + " }",
    # inline fragments and spreads are selections too
    "{" + " ... on Query { __typename }" * 101 + " }",
    "{" + " ...F" * 200 + " } fragment F on Query { __typename }",
])
def test_selections_count_everything_written(gql, settings, django_assert_num_queries, query):
    settings.DEBUG = False
    refused(gql, django_assert_num_queries, query, "selections")


def test_selections_in_another_operation_than_the_one_that_runs_count(
        gql, settings, django_assert_num_queries):
    settings.DEBUG = False
    query = "query A { __typename } query B {" + " __typename" * 200 + " }"
    with django_assert_num_queries(0):
        response = gql.client.post("/graphql/", {"query": query, "operationName": "A"},
                                   content_type="application/json")
    body = response.json()
    assert body["data"] is None
    assert limits_of(body) == ["selections"]


def test_the_selection_limit_is_read_from_settings(gql, settings, django_assert_num_queries):
    settings.HEARTH_MAX_SELECTIONS = 3
    gql.execute("{ viewer { id } __typename }")
    refused(gql, django_assert_num_queries, "{ viewer { id } __typename a: __typename }",
            "selections")


def test_a_page_with_as_many_selections_as_the_demo_reads_fits(gql, settings):
    from tests.api.test_demo_reads import PAGE

    settings.HEARTH_MAX_NODES = 10_000  # this page asks for 2,720 nodes; only selections count here
    body = gql.execute(PAGE, {"slug": "nope"})
    assert body["data"]["post"] is None


# Introspection ---------------------------------------------------------------------------------


def test_thirty_aliased_schemas_are_refused(gql, django_assert_num_queries, graphql_rules_runs):
    query = "{" + " ".join(f"a{i}: __schema {{ types {{ name }} }}" for i in range(30)) + "}"
    body = refused(gql, django_assert_num_queries, query, "introspection")
    assert "HEARTH_MAX_INTROSPECTION_FIELDS" in body["errors"][0]["message"]
    assert graphql_rules_runs == []


@pytest.mark.fallback_expected  # introspection runs on graphql-core's executor
def test_introspection_fields_count_each_use_of_a_fragment(gql, django_assert_num_queries):
    gql.execute('{ __schema { queryType { name } } __type(name: "Post") { name } }')
    refused(gql, django_assert_num_queries,
            "{ a: __typename ...F ...G } fragment F on Query { x: __schema { types { name } } }"
            " fragment G on Query { ... on Query { y: __schema { types { name } } ...H } }"
            " fragment H on Query { z: __type(name: \"Post\") { name } }", "introspection")


@pytest.mark.fallback_expected  # introspection runs on graphql-core's executor
def test_the_full_introspection_query_still_works(gql):
    body = gql.execute(get_introspection_query(descriptions=True))
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_deeply_nested_introspection_is_refused(gql, django_assert_num_queries):
    query = ("{ __schema { types { fields { type { fields { type { fields { type { fields {"
             " name } } } } } } } } } }")
    with django_assert_num_queries(0):
        body = gql.execute(query, allow_errors=True)
    assert body["data"] is None
    assert "introspection depth" in body["errors"][0]["message"].lower()


# Page sizes in variables -----------------------------------------------------------------------

NESTED = ("query($a: Int) { posts(first: $a) { edges { node {"
          " comments(first: $a) { totalCount } } } } }")


@pytest.mark.parametrize("value", [100.0, 100.4, 1e300, float("inf"), float("nan"), "100",
                                   [100, 100], {"n": 100}])
def test_a_page_size_graphql_would_coerce_or_refuse_is_counted(gql, settings, value,
                                                              django_assert_num_queries):
    """100.0 runs as 100; the others are refused by graphql-core, but must not slip past the
    node count on their way there (a string, list or object counts as the largest page). Not
    counted at all, each would count the default page: 20 + 20 * 20 = 420 nodes."""
    settings.HEARTH_MAX_NODES = 1_000  # 100 + 100 * 100 = 10,100 nodes
    with django_assert_num_queries(0):
        body = gql.execute(NESTED, {"a": value}, allow_errors=True)
    assert body["data"] is None
    assert limits_of(body) == ["nodes"], body


def test_a_float_page_size_within_the_budget_runs_as_an_integer(gql, users):
    post = factories.published_post(users["author"])
    factories.comment(post, user=users["subscriber"])
    body = gql.execute(NESTED, {"a": 2.0})
    comments = body["data"]["posts"]["edges"][0]["node"]["comments"]
    assert comments["totalCount"] == 1


def test_a_negative_or_null_page_size_is_refused_by_execution_not_counted_negative(
        gql, settings):
    settings.HEARTH_MAX_NODES = 100
    query = ("query($a: Int, $b: Int) { posts(first: $a) { edges { node {"
             " comments(first: 100) { totalCount } } } } x: posts(last: $b) { totalCount } }")
    body = gql.execute(query, {"a": -5, "b": None}, allow_errors=True)
    # -5 counts 0 posts, null counts the default page (20): 0 + 20 nodes, within the limit.
    assert limits_of(body) == []
    assert "`first` must be between 0 and 100" in body["errors"][0]["message"]
    settings.HEARTH_MAX_NODES = 19
    body = gql.execute(query, {"a": -5, "b": None}, allow_errors=True)
    assert limits_of(body) == ["nodes"]


# The validation cache --------------------------------------------------------------------------


def test_comment_and_spacing_variants_share_one_validation(gql, graphql_rules_runs):
    document_cache.cache.clear()
    for variant in ("{ posts { totalCount } }", "{posts{totalCount}} # 1",
                    "# 2\n{\n  posts {\n    totalCount\n  }\n}"):
        assert gql.execute(variant)["data"]["posts"]["totalCount"] == 0
    assert len(graphql_rules_runs) == 1


def test_variants_that_differ_in_tokens_are_validated_apart(gql, graphql_rules_runs):
    document_cache.cache.clear()
    gql.execute('{ posts { totalCount } }')
    body = gql.execute('{ posts { totalCont } }', allow_errors=True)
    assert "totalCont" in body["errors"][0]["message"]
    body = gql.execute('query($s: String = "a b") { post(slug: $s) { id } }')
    body = gql.execute('query($s: String = "a  b") { post(slug: $s) { id } }')
    assert len(graphql_rules_runs) == 4
