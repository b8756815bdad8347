"""Who sees what, through every path: role x post state x comment state."""

from datetime import timedelta

import pytest
from django.utils import timezone
from strawberry.relay import GlobalID

from cms.models import CommentStatus, Post, Role
from cms.services.posts import post_archive, post_unpublish
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post

ROLES = ["anonymous", "subscriber", "author", "editor", "administrator"]
POST_STATES = ["DRAFT", "SCHEDULED", "PUBLISHED", "ARCHIVED"]
COMMENT_STATES = [CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM,
                  CommentStatus.TRASH]


def gid(type_name: str, pk: int) -> str:
    return str(GlobalID(type_name, str(pk)))


@pytest.fixture
def world(db, roomy_limits):
    """One post per state, by `author`; under each, a top-level comment per state and, under an
    approved root, a reply per state."""
    people = {role: make_user(role, Role(role)) for role in ROLES if role != "anonymous"}
    editor, author = people["editor"], people["author"]
    posts, comments = {}, {}
    for state in POST_STATES:
        post = published_post(author, title=f"{state} post")
        root = comment(post, user=editor, body=f"root of {state}")
        comments[(state, "root")] = root
        for status in COMMENT_STATES:
            comments[(state, "top", status)] = comment(post, status=status, moderator=editor)
            comments[(state, "reply", status)] = comment(post, parent=root, status=status,
                                                         moderator=editor)
        if state == "DRAFT":
            post = post_unpublish(actor=editor, post=post)
        elif state == "ARCHIVED":
            post = post_archive(actor=editor, post=post)
        elif state == "SCHEDULED":
            Post.objects.filter(pk=post.pk).update(published_at=timezone.now() + timedelta(days=1))
        posts[state] = post
    return people, posts, comments


def client_for(role: str, people) -> GraphQLClient:
    return GraphQLClient() if role == "anonymous" else GraphQLClient().as_user(people[role])


def sees_post(role: str, state: str) -> bool:
    return state == "PUBLISHED" or role in {"author", "editor", "administrator"}


def sees_comment_in_lists(status: str) -> bool:
    return status == CommentStatus.APPROVED


def sees_comment_alone(role: str, status: str) -> bool:
    return status == CommentStatus.APPROVED or role in {"editor", "administrator"}


POST_PATHS = """
query($slug: String!, $id: ID!) {
  bySlug: post(slug: $slug) { id status }
  byId: post(id: $id) { id }
  node(id: $id) { id }
  posts(first: 100) { totalCount edges { node { id } } }
  filtered: posts(first: 100, filter: {status: %s}) { totalCount edges { node { id } } }
}
"""

COMMENT_PATHS = """
query($slug: String!) { post(slug: $slug) {
  commentCount
  thread(first: 100) { totalCount edges { node { id } } }
  comments(first: 100) { totalCount edges { node { id
    replies(first: 100) { totalCount edges { node { id } } } } } }
} }
"""


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", POST_STATES)
def test_post_visibility_is_the_same_through_every_path(world, role, state):
    people, posts, _ = world
    post = posts[state]
    data = client_for(role, people).execute(
        POST_PATHS % state, {"slug": post.slug, "id": gid("Post", post.pk)})["data"]
    visible = sees_post(role, state)
    expected_id = gid("Post", post.pk) if visible else None
    assert (data["bySlug"] or {}).get("id") == expected_id
    assert (data["byId"] or {}).get("id") == expected_id
    assert (data["node"] or {}).get("id") == expected_id
    listed = {e["node"]["id"] for e in data["posts"]["edges"]}
    assert (gid("Post", post.pk) in listed) == visible
    assert data["posts"]["totalCount"] == sum(sees_post(role, s) for s in POST_STATES)
    filtered = [e["node"]["id"] for e in data["filtered"]["edges"]]
    assert filtered == ([gid("Post", post.pk)] if visible else [])
    assert data["filtered"]["totalCount"] == len(filtered)
    if visible:
        assert data["bySlug"]["status"] == state


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", POST_STATES)
def test_comment_visibility_is_the_same_through_every_path(world, role, state):
    people, posts, comments = world
    post = posts[state]
    client = client_for(role, people)
    data = client.execute(COMMENT_PATHS, {"slug": post.slug})["data"]["post"]
    if not sees_post(role, state):
        assert data is None
    else:
        root = comments[(state, "root")]
        listed_top = {gid("Comment", root.pk)} | {
            gid("Comment", comments[(state, "top", s)].pk)
            for s in COMMENT_STATES if sees_comment_in_lists(s)}
        listed_replies = {gid("Comment", comments[(state, "reply", s)].pk)
                          for s in COMMENT_STATES if sees_comment_in_lists(s)}
        assert {e["node"]["id"] for e in data["comments"]["edges"]} == listed_top
        assert data["comments"]["totalCount"] == len(listed_top)
        replies = data["comments"]["edges"][0]["node"]["replies"]
        assert {e["node"]["id"] for e in replies["edges"]} == listed_replies
        assert replies["totalCount"] == len(listed_replies)
        assert {e["node"]["id"] for e in data["thread"]["edges"]} == listed_top | listed_replies
        assert data["thread"]["totalCount"] == data["commentCount"] == 3

    for status in COMMENT_STATES:
        for place in ("top", "reply"):
            target = comments[(state, place, status)]
            one = client.execute("query($id: ID!) { comment(id: $id) { id } node(id: $id) { id } }",
                                 {"id": gid("Comment", target.pk)})["data"]
            expected = sees_post(role, state) and sees_comment_alone(role, status)
            assert (one["comment"] is not None) == expected, (place, status)
            assert (one["node"] is not None) == expected, (place, status)


def test_tag_and_author_connections_apply_the_same_visibility(world):
    people, posts, _ = world
    author = people["author"]
    query = """query($id: ID!) { node(id: $id) { ... on Author { posts { totalCount } } } }"""
    counts = {role: client_for(role, people).execute(query, {"id": gid("Author", author.pk)})
              ["data"]["node"]["posts"]["totalCount"] for role in ROLES}
    assert counts == {"anonymous": 1, "subscriber": 1, "author": 4, "editor": 4,
                      "administrator": 4}


def test_a_scheduled_post_appears_when_its_time_comes(world):
    _, posts, _ = world
    post = posts["SCHEDULED"]
    query = "query($slug: String!) { post(slug: $slug) { status } }"
    assert GraphQLClient().execute(query, {"slug": post.slug})["data"]["post"] is None
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    data = GraphQLClient().execute(query, {"slug": post.slug})["data"]["post"]
    assert data == {"status": "PUBLISHED"}
