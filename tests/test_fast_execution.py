"""The fast executor and graphql-core's executor give identical results (data and errors)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries as graphql_queries

from cms.models import CommentStatus, ReactionKind, Role
from cms.services.comments import comment_moderate
from cms.services.reactions import reaction_add
from schema import schema
from schema.fast_execution import FastExecutionContext
from tests.conftest import GraphQLClient, make_user
from tests.factories import comment, published_post
from tests.test_read_privacy import selection
from tests.test_read_query_counts import POST_PAGE_QUERY, POSTS_QUERY, THREAD_QUERY


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


def both_ways(client: GraphQLClient, query: str, variables: dict | None = None):
    fast = client.post(query, variables)
    FastExecutionContext.enabled = False
    try:
        standard = client.post(query, variables)
    finally:
        FastExecutionContext.enabled = True
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
def test_the_hot_read_shapes_give_identical_results(blog, who, monkeypatch):
    client = clients(blog)[who]
    slug = blog["post"].slug
    finished = []
    run_fast = FastExecutionContext._run_fast

    def recording(self):
        data = run_fast(self)
        finished.append(True)
        return data

    monkeypatch.setattr(FastExecutionContext, "_run_fast", recording)
    for query, variables in ((THREAD_QUERY, {"slug": slug}), (POST_PAGE_QUERY, {"slug": slug}),
                             (POSTS_QUERY, None)):
        body = assert_same(client, query, variables)
        assert "errors" not in body
    assert len(finished) == 3  # the fast path really served all three


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor"])
def test_every_field_of_the_schema_gives_identical_results(blog, roomy_limits, who):
    client = clients(blog)[who]
    query_type = schema._schema.query_type
    from strawberry.relay import GlobalID

    post = blog["post"]
    parts = [f"posts {selection(query_type.fields['posts'].type, 6)}",
             f"viewer {selection(query_type.fields['viewer'].type, 4)}",
             f'post(slug: "{post.slug}") {selection(query_type.fields["post"].type, 6)}',
             f'node(id: "{GlobalID("Post", str(post.pk))}") '
             f'{selection(query_type.fields["node"].type, 5)}']
    body = assert_same(client, "{ " + " ".join(parts) + " }")
    assert body["data"]["post"] is not None


def test_errors_and_nulls_come_out_the_same(blog):
    client = GraphQLClient()
    assert_same(client, '{ post(slug: "nope") { title } }')
    assert_same(client, "{ posts(first: 500) { totalCount } }")
    assert_same(client, '{ post(slug: "x", id: "y") { title } }')
    assert_same(client, '{ comment(id: "Q29tbWVudDo5OTk5") { body } }')
    assert_same(client, "{ moderationQueue { totalCount } }")
    skipping = "query($s: Boolean!) { posts { edges { node { title @include(if: $s) } } } }"
    assert_same(client, skipping, {"s": False})


SDL = str(schema)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=graphql_queries(SDL))
def test_generated_queries_give_identical_results(blog, roomy_limits, query):
    fast, standard = both_ways(GraphQLClient(), query)
    assert fast.status_code == standard.status_code
    assert json.loads(fast.content) == json.loads(standard.content)
