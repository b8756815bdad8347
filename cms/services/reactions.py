"""React and unreact: idempotent per reactor, subject and kind, with exact stored counts.

The database's unique constraints decide races: of two identical reactions at once one row is
written; the other caller's insert fails inside a savepoint and changes nothing. The subject's row
is locked first, so a subject deleted meanwhile is NOT_FOUND, never a broken foreign key.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from cms import content_versions, live
from cms.errors import DomainError, ErrorCode
from cms.models import Comment, Post, Reaction, ReactionKind
from cms.models.reactions import count_field
from cms.policies import comments_taking_reactions, is_signed_in


def _reactor(user, visitor_key: str | None) -> dict:
    if is_signed_in(user):
        return {"user": user, "visitor_key": None}
    if visitor_key:
        return {"user": None, "visitor_key": visitor_key}
    raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in or send a visitor token to react.")


def _subject(subject: Post | Comment) -> dict:
    return {"comment": subject} if isinstance(subject, Comment) else {"post": subject}


def _check_kind(kind: str) -> None:
    if kind not in ReactionKind.values:
        raise DomainError(ErrorCode.INVALID, "Unknown reaction kind.", field="kind")


def _lock_subject(subject: Post | Comment) -> None:
    """Lock the subject's row; NOT_FOUND if it is gone or is a comment that takes no reactions
    (only approved ones do)."""
    found = type(subject).objects.select_for_update().filter(pk=subject.pk)
    if isinstance(subject, Comment):
        found = comments_taking_reactions(found)
    if not found.exists():
        name = type(subject).__name__.lower()
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no such {name}.", field="subjectId")


def _post_id(subject: Post | Comment) -> int:
    return subject.post_id if isinstance(subject, Comment) else subject.pk


def _changed(subject: Post | Comment, kind: str, delta: int) -> None:
    type(subject).objects.filter(pk=subject.pk).update(
        **{count_field(kind): F(count_field(kind)) + delta}
    )
    content_versions.post_written(_post_id(subject))
    live.reactions_changed(post_id=_post_id(subject),
                           comment_id=subject.pk if isinstance(subject, Comment) else None)


@transaction.atomic
def reaction_add(*, subject: Post | Comment, kind: str, user=None,
                 visitor_key: str | None = None, private: bool = False) -> bool:
    """Returns True when a reaction was added, False when it was already there. A `private`
    reaction is counted but its reactor is not listed among the subject's reactors; reacting
    again with another `private` changes only that."""
    _check_kind(kind)
    fields = {**_subject(subject), **_reactor(user, visitor_key), "kind": kind}
    _lock_subject(subject)
    try:
        with transaction.atomic():
            Reaction.objects.create(**fields, is_private=private)
    except IntegrityError:
        existing = Reaction.objects.filter(**fields)
        if existing.exists():
            if existing.exclude(is_private=private).update(is_private=private):
                content_versions.post_written(_post_id(subject))
            return False
        raise
    _changed(subject, kind, +1)
    return True


@transaction.atomic
def reaction_remove(*, subject: Post | Comment, kind: str, user=None,
                    visitor_key: str | None = None) -> bool:
    """Returns True when a reaction was removed, False when there was none."""
    _check_kind(kind)
    _lock_subject(subject)
    deleted, _ = Reaction.objects.filter(
        **_subject(subject), **_reactor(user, visitor_key), kind=kind
    ).delete()
    if deleted:
        _changed(subject, kind, -1)
    return bool(deleted)


@transaction.atomic
def reaction_delete(*, reaction: Reaction) -> bool:
    """Remove one stored reaction whatever state its subject is in (personal-data erasure; a
    trashed comment keeps its counts exact too). Returns False when it was already gone."""
    subject = reaction.comment if reaction.comment_id else reaction.post
    type(subject).objects.select_for_update().filter(pk=subject.pk).exists()
    deleted, _ = Reaction.objects.filter(pk=reaction.pk).delete()
    if deleted:
        _changed(subject, reaction.kind, -1)
    return bool(deleted)
