"""createPost, updatePost, publishPost (now and scheduled), unpublishPost and deletePost."""

import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cms.models import Comment, Post, Reaction, Tag
from cms.services.reactions import reaction_add
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import (
    CREATE_POST,
    DELETE_POST,
    PUBLISH_POST,
    UNPUBLISH_POST,
    UPDATE_POST,
    accepted,
    gid,
    refused,
)

PUBLIC_VIEW = """query($slug: String!, $id: ID!) {
  post(slug: $slug) { status }
  node(id: $id) { id }
  posts { totalCount }
}"""


def create(client, **input) -> dict:
    return accepted(client, CREATE_POST, {"input": input}, "createPost")["post"]


def publish(client, post, publish_at: str | None = None) -> dict:
    input = {"id": gid(post)}
    if publish_at is not None:
        input["publishAt"] = publish_at
    return accepted(client, PUBLISH_POST, {"input": input}, "publishPost")["post"]


def public_view(post) -> dict:
    return GraphQLClient().execute(PUBLIC_VIEW, {"slug": post.slug, "id": gid(post)})["data"]


def is_public(post) -> bool:
    view = public_view(post)
    found = view["post"] is not None
    assert (view["node"] is not None) == found
    assert view["posts"]["totalCount"] == Post.objects.live().count()
    return found


def test_create_post_makes_a_draft_with_a_slug_from_the_title(users):
    client = GraphQLClient().as_user(users["author"])
    post = create(client, title="Hello, World!", body="Some *text*.", excerpt="Short.",
                  tags=["Django", "GraphQL", "Django"], commentsOpen=False)
    assert post["slug"] == "hello-world"
    assert post["status"] == "DRAFT"
    assert post["publishedAt"] is None
    assert post["excerpt"] == "Short."
    assert post["commentsOpen"] is False
    assert sorted(t["name"] for t in post["tags"]) == ["Django", "GraphQL"]
    assert Post.objects.get(slug="hello-world").author == users["author"]
    assert not is_public(Post.objects.get(slug="hello-world"))


