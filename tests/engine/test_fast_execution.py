"""The fast executor (schema/engine/fast_execution.py) and graphql-core's executor give identical
results, data and errors; the fast one really runs (counted), and a fallback is logged with its
reason."""

import dataclasses
import json
import logging

import graphql
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import queries as graphql_queries
from strawberry.relay import GlobalID

from cms.models import Comment, CommentStatus, Post, ReactionKind, Role, Tag, User
from cms.services.comments import comment_moderate
from cms.services.reactions import reaction_add
from schema import schema
from schema.engine import fast_execution
from tests.api.test_privacy import selection
from tests.api.test_query_counts import POST_PAGE_QUERY, POSTS_QUERY, THREAD_QUERY
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post


@pytest.fixture(autouse=True)
def engine_on(settings):
    """These tests compare the fast executor with graphql-core's: on, whatever CI's environment
    says (.ci/run also runs the suite with the engine off)."""
    settings.HEARTH_FAST_EXECUTION = True
    settings.HEARTH_PREPARED_QUERIES = True


@pytest.fixture
def blog(db):
    editor = make_user("editor", Role.EDITOR)
    author = make_user("author", Role.AUTHOR)
    reader = make_user("reader", Role.SUBSCRIBER)
    post = published_post(author, tags=["Garden", "Letters"])
    published_post(author, title="Another day")
    top = comment(post, user=reader)
    reply = comment(post, parent=top, user=author)
    comment(post, parent=reply, moderator=editor)
    removed = comment(post, user=reader)
    comment(post, parent=removed, user=editor)
    comment_moderate(actor=editor, comment=removed, status=CommentStatus.TRASH)
    comment(post, status=CommentStatus.PENDING, moderator=editor)
    reaction_add(subject=post, kind=ReactionKind.LIKE, user=reader)
    reaction_add(subject=top, kind=ReactionKind.LOVE, user=reader)
    reaction_add(subject=top, kind=ReactionKind.LIKE, user=editor)
    return {"post": post, "editor": editor, "reader": reader}


class Runs:
    """How many queries each executor ran since it was made."""

    def __init__(self):
        self.fast_before = fast_execution.fast_runs["query"]
        self.fallbacks_before = fast_execution.fallbacks.total()

    @property
    def fast(self) -> int:
        return fast_execution.fast_runs["query"] - self.fast_before

    @property
    def fallbacks(self) -> int:
        return fast_execution.fallbacks.total() - self.fallbacks_before


def both_ways(client: GraphQLClient, query: str, variables: dict | None = None):
    """The response of the fast executor (which must run) and of the standard one."""
    runs = Runs()
    fast = client.post(query, variables)
    assert runs.fast == 1, "the fast executor did not run"
    with override_settings(HEARTH_FAST_EXECUTION=False):
        standard = client.post(query, variables)
    assert runs.fast == 1
    return fast, standard


def assert_same(client, query, variables=None):
    fast, standard = both_ways(client, query, variables)
    assert fast.status_code == standard.status_code
    assert fast.json() == standard.json()
    return fast.json()


def clients(blog):
    return {"anonymous": GraphQLClient(), "reader": GraphQLClient().as_user(blog["reader"]),
            "editor": GraphQLClient().as_user(blog["editor"])}


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor"])
def test_the_hot_read_shapes_give_identical_results(blog, who):
    client = clients(blog)[who]
    slug = blog["post"].slug
    for query, variables in ((THREAD_QUERY, {"slug": slug}), (POST_PAGE_QUERY, {"slug": slug}),
                             (POSTS_QUERY, None)):
        body = assert_same(client, query, variables)
        assert "errors" not in body


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor"])
def test_every_field_of_the_schema_gives_identical_results(blog, roomy_limits, who):
    client = clients(blog)[who]
    query_type = schema._schema.query_type
    post = blog["post"]
    parts = [f"posts {selection(query_type.fields['posts'].type, 6)}",
             f"viewer {selection(query_type.fields['viewer'].type, 4)}",
             f'post(slug: "{post.slug}") {selection(query_type.fields["post"].type, 6)}',
             f'node(id: "{GlobalID("Post", str(post.pk))}") '
             f'{selection(query_type.fields["node"].type, 5)}']
    body = assert_same(client, "{ " + " ".join(parts) + " }")
    assert body["data"]["post"] is not None and body["data"]["node"]["Post_title"] == post.title


