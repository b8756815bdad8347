"""editComment, deleteComment, moderateComment and the moderation queue through /graphql/."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from cms.models import Comment, CommentStatus
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import (
    ADD_COMMENT,
    DELETE_COMMENT,
    EDIT_COMMENT,
    MODERATE_COMMENT,
    THREAD,
    accepted,
    gid,
    guest,
    payload,
    refused,
)

QUEUE = """query { moderationQueue { totalCount edges { node {
  id status body author { name } post { slug } moderation { email ipAddress } } } } }"""
COMMENT_MODERATION = "query($id: ID!) { comment(id: $id) { body moderation { email ipAddress } } }"


def edit(client, comment, body: str) -> dict:
    variables = {"input": {"id": gid(comment), "body": body}}
    return accepted(client, EDIT_COMMENT, variables, "editComment")["comment"]


def refuse_edit(client, comment, code: str, body: str = "Changed.") -> None:
    refused(client, EDIT_COMMENT, {"input": {"id": gid(comment), "body": body}}, "editComment",
            code)


def moderate(client, comment, status: str) -> dict:
    variables = {"input": {"id": gid(comment), "status": status}}
    return accepted(client, MODERATE_COMMENT, variables, "moderateComment")["comment"]


def thread(post) -> dict:
    return GraphQLClient().execute(THREAD, {"slug": post.slug})["data"]["post"]


def test_author_edits_own_comment_within_the_window_and_edited_at_is_set(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    result = edit(GraphQLClient().as_user(users["subscriber"]), comment, "Better *words*.")
    assert result["body"] == "Better *words*."
    assert result["editedAt"] is not None
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert "<em>words</em>" in comment.html


def test_author_cannot_edit_after_the_window(settings, users):
    settings.HEARTH_COMMENT_EDIT_WINDOW_SECONDS = 60
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=61))
    refuse_edit(GraphQLClient().as_user(users["subscriber"]), comment, "FORBIDDEN")
    comment.refresh_from_db()
    assert comment.edited_at is None


def test_moderators_edit_any_comment_at_any_time(settings, users):
    settings.HEARTH_COMMENT_EDIT_WINDOW_SECONDS = 60
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=30))
    for role in ("editor", "administrator"):
        result = edit(GraphQLClient().as_user(users[role]), comment, f"Fixed by {role}.")
        assert result["body"] == f"Fixed by {role}."
        assert result["editedAt"] is not None


def test_others_cannot_edit_a_comment(gql, users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    refuse_edit(GraphQLClient().as_user(users["author"]), comment, "FORBIDDEN")
    refuse_edit(gql, comment, "UNAUTHENTICATED")


def test_edit_checks_the_body_like_a_new_comment(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    client = GraphQLClient().as_user(users["subscriber"])
    refuse_edit(client, comment, "REQUIRED", body="  ")
    refuse_edit(client, comment, "INVALID", body="x" * 65_526)


def test_author_deletes_own_comment_without_replies_and_it_disappears(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    client = GraphQLClient().as_user(users["subscriber"])
    result = accepted(client, DELETE_COMMENT, {"id": gid(comment)}, "deleteComment")
    assert result["deletedId"] == gid(comment)
    shown = thread(post)
    assert shown["commentCount"] == 0
    assert shown["thread"]["totalCount"] == 0
    comment.refresh_from_db()
    assert comment.status == CommentStatus.TRASH


def test_deleted_comment_with_approved_replies_stays_as_a_placeholder(users):
    post = factories.published_post(users["author"])
    parent = factories.comment(post, user=users["subscriber"], body="The original words.")
    reply = factories.comment(post, user=users["author"], parent=parent)
    client = GraphQLClient().as_user(users["subscriber"])
    accepted(client, DELETE_COMMENT, {"id": gid(parent)}, "deleteComment")
    shown = thread(post)
    assert shown["commentCount"] == 1
    nodes = [edge["node"] for edge in shown["thread"]["edges"]]
    assert [n["id"] for n in nodes] == [gid(parent), gid(reply)]
    assert nodes[0] == {"id": gid(parent), "status": "TRASH", "body": "", "depth": 0,
                        "author": {"name": ""}}
    assert nodes[1]["body"] and nodes[1]["depth"] == 1


def test_moderators_delete_any_comment(users):
    post = factories.published_post(users["author"])
    for role in ("editor", "administrator"):
        comment = factories.comment(post, user=users["subscriber"])
        client = GraphQLClient().as_user(users[role])
        accepted(client, DELETE_COMMENT, {"id": gid(comment)}, "deleteComment")
    assert thread(post)["commentCount"] == 0


def test_others_cannot_delete_a_comment(gql, users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    refused(GraphQLClient().as_user(users["author"]), DELETE_COMMENT, {"id": gid(comment)},
            "deleteComment", "FORBIDDEN")
    refused(gql, DELETE_COMMENT, {"id": gid(comment)}, "deleteComment", "UNAUTHENTICATED")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED


def test_guest_comment_approved_by_an_editor_appears_in_the_thread(gql, users):
    post = factories.published_post(users["author"])
    added = payload(gql.execute(ADD_COMMENT, {"input": guest(post)}), "addComment")["comment"]
    assert added["status"] == "PENDING"
    assert thread(post)["commentCount"] == 0
    comment = Comment.objects.get()
    approved = moderate(GraphQLClient().as_user(users["editor"]), comment, "APPROVED")
    assert approved["status"] == "APPROVED"
    shown = thread(post)
    assert shown["commentCount"] == 1
    assert [e["node"]["id"] for e in shown["thread"]["edges"]] == [added["id"]]


def test_administrator_marks_a_comment_as_spam_and_it_leaves_the_thread(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    assert moderate(GraphQLClient().as_user(users["administrator"]), comment,
                    "SPAM")["status"] == "SPAM"
    shown = thread(post)
    assert shown["commentCount"] == 0
    assert shown["thread"]["totalCount"] == 0


def test_only_moderators_moderate(gql, users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    variables = {"input": {"id": gid(comment), "status": "SPAM"}}
    for role in ("author", "contributor", "subscriber"):
        refused(GraphQLClient().as_user(users[role]), MODERATE_COMMENT, variables,
                "moderateComment", "FORBIDDEN")
    refused(gql, MODERATE_COMMENT, variables, "moderateComment", "UNAUTHENTICATED")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED


def test_moderation_queue_shows_pending_comments_oldest_first_with_email_and_ip(users):
    post = factories.published_post(users["author"])
    GraphQLClient(Client(REMOTE_ADDR="198.51.100.4")).execute(
        ADD_COMMENT, {"input": guest(post, body="First.", authorEmail="Una@Example.org")})
    GraphQLClient(Client(REMOTE_ADDR="198.51.100.5")).execute(
        ADD_COMMENT, {"input": guest(post, body="Second.", authorEmail="dos@example.org")})
    factories.comment(post, user=users["subscriber"])
    queue = GraphQLClient().as_user(users["editor"]).execute(QUEUE)["data"]["moderationQueue"]
    assert queue["totalCount"] == 2
    nodes = [edge["node"] for edge in queue["edges"]]
    assert [n["body"] for n in nodes] == ["First.", "Second."]
    assert nodes[0]["moderation"] == {"email": "una@example.org", "ipAddress": "198.51.100.4"}
    assert nodes[1]["moderation"] == {"email": "dos@example.org", "ipAddress": "198.51.100.5"}
    assert nodes[0]["post"]["slug"] == post.slug


def test_moderation_queue_is_refused_to_anonymous_and_subscribers(gql, users):
    post = factories.published_post(users["author"])
    gql.execute(ADD_COMMENT, {"input": guest(post)})
    for client in (gql, GraphQLClient().as_user(users["subscriber"]),
                   GraphQLClient().as_user(users["author"])):
        body = client.execute(QUEUE, allow_errors=True)
        assert body["errors"]
        assert not body.get("data")


def test_moderation_fields_are_null_for_everyone_but_moderators(gql, users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    for client in (gql, GraphQLClient().as_user(users["subscriber"]),
                   GraphQLClient().as_user(users["author"])):
        found = client.execute(COMMENT_MODERATION, {"id": gid(comment)})["data"]["comment"]
        assert found["body"] and found["moderation"] is None
    editor = GraphQLClient().as_user(users["editor"])
    found = editor.execute(COMMENT_MODERATION, {"id": gid(comment)})["data"]["comment"]
    assert found["moderation"] == {"email": "sub@example.com", "ipAddress": "203.0.113.9"}


def test_links_added_by_an_edit_hold_the_comment_again(settings, users):
    settings.HEARTH_COMMENT_MAX_LINKS = 2
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    spam = "https://a.example https://b.example https://c.example"
    assert edit(GraphQLClient().as_user(users["subscriber"]), comment, spam)["status"] == "PENDING"
    assert thread(post)["commentCount"] == 0
    assert edit(GraphQLClient().as_user(users["editor"]), comment, spam)["status"] == "PENDING"


def test_author_cannot_edit_a_removed_comment(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    moderate(GraphQLClient().as_user(users["editor"]), comment, "SPAM")
    refuse_edit(GraphQLClient().as_user(users["subscriber"]), comment, "FORBIDDEN")


def test_author_edits_own_pending_comment_others_do_not_find_it(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"], status=CommentStatus.PENDING,
                                moderator=users["editor"])
    assert edit(GraphQLClient().as_user(users["subscriber"]), comment, "Fewer links.")["body"] \
        == "Fewer links."
    refuse_edit(GraphQLClient().as_user(users["author"]), comment, "NOT_FOUND")
    refused(GraphQLClient().as_user(users["author"]), DELETE_COMMENT, {"id": gid(comment)},
            "deleteComment", "NOT_FOUND")
