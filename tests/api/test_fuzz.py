"""Property-based fuzzing of /graphql/ from the live schema (hypothesis-graphql): valid and
invalid queries and mutations, anonymous and as an editor, never get a 5xx, a traceback or a
masked unexpected error, and a refused mutation writes nothing."""

import base64
import json

import graphql
import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from cms.models import Comment, Post, Reaction, Tag
from schema import schema
from schema.engine import fast_execution
from tests.conftest import GraphQLClient
from tests.support import factories

SDL = str(schema)
# derandomize: the same queries every run, so the share of them that executes (a bound below)
# cannot fail by chance on a loaded CI run.
FUZZ = settings(max_examples=50, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def string_node(values) -> st.SearchStrategy:
    return values.map(lambda value: graphql.StringValueNode(value=value))


def global_ids(pks: list[int]) -> st.SearchStrategy[str]:
    """Real IDs of the seeded objects, another type's ID, huge and negative pks, garbage."""
    pk = st.one_of(st.sampled_from(pks), st.integers(-2**70, 2**70))
    type_name = st.sampled_from(["Post", "Comment", "Author", "Tag", "User", "ApiToken", ""])
    forged = st.tuples(type_name, pk).map(
        lambda t: base64.b64encode(f"{t[0]}:{t[1]}".encode()).decode())
    return st.one_of(forged, st.text(max_size=30), st.sampled_from(["", "===", "UG9zdDox!",
                                                                      "Post:1", "%00"]))


DATETIMES = st.sampled_from(["2020-01-01T00:00:00+00:00", "2999-12-31T23:59:59Z", "yesterday",
                             "2020-01-01T00:00:00", "", "0000-00-00"])


def seed(users) -> list[int]:
    post = factories.published_post(users["author"], tags=["news"])
    top = factories.comment(post, user=users["subscriber"])
    factories.comment(post, user=users["subscriber"], parent=top)
    factories.draft_post(users["author"])
    return list(Post.objects.values_list("pk", flat=True)) + list(
        Comment.objects.values_list("pk", flat=True))


def counts() -> tuple[int, ...]:
    return (Post.objects.count(), Comment.objects.count(), Reaction.objects.count(),
            Tag.objects.count())


def check(response) -> dict:
    assert response.status_code < 500, response.content
    text = response.content.decode()
    assert "Traceback" not in text
    body = response.json()
    assert "data" in body or "errors" in body
    messages = [e.get("message") for e in body.get("errors") or []]
    assert "Unexpected error." not in messages, body
    return body


def all_refused(body: dict) -> bool:
    data = body.get("data")
    if not data:
        return True
    return all(payload is None or payload.get("errors") for payload in data.values())


@pytest.fixture
def fuzz(db, users, settings):
    """(strategies' custom scalars, clients): anonymous and an editor with a token."""
    settings.DEBUG = False  # masked errors would show as "Unexpected error."
    pks = seed(users)
    # A file travels only as a multipart part (tests/api/test_images.py); inline, it is a string.
    scalars = {"ID": string_node(global_ids(pks)), "DateTime": string_node(DATETIMES),
               "Upload": string_node(st.just("not-a-file"))}
    clients = [GraphQLClient(), GraphQLClient().as_user(users["editor"]),
               GraphQLClient().as_user(users["subscriber"])]
    return scalars, clients


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_queries_never_fail_the_server(fuzz, settings, mode):
    """...and valid ones, hostile IDs and all, run on the fast executor with graphql-core's
    result (tests/engine/test_fast_execution.py does the same with valid values)."""
    scalars, clients = fuzz
    settings.HEARTH_FAST_EXECUTION = True
    fast_before = fast_execution.fast_runs["query"]
    fallbacks_before = fast_execution.fallbacks.total()
    sent = []

    @FUZZ
    @given(query=queries(SDL, custom_scalars=scalars, mode=mode),
           client=st.sampled_from(clients))
    def run(query, client):
        body = check(client.post(query))
        sent.append(query)
        if mode == Mode.POSITIVE:
            with override_settings(HEARTH_FAST_EXECUTION=False):
                assert check(client.post(query)) == body

    run()
    if mode == Mode.POSITIVE:  # valid queries, but some beyond the limits: never executed
        fast = fast_execution.fast_runs["query"] - fast_before
        executed = fast + fast_execution.fallbacks.total() - fallbacks_before
        assert executed >= 0.5 * len(sent) and fast >= 0.9 * executed, (fast, executed)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_mutations_never_fail_and_refusals_write_nothing(fuzz, mode):
    scalars, clients = fuzz

    @FUZZ
    @given(mutation=mutations(SDL, custom_scalars=scalars, mode=mode),
           client=st.sampled_from(clients))
    def run(mutation, client):
        before = counts()
        body = check(client.post(mutation))
        if all_refused(body):
            assert counts() == before, body

    run()


@given(variables=st.dictionaries(st.sampled_from(["id", "slug", "first", "after", "filter"]),
                                 st.recursive(st.none() | st.booleans() | st.integers()
                                              | st.floats() | st.text(),
                                              lambda inner: st.lists(inner, max_size=3)
                                              | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
                                              max_leaves=8)))
@FUZZ
def test_type_mismatched_variables_are_errors_not_crashes(db, settings, variables):
    settings.DEBUG = False
    query = """query($id: ID, $slug: String, $first: Int, $after: String, $filter: PostFilter) {
      post(slug: $slug) { id } node(id: $id) { id } posts(first: $first, after: $after,
      filter: $filter) { totalCount } }"""
    client = GraphQLClient()
    response = client.client.post("/graphql/", json.dumps({"query": query, "variables": variables}),
                                  content_type="application/json")
    check(response)