@pytest.mark.parametrize("model", [Post, Comment, User, Tag])
def test_node_runs_on_the_fast_path(blog, model):
    obj = model.objects.order_by("pk").first()
    type_name = {User: "Author"}.get(model, model.__name__)
    query = f'{{ node(id: "{GlobalID(type_name, str(obj.pk))}") {{ __typename id }} }}'
    body = assert_same(clients(blog)["editor"], query)
    assert body == {"data": {"node": {"__typename": type_name,
                                      "id": str(GlobalID(type_name, str(obj.pk)))}}}


def test_errors_and_nulls_come_out_the_same(blog):
    client = GraphQLClient()
    assert_same(client, '{ post(slug: "nope") { title } }')
    assert_same(client, "{ posts(first: 500) { totalCount } }")  # non-null root: no data
    assert_same(client, '{ post(slug: "x", id: "y") { title } }')
    assert_same(client, '{ comment(id: "Q29tbWVudDo5OTk5") { body } }')
    assert_same(client, "{ moderationQueue { totalCount } }")
    assert_same(client, '{ a: post(slug: "x", id: "y") { title } posts { totalCount } '
                        'b: comment(id: "Q29tbWVudDo5OTk5") { body } }')
    skipping = "query($s: Boolean!) { posts { edges { node { title @include(if: $s) } } } }"
    assert_same(client, skipping, {"s": False})


def test_errors_deep_in_lists_are_located_and_propagate_as_graphql_core_does(blog):
    client = GraphQLClient()
    # An error in each item of a list, under non-null fields up to a nullable one.
    body = assert_same(client, "{ posts(first: 2) { edges { cursor node { title "
                               "comments(first: 101) { totalCount } } } } }")
    assert body["errors"][0]["path"] == ["posts", "edges", 0, "node", "comments"]
    assert body["data"] is None
    body = assert_same(client, f'{{ post(slug: "{blog["post"].slug}") {{ title '
                               "comments(first: 2) { edges { node { id "
                               'replies(after: "not a cursor") { totalCount } } } } } }')
    assert body["data"]["post"] is None and len(body["errors"]) == 1


def test_a_resolver_error_does_not_run_the_sql_twice(blog, django_assert_num_queries):
    client = GraphQLClient()
    slug = blog["post"].slug
    clean = f'{{ post(slug: "{slug}") {{ title comments(first: 2) {{ totalCount }} }} }}'
    with CaptureQueriesContext(connection) as queries:
        client.execute(clean)
    runs = Runs()
    failing = (f'{{ post(slug: "{slug}") {{ title comments(first: 2) {{ totalCount }} }} '
               'bad: post(slug: "x", id: "y") { title } }')
    with django_assert_num_queries(len(queries)):
        body = client.execute(failing, allow_errors=True)
    assert body["data"]["post"]["title"] and body["data"]["bad"] is None
    assert body["errors"][0]["path"] == ["bad"]
    assert (runs.fast, runs.fallbacks) == (1, 0)


@pytest.mark.fallback_expected
def test_a_fallback_is_logged_and_counted_with_its_reason(blog, caplog):
    runs = Runs()
    before = fast_execution.fallbacks["introspection"]
    with caplog.at_level(logging.INFO, logger="hearth.engine"):
        body = GraphQLClient().execute("{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert fast_execution.fallbacks["introspection"] == before + 1
    assert (runs.fast, runs.fallbacks) == (0, 1)
    assert [r.getMessage() for r in caplog.records if r.name == "hearth.engine"] == [
        "Standard executor for this operation: introspection"]


def test_mutations_are_not_fallbacks(blog):
    runs = Runs()
    client = GraphQLClient().as_user(blog["reader"])
    post_id = str(GlobalID("Post", str(blog["post"].pk)))
    body = client.execute('mutation($id: ID!) { react(input: {subjectId: $id, kind: WOW}) '
                          "{ errors { code } } }", {"id": post_id})
    assert body["data"]["react"]["errors"] == []
    assert (runs.fast, runs.fallbacks) == (0, 0)


def test_switched_off_every_query_runs_on_the_standard_executor(blog, settings):
    settings.HEARTH_FAST_EXECUTION = False
    runs = Runs()
    body = GraphQLClient().execute(THREAD_QUERY, {"slug": blog["post"].slug})
    assert body["data"]["post"]["thread"]["totalCount"] > 0
    assert (runs.fast, runs.fallbacks) == (0, 0)


# Generated queries -----------------------------------------------------------------------------

SDL = str(schema)
# derandomize: the same 60 queries on every run, so the share of them that find something (a
# check that the values are valid) cannot fall below its bound by chance on one run (it did, 42
# of 60, once in CI); what they exercise changes only with the schema.
GENERATED = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))


