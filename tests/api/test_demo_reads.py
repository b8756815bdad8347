"""Every field of the Reading section, read anonymously over the demo blog, agrees with the rows."""

import pytest
from django.core.management import call_command
from strawberry.relay import GlobalID

from cms.management.commands.seed_demo import DEMO_SLUG
from cms.models import Comment, CommentStatus, Post
from tests.conftest import GraphQLClient

PAGE = """
query($slug: String!) {
  post(slug: $slug) {
    id slug title excerpt body html status publishedAt createdAt updatedAt commentsOpen
    commentCount
    author { id slug displayName bio avatarUrl posts { totalCount edges { node { slug } } } }
    tags { id slug name posts(first: 50) { totalCount edges { node { slug } } } }
    reactions { total counts { kind count } viewerReactions }
    comments(first: 50) { totalCount edges { node { id replyCount descendantCount
      replies(first: 50) { totalCount edges { node { id parent { id } } } } } } }
    thread(first: 100) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        id depth status body html createdAt editedAt replyCount descendantCount
        post { slug }
        parent { id }
        author { name url avatarUrl isPostAuthor user { slug displayName } }
        reactions { total counts { kind count } viewerReactions }
      } }
    }
  }
}
"""


def gid(type_name: str, pk: int) -> str:
    return str(GlobalID(type_name, str(pk)))


@pytest.fixture
def demo(db, roomy_limits):
    """The demo blog, read with one document per page (more nodes than HEARTH_MAX_NODES allows)."""
    call_command("seed_demo", verbosity=0)
    post = Post.objects.get(slug=DEMO_SLUG)
    data = GraphQLClient().execute(PAGE, {"slug": DEMO_SLUG})["data"]["post"]
    return post, data


def test_post_fields_match_the_stored_post(demo):
    post, data = demo
    assert data["id"] == gid("Post", post.pk)
    assert (data["slug"], data["title"], data["excerpt"], data["body"], data["html"]) == (
        post.slug, post.title, post.excerpt, post.body, post.html)
    assert data["status"] == "PUBLISHED"
    assert data["publishedAt"] == post.published_at.isoformat()
    assert data["createdAt"] == post.created_at.isoformat()
    assert data["updatedAt"] == post.updated_at.isoformat()
    assert data["commentsOpen"] is post.comments_open
    approved = Comment.objects.filter(post=post, status=CommentStatus.APPROVED)
    assert data["commentCount"] == approved.count()
    assert data["author"]["slug"] == post.author.slug
    assert data["author"]["displayName"] == post.author.display_name
    assert DEMO_SLUG in {e["node"]["slug"] for e in data["author"]["posts"]["edges"]}
    assert sorted(t["name"] for t in data["tags"]) == sorted(post.tags.values_list("name",
                                                                                   flat=True))
    for tag in data["tags"]:
        assert DEMO_SLUG in {e["node"]["slug"] for e in tag["posts"]["edges"]}


def test_the_demo_thread_reads_like_the_reference_page(demo):
    post, data = demo
    thread = [e["node"] for e in data["thread"]["edges"]]
    assert data["thread"]["totalCount"] == len(thread) == post.thread_count
    assert data["thread"]["pageInfo"]["hasNextPage"] is False
    top_level = [n for n in thread if n["depth"] == 0]
    assert len(top_level) >= 6 and data["comments"]["totalCount"] == len(top_level)
    assert any(n["author"]["isPostAuthor"] for n in thread if n["depth"] > 0)
    liked = sorted(n["reactions"]["total"] for n in thread if n["reactions"]["total"])
    assert 1 in liked and 2 in liked
    assert data["reactions"]["total"] > 0
    assert data["reactions"]["viewerReactions"] == []

    by_id = {n["id"]: n for n in thread}
    for index, node in enumerate(thread):
        assert node["post"] == {"slug": DEMO_SLUG}
        if node["parent"] is None:
            assert node["depth"] == 0
        else:
            parent = by_id[node["parent"]["id"]]
            assert node["depth"] == parent["depth"] + 1
            # depth-first: the parent comes earlier in the list
            assert thread.index(parent) < index
        children = [n for n in thread if (n["parent"] or {}).get("id") == node["id"]]
        assert node["replyCount"] == sum(c["status"] == "APPROVED" for c in children)
        assert node["author"]["name"]  # nobody is a placeholder on the demo page
        stored = Comment.objects.get(pk=int(GlobalID.from_id(node["id"]).node_id))
        assert node["html"] == stored.html and node["body"] == stored.body
        assert node["createdAt"] == stored.created_at.isoformat()
        kinds = [c for c in node["reactions"]["counts"]]
        assert sum(c["count"] for c in kinds) == node["reactions"]["total"]
        assert [c["count"] for c in kinds] == sorted((c["count"] for c in kinds), reverse=True)


def test_nested_replies_agree_with_the_thread(demo):
    _, data = demo
    thread = {e["node"]["id"]: e["node"] for e in data["thread"]["edges"]}
    for edge in data["comments"]["edges"]:
        node = edge["node"]
        replies = node["replies"]
        assert replies["totalCount"] == len(replies["edges"])
        assert all(r["node"]["parent"]["id"] == node["id"] for r in replies["edges"])
        assert node["replyCount"] == thread[node["id"]]["replyCount"]
        assert node["descendantCount"] == thread[node["id"]]["descendantCount"]


def test_tags_and_authors_resolve_as_nodes(demo):
    _, data = demo
    client = GraphQLClient()
    for ref, type_name in ((data["author"], "Author"), (data["tags"][0], "Tag")):
        found = client.execute("query($id: ID!) { node(id: $id) { __typename id } }",
                               {"id": ref["id"]})["data"]["node"]
        assert found == {"__typename": type_name, "id": ref["id"]}
