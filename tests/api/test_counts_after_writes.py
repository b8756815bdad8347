"""Every write keeps the stored counts exact: after a run of mutations through /graphql/, each
counter equals a fresh count of the rows."""

from cms.models import Comment, CommentStatus, Post, Reaction
from cms.models.reactions import ReactionKind, count_field
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import (
    ADD_COMMENT,
    DELETE_COMMENT,
    EDIT_COMMENT,
    MODERATE_COMMENT,
    REACT,
    UNREACT,
    accepted,
    gid,
    guest,
)


def assert_counts_exact(post: Post) -> None:
    post.refresh_from_db()
    comments = Comment.objects.filter(post=post)
    approved = comments.filter(status=CommentStatus.APPROVED)
    assert post.comment_count == approved.count()
    if hasattr(post, "thread_count"):
        assert post.thread_count == comments.in_thread().count()
    for comment in comments:
        below = approved.filter(path__startswith=comment.path).exclude(pk=comment.pk)
        assert comment.reply_count == approved.filter(parent=comment).count(), comment.pk
        assert comment.descendant_count == below.count(), comment.pk
    for subject in [post, *comments]:
        field = "post" if subject is post else "comment"
        for kind in ReactionKind.values:
            stored = getattr(subject, count_field(kind))
            assert stored == Reaction.objects.filter(**{field: subject}, kind=kind).count()


def test_counts_stay_exact_through_comments_moderation_deletes_and_reactions(settings, users):
    settings.HEARTH_COMMENT_MAX_LINKS = 1
    post = factories.published_post(users["author"])
    member = GraphQLClient().as_user(users["contributor"])
    editor = GraphQLClient().as_user(users["editor"])
    anonymous = GraphQLClient()

    def add(client, **input) -> str:
        return accepted(client, ADD_COMMENT, {"input": input}, "addComment")["comment"]["id"]

    def moderate(comment_id: str, status: str) -> None:
        accepted(editor, MODERATE_COMMENT, {"input": {"id": comment_id, "status": status}},
                 "moderateComment")

    top = add(member, postId=gid(post), body="Top.")
    reply = add(editor, postId=gid(post), parentId=top, body="Reply.")
    deep = add(member, postId=gid(post), parentId=reply, body="Deep.")
    held = add(anonymous, **guest(post, body="A guest.", parentId=deep))
    assert_counts_exact(post)
    moderate(held, "APPROVED")
    assert_counts_exact(post)
    moderate(reply, "TRASH")  # a placeholder: replies below stay
    assert_counts_exact(post)
    accepted(member, DELETE_COMMENT, {"id": deep}, "deleteComment")
    assert_counts_exact(post)
    moderate(held, "SPAM")  # the last approved reply goes: the placeholders above go too
    assert_counts_exact(post)
    moderate(reply, "APPROVED")
    moderate(held, "APPROVED")
    assert_counts_exact(post)
    accepted(member, EDIT_COMMENT, {"input": {"id": top, "body": "http://a.example "
                                              "http://b.example"}}, "editComment")
    assert_counts_exact(post)
    for client in (member, editor, anonymous):
        for subject in (gid(post), reply):
            accepted(client, REACT, {"input": {"subjectId": subject, "kind": "LOVE"}}, "react")
    accepted(editor, REACT, {"input": {"subjectId": reply, "kind": "LOVE"}}, "react")
    accepted(editor, UNREACT, {"input": {"subjectId": reply, "kind": "LOVE"}}, "unreact")
    accepted(editor, UNREACT, {"input": {"subjectId": reply, "kind": "LOVE"}}, "unreact")
    assert_counts_exact(post)