def test_two_posts_with_the_same_title_get_distinct_slugs(users):
    client = GraphQLClient().as_user(users["author"])
    slugs = [create(client, title="Same title", body="x")["slug"] for _ in range(3)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_create_post_keeps_a_given_slug_and_refuses_a_taken_one(users):
    client = GraphQLClient().as_user(users["author"])
    assert create(client, title="A", body="x", slug="my-own-slug")["slug"] == "my-own-slug"
    refused(client, CREATE_POST, {"input": {"title": "B", "body": "x", "slug": "my-own-slug"}},
            "createPost", "DUPLICATE", "slug")
    refused(client, CREATE_POST, {"input": {"title": "B", "body": "x", "slug": "Not A Slug"}},
            "createPost", "INVALID", "slug")


def test_create_post_needs_a_title(users):
    client = GraphQLClient().as_user(users["author"])
    refused(client, CREATE_POST, {"input": {"title": "  ", "body": "x"}}, "createPost",
            "REQUIRED", "title")


def test_new_tags_are_created_and_existing_ones_reused(users):
    client = GraphQLClient().as_user(users["author"])
    create(client, title="One", body="x", tags=["Python"])
    create(client, title="Two", body="x", tags=["Python", "Web"])
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Python", "Web"]


def test_update_post_changes_fields_and_updated_at(users):
    post = factories.draft_post(users["author"], tags=["Old"])
    before = post.updated_at
    client = GraphQLClient().as_user(users["author"])
    result = accepted(client, UPDATE_POST, {"input": {
        "id": gid(post), "title": "New title", "body": "New body.", "excerpt": "New.",
        "tags": ["Fresh"], "commentsOpen": False}}, "updatePost")["post"]
    assert (result["title"], result["body"], result["excerpt"]) == ("New title", "New body.",
                                                                    "New.")
    assert [t["name"] for t in result["tags"]] == ["Fresh"]
    assert result["commentsOpen"] is False
    post.refresh_from_db()
    assert post.updated_at > before
    assert post.slug == result["slug"]


def test_update_post_leaves_out_fields_as_they_are(users):
    post = factories.draft_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    result = accepted(client, UPDATE_POST, {"input": {"id": gid(post), "excerpt": "Only this."}},
                      "updatePost")["post"]
    assert result["title"] == post.title
    assert result["body"] == post.body
    assert result["excerpt"] == "Only this."


def test_update_post_refuses_another_posts_slug(users):
    first = factories.draft_post(users["author"])
    second = factories.draft_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    refused(client, UPDATE_POST, {"input": {"id": gid(second), "slug": first.slug}},
            "updatePost", "DUPLICATE", "slug")


def test_publish_post_now_makes_it_public(users):
    post = factories.draft_post(users["author"])
    result = publish(GraphQLClient().as_user(users["author"]), post)
    assert result["status"] == "PUBLISHED"
    assert result["publishedAt"] is not None
    assert is_public(post)
    assert public_view(post)["post"]["status"] == "PUBLISHED"


def test_publishing_a_published_post_again_keeps_its_date(users):
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    assert publish(client, post)["publishedAt"] == post.published_at.isoformat()


def test_scheduled_post_is_hidden_until_its_time_then_public(users):
    post = factories.draft_post(users["author"])
    at = timezone.now() + timedelta(hours=2)
    result = publish(GraphQLClient().as_user(users["author"]), post, at.isoformat())
    assert result["status"] == "SCHEDULED"
    assert not is_public(post)
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert is_public(post)
    assert public_view(post)["post"]["status"] == "PUBLISHED"


def test_scheduled_post_becomes_public_with_no_background_job(users):
    """Hidden until its time, public from then on, with nothing run in between. Only a look
    taken wholly before or wholly after the time decides (a loaded machine may take long over
    any request); the time is a few seconds ahead, so the first looks come before it."""
    post = factories.draft_post(users["author"])
    at = timezone.now() + timedelta(seconds=3)
    assert publish(GraphQLClient().as_user(users["editor"]), post,
                   at.isoformat())["status"] == "SCHEDULED"
    others = Post.objects.live().exclude(pk=post.pk).count()
    seen_hidden = False
    while True:
        started = timezone.now()
        view = public_view(post)
        ended = timezone.now()
        shown = (view["post"] is not None, view["node"] is not None, view["posts"]["totalCount"])
        if ended < at:
            assert shown == (False, False, others)
            seen_hidden = True
        elif started >= at:
            assert shown == (True, True, others + 1)
            break
        assert ended < at + timedelta(seconds=120), "no look after the scheduled time"
        time.sleep(0.1)
    assert seen_hidden


def test_publish_at_without_a_time_zone_is_invalid(users):
    post = factories.draft_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    refused(client, PUBLISH_POST, {"input": {"id": gid(post), "publishAt": "2030-01-01T10:00:00"}},
            "publishPost", "INVALID", "publishAt")
    post.refresh_from_db()
    assert post.published_at is None


@pytest.mark.parametrize("publish_at", [
    "0001-01-01T00:00:00+14:00",  # year 0 in UTC: PostgreSQL would store it as BC
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T00:00:00+00:00",
])
def test_publish_at_beyond_what_every_database_and_time_zone_holds_is_invalid(users, publish_at):
    post = factories.draft_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    refused(client, PUBLISH_POST, {"input": {"id": gid(post), "publishAt": publish_at}},
            "publishPost", "INVALID", "publishAt")
    post.refresh_from_db()
    assert (post.status, post.published_at) == ("draft", None)


@pytest.mark.parametrize("publish_at", ["0001-01-02T00:00:00+00:00",
                                        "9999-12-30T23:59:59.999999+00:00"])
def test_publish_at_at_the_edges_of_the_range_is_kept_and_the_post_stays_readable(users,
                                                                                 publish_at):
    post = factories.draft_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    published = publish(client, post, publish_at)
    assert datetime.fromisoformat(published["publishedAt"]) == datetime.fromisoformat(publish_at)
    post.refresh_from_db()
    assert post.published_at == datetime.fromisoformat(publish_at)
    listed = client.execute("{ posts { edges { node { id publishedAt } } } }")
    assert [e["node"]["id"] for e in listed["data"]["posts"]["edges"]] == [gid(post)]
    GraphQLClient().execute("{ posts { edges { node { id publishedAt } } } }")
    assert client.execute("query($id: ID!) { node(id: $id) { id } }",
                          {"id": gid(post)})["data"]["node"] == {"id": gid(post)}
    assert accepted(client, DELETE_POST, {"id": gid(post)}, "deletePost")["deletedId"] == gid(post)
    assert not Post.objects.exists()


def test_unpublish_post_hides_it_again(users):
    post = factories.published_post(users["author"])
    assert is_public(post)
    client = GraphQLClient().as_user(users["author"])
    result = accepted(client, UNPUBLISH_POST, {"id": gid(post)}, "unpublishPost")["post"]
    assert result["status"] == "DRAFT"
    assert not is_public(post)


def test_delete_post_removes_it_with_its_comments_and_reactions(users):
    post = factories.published_post(users["author"])
    parent = factories.comment(post, user=users["subscriber"])
    reply = factories.comment(post, user=users["editor"], parent=parent)
    reaction_add(subject=post, kind="like", user=users["subscriber"])
    reaction_add(subject=reply, kind="love", user=users["subscriber"])
    client = GraphQLClient().as_user(users["author"])
    result = accepted(client, DELETE_POST, {"id": gid(post)}, "deletePost")
    assert result["deletedId"] == gid(post)
    assert (Post.objects.count(), Comment.objects.count(), Reaction.objects.count()) == (0, 0, 0)
    assert public_view(post)["post"] is None


def test_a_slug_taken_by_a_concurrent_writer_is_made_again(users, monkeypatch):
    from cms.services import posts

    factories.draft_post(users["author"], slug="race")
    real = posts._unique_slug
    calls = []

    def stale(base, **kwargs):  # the first answer predates the other writer's commit
        calls.append(base)
        return "race" if len(calls) == 1 else real(base, **kwargs)

    monkeypatch.setattr(posts, "_unique_slug", stale)
    client = GraphQLClient().as_user(users["author"])
    assert create(client, title="Race", body="x")["slug"] == "race-2"


def test_tags_are_matched_by_slug_or_name(users):
    Tag.objects.create(name="Python", slug="py")
    client = GraphQLClient().as_user(users["author"])
    post = create(client, title="Tags", body="x", tags=["python", "Web", "web!", "WEB"])
    assert sorted(t["name"] for t in post["tags"]) == ["Python", "Web"]
    assert Tag.objects.count() == 2
