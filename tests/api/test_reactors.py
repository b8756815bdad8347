"""Who liked it: `ReactionSummary.reactors` lists the accounts that reacted publicly, newest
first, as public profiles; guests and private reactions are counted, never listed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.relay import GlobalID

from cms.models import Reaction, Role
from cms.services.reactions import reaction_add
from cms.visitors import new_visitor
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post

REACTORS = """
query($slug: String!, $kind: ReactionKind, $first: Int, $after: String) {
  post(slug: $slug) {
    reactions {
      total
      reactors(kind: $kind, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { displayName avatarUrl profileUrl } }
      }
    }
  }
}
"""

REACT = """
mutation($input: ReactInput!) {
  react(input: $input) { errors { code } reactions { total reactors { totalCount
    edges { node { displayName } } } } }
}
"""


@pytest.fixture
def post(db):
    return published_post(make_user("writer", Role.AUTHOR))


def reader(name: str, display_name: str | None = None, **fields):
    return make_user(name, Role.SUBSCRIBER, display_name=display_name or name.title(), **fields)


def reactors(gql, post, **variables) -> dict:
    body = gql.execute(REACTORS, {"slug": post.slug, **variables})
    return body["data"]["post"]["reactions"]


def names(summary: dict) -> list[str]:
    return [edge["node"]["displayName"] for edge in summary["reactors"]["edges"]]


def test_reactors_are_the_accounts_that_reacted_newest_first_guests_only_counted(gql, post):
    ann, bob, cat = (reader(n, avatar_url=f"https://img.example/{n}.png")
                     for n in ("ann", "bob", "cat"))
    for user in (ann, bob, cat):
        reaction_add(subject=post, kind="like", user=user)
    for _ in range(2):
        reaction_add(subject=post, kind="like", visitor_key=new_visitor()[0])
    summary = reactors(gql, post)
    assert summary["total"] == 5
    assert names(summary) == ["Cat", "Bob", "Ann"]
    assert summary["reactors"]["totalCount"] == 3
    assert summary["reactors"]["edges"][0]["node"] == {
        "displayName": "Cat", "avatarUrl": "https://img.example/cat.png", "profileUrl": None}


def test_a_private_reaction_is_counted_not_listed_and_can_be_made_public(gql, post):
    ann, bob = reader("ann"), reader("bob")
    reaction_add(subject=post, kind="like", user=ann)
    client = GraphQLClient().as_user(bob)
    subject = GlobalID("Post", str(post.pk))
    answer = client.execute(REACT, {"input": {"subjectId": str(subject), "private": True}})
    payload = answer["data"]["react"]
    assert payload["errors"] == []
    assert payload["reactions"]["total"] == 2
    assert [e["node"]["displayName"] for e in payload["reactions"]["reactors"]["edges"]] == ["Ann"]
    assert Reaction.objects.get(user=bob).is_private
    # Reacting again publicly changes only the privacy: still one reaction, now listed.
    client.execute(REACT, {"input": {"subjectId": str(subject), "private": False}})
    summary = reactors(gql, post)
    assert summary["total"] == 2 and names(summary) == ["Bob", "Ann"]


def test_reactors_of_one_kind_and_of_every_kind_list_each_account_once(gql, post):
    ann, bob = reader("ann"), reader("bob")
    reaction_add(subject=post, kind="like", user=ann)
    reaction_add(subject=post, kind="love", user=bob)
    reaction_add(subject=post, kind="love", user=ann)
    assert names(reactors(gql, post)) == ["Ann", "Bob"]  # Ann's newest reaction is the latest
    assert names(reactors(gql, post, kind="LOVE")) == ["Ann", "Bob"]
    assert names(reactors(gql, post, kind="LIKE")) == ["Ann"]
    assert reactors(gql, post, kind="HUG")["reactors"] == {
        "totalCount": 0, "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "endCursor": None}}


def test_reactors_page_with_first_and_after(gql, post):
    people = [reader(f"r{i}") for i in range(5)]
    for user in people:
        reaction_add(subject=post, kind="like", user=user)
    first = reactors(gql, post, first=2)["reactors"]
    assert [e["node"]["displayName"] for e in first["edges"]] == ["R4", "R3"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 5
    second = reactors(gql, post, first=2, after=first["pageInfo"]["endCursor"])["reactors"]
    assert [e["node"]["displayName"] for e in second["edges"]] == ["R2", "R1"]
    assert second["pageInfo"]["hasPreviousPage"] and second["pageInfo"]["hasNextPage"]
    last = reactors(gql, post, first=2, after=second["pageInfo"]["endCursor"])["reactors"]
    assert [e["node"]["displayName"] for e in last["edges"]] == ["R0"]
    assert not last["pageInfo"]["hasNextPage"]
    beyond = reactors(gql, post, first=2, after=last["pageInfo"]["endCursor"])["reactors"]
    assert beyond["edges"] == [] and beyond["totalCount"] == 5


def test_reactors_refuse_bad_paging_arguments(gql, post):
    for variables in ({"first": 101}, {"first": -1}, {"after": "not-a-cursor"}):
        body = gql.execute(REACTORS, {"slug": post.slug, **variables}, allow_errors=True)
        assert body["errors"] and body["data"]["post"] is None


def test_reactors_never_show_an_email_a_login_name_or_an_inactive_account(gql, post, settings):
    settings.HEARTH_PROFILE_URL = "https://blog.example/people/{slug}"
    ann = reader("ann.secret-login", display_name="Ann")
    ann.email = "ann-private@example.com"
    ann.save()
    gone = reader("gone")
    reaction_add(subject=post, kind="like", user=ann)
    reaction_add(subject=post, kind="like", user=gone)
    gone.is_active = False
    gone.save()
    with CaptureQueriesContext(connection) as captured:
        response = gql.post(REACTORS, {"slug": post.slug})
    text = response.content.decode()
    assert "ann-private" not in text and "secret-login" not in text and "Gone" not in text
    summary = response.json()["data"]["post"]["reactions"]
    assert summary["reactors"]["edges"][0]["node"]["profileUrl"] == (
        f"https://blog.example/people/{ann.slug}")
    assert summary["total"] == 2 and summary["reactors"]["totalCount"] == 1
    reactor_sql = [q["sql"] for q in captured.captured_queries if "cms_reaction" in q["sql"]]
    assert reactor_sql and not any('"email"' in sql or '"password"' in sql
                                   for sql in reactor_sql)


POSTS_WITH_REACTORS = """
{ posts(first: 50) { edges { node { title reactions { total
  reactors(first: 3) { totalCount edges { node { displayName avatarUrl } } } } } } } }
