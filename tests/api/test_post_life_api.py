"""The editor's desk through GraphQL: updatePost keeps a revision, authorId reassigns (editors
and administrators only), trashPost hides a post from every path, restorePost brings it back."""

from cms.models import Post, PostRevision
from tests.support import factories
from tests.support.writes import UPDATE_POST, accepted, gid, payload, refused

TRASH = """mutation($id: ID!) { trashPost(id: $id) { post { id } errors { field code } } }"""
RESTORE = """mutation($id: ID!) { restorePost(id: $id) { post { id status }
  errors { field code } } }"""
SEEN = """query($slug: String!, $id: ID!) { post(slug: $slug) { id } node(id: $id) { id }
  posts { totalCount } }"""


def author_gid(user) -> str:
    from strawberry.relay import GlobalID

    return str(GlobalID("Author", str(user.pk)))


def test_an_update_through_graphql_keeps_a_revision_by_its_caller(gql, users):
    post = factories.draft_post(users["author"])
    accepted(gql.as_user(users["editor"]), UPDATE_POST,
             {"input": {"id": gid(post), "body": "Edited by the editor."}}, "updatePost")
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    assert (latest.number, latest.body, latest.created_by) == (
        2, "Edited by the editor.", users["editor"])


def test_an_editor_gives_a_post_to_another_author(gql, users):
    post = factories.draft_post(users["author"])
    accepted(gql.as_user(users["editor"]), UPDATE_POST,
             {"input": {"id": gid(post), "authorId": author_gid(users["other_author"])}},
             "updatePost")
    assert Post.objects.get(pk=post.pk).author == users["other_author"]


def test_an_author_may_not_reassign_and_learns_nothing_of_accounts(gql, users):
    post = factories.draft_post(users["author"])
    client = gql.as_user(users["author"])
    for target in [author_gid(users["other_author"]), "QXV0aG9yOjk5OTk5"]:
        refused(client, UPDATE_POST, {"input": {"id": gid(post), "authorId": target}},
                "updatePost", "FORBIDDEN")


def test_a_subscriber_cannot_become_an_author(gql, users):
    post = factories.draft_post(users["author"])
    refused(gql.as_user(users["editor"]), UPDATE_POST,
            {"input": {"id": gid(post), "authorId": author_gid(users["subscriber"])}},
            "updatePost", "INVALID", field="authorId")


def test_a_trashed_post_is_invisible_like_a_draft_and_restorable(gql, users):
    post = factories.published_post(users["author"])
    author = gql.as_user(users["author"])
    variables = {"slug": post.slug, "id": gid(post)}
    before = gql.execute(SEEN, variables)["data"]["posts"]["totalCount"]
    result = payload(author.execute(TRASH, {"id": gid(post)}), "trashPost")
    assert result["errors"] == []
    for client in [gql, author, gql.as_user(users["editor"])]:
        data = client.execute(SEEN, variables)["data"]
        assert data["post"] is None and data["node"] is None
    assert gql.execute(SEEN, variables)["data"]["posts"]["totalCount"] == before - 1
    refused(author, UPDATE_POST, {"input": {"id": gid(post), "title": "x"}}, "updatePost",
            "NOT_FOUND")
    refused(gql.as_user(users["other_author"]), RESTORE, {"id": gid(post)}, "restorePost",
            "NOT_FOUND")
    restored = payload(author.execute(RESTORE, {"id": gid(post)}), "restorePost")
    assert restored["errors"] == [] and restored["post"]["status"] == "PUBLISHED"
    assert gql.execute(SEEN, variables)["data"]["post"] == {"id": gid(post)}
