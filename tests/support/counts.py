"""Checks shared by the foundation tests: a service refusal's code, and counts kept exact."""

from contextlib import contextmanager

import pytest
from django.db.models import Count

from cms.errors import DomainError, ErrorCode
from cms.models import Comment, CommentStatus, Post, Reaction


@contextmanager
def refused(code: ErrorCode):
    """Expect the block to raise a DomainError with `code` (asserting codes, never messages)."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, (info.value.code, info.value.message)


def _reaction_counts(**subject) -> dict[str, int]:
    rows = Reaction.objects.filter(**subject).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def assert_counts_exact() -> None:
    """Every stored count equals a fresh COUNT(*) of the rows it stands for."""
    approved = Comment.objects.filter(status=CommentStatus.APPROVED)
    for post in Post.objects.all():
        assert post.comment_count == approved.filter(post=post).count(), post
        assert post.thread_count == Comment.objects.filter(post=post).in_thread().count(), post
        assert post.thread_count == Comment.objects.filter(post=post).in_thread().count(), post
        stored = {kind: n for kind, n in post.reaction_counts().items() if n}
        assert stored == _reaction_counts(post=post), post
    for comment in Comment.objects.all():
        assert comment.reply_count == approved.filter(parent=comment).count(), comment
        below = approved.filter(post=comment.post_id, path__startswith=comment.path)
        assert comment.descendant_count == below.exclude(pk=comment.pk).count(), comment
        stored = {kind: n for kind, n in comment.reaction_counts().items() if n}
        assert stored == _reaction_counts(comment=comment), comment