@pytest.fixture
def valid_values(blog):
    """Values that open real things: every object's global ID, page sizes within the limit, and
    strings that are slugs (of posts, tags and authors) or real cursors."""
    ids = [str(GlobalID(name, str(pk))) for name, model in
           (("Post", Post), ("Comment", Comment), ("Author", User), ("Tag", Tag))
           for pk in model.objects.values_list("pk", flat=True)]
    edges = GraphQLClient().execute("{ posts(first: 2) { edges { cursor } } }")
    cursors = {edge["cursor"] for edge in edges["data"]["posts"]["edges"]}
    strings = sorted({*Post.objects.values_list("slug", flat=True),
                      *Tag.objects.values_list("slug", flat=True),
                      *User.objects.values_list("slug", flat=True), *cursors})
    scalars = {"ID": st.sampled_from(ids).map(nodes.String),
               "Int": st.integers(0, 100).map(nodes.Int),
               "String": st.sampled_from(strings).map(nodes.String)}
    return scalars, ArgumentsThatGoTogether(cursors)


class ArgumentsThatGoTogether(graphql.Visitor):
    """Arguments a client would send together: `first` or `last` (with `after` or `before`),
    cursors that are cursors, one of `slug` and `id` for `post`, no preview token."""

    def __init__(self, cursors: set[str]):
        super().__init__()
        self.cursors = cursors

    def enter_field(self, node, *_):
        arguments = {argument.name.value: argument for argument in node.arguments or ()
                     if argument.name.value not in ("after", "before")
                     or getattr(argument.value, "value", None) in self.cursors}
        if "first" in arguments:
            arguments.pop("last", None)
        for paging, cursor in (("first", "before"), ("last", "after")):
            if paging in arguments:
                arguments.pop(cursor, None)
        if node.name.value == "post":
            arguments.pop("previewToken", None)
            if "slug" in arguments:
                arguments.pop("id", None)
        if len(arguments) == len(node.arguments or ()):
            return None
        return dataclasses.replace(node, arguments=tuple(arguments.values()))


def test_generated_queries_give_identical_results_on_the_fast_path(blog, roomy_limits,
                                                                   valid_values):
    scalars, together = valid_values
    clients_by_name = clients(blog)
    runs = Runs()
    answered = []

    @GENERATED
    @given(query=graphql_queries(SDL, custom_scalars=scalars, allow_null=False,
                                 print_ast=lambda d: graphql.print_ast(graphql.visit(d, together))),
           who=st.sampled_from(sorted(clients_by_name)))
    def run(query, who):
        # The moderation queue is for moderators; anyone else's query would answer no data.
        client = clients_by_name["editor" if "moderationQueue" in query else who]
        fast = client.post(query)
        with override_settings(HEARTH_FAST_EXECUTION=False):
            standard = client.post(query)
        assert fast.status_code == standard.status_code
        assert json.loads(fast.content) == json.loads(standard.content)
        data = json.loads(fast.content).get("data") or {}
        answered.append(any(value is not None for value in data.values()))

    run()
    assert runs.fast >= 0.9 * len(answered), (runs.fast, runs.fallbacks, len(answered))
    assert runs.fallbacks == 0
    # The values are valid: most queries find something (an error in one root field, such as
    # `first` and `last` passed together, leaves the others answered).
    assert sum(answered) >= 0.75 * len(answered), sum(answered)