"""

THREAD_WITH_REACTORS = """
query($slug: String!) { post(slug: $slug) { thread(first: 100) { edges { node { id
  reactions { reactors(kind: LIKE, first: 2) { totalCount edges { node { displayName } } } }
} } } } }
"""


@pytest.mark.parametrize("count", [2, 20])
def test_reactors_of_a_list_cost_one_query_whatever_its_length(gql, count):
    author = make_user("writer", Role.AUTHOR)
    people = [reader(f"p{i}") for i in range(4)]
    for _ in range(count):
        post = published_post(author)
        for user in people:
            reaction_add(subject=post, kind="like", user=user)
    with CaptureQueriesContext(connection) as captured:
        body = gql.execute(POSTS_WITH_REACTORS)
    # The posts, then every post's reactors at once.
    assert len(captured.captured_queries) == 2, [q["sql"] for q in captured.captured_queries]
    for edge in body["data"]["posts"]["edges"]:
        assert edge["node"]["reactions"]["reactors"]["totalCount"] == 4
        assert len(edge["node"]["reactions"]["reactors"]["edges"]) == 3

    thread_post = published_post(author)
    for i in range(count):
        approved = comment(thread_post, user=author, body=f"words {i}")
        for user in people[: 1 + i % 4]:
            reaction_add(subject=approved, kind="like", user=user)
    with CaptureQueriesContext(connection) as captured:
        body = gql.execute(THREAD_WITH_REACTORS, {"slug": thread_post.slug})
    assert len(captured.captured_queries) == 3  # the post, the thread page, every reactor list
    totals = [e["node"]["reactions"]["reactors"]["totalCount"]
              for e in body["data"]["post"]["thread"]["edges"]]
    assert totals == [1 + i % 4 for i in range(count)]
