"""Build content through the services, as the API would."""

from datetime import timedelta

from django.utils import timezone

from cms.models import Comment, CommentStatus, Post
from cms.services.comments import comment_create, comment_moderate
from cms.services.posts import post_create, post_publish

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def published_post(author, *, title: str | None = None, **fields) -> Post:
    post = post_create(actor=author, title=title or f"Post {_next()}", body="Hello *world*.",
                       **fields)
    return post_publish(actor=author, post=post, publish_at=timezone.now() - timedelta(minutes=1))


def draft_post(author, **fields) -> Post:
    return post_create(actor=author, title=f"Draft {_next()}", body="Not yet.", **fields)


def comment(post, *, user=None, parent=None, status=CommentStatus.APPROVED, body=None,
            moderator=None) -> Comment:
    """A comment in the given status. Guests write as a fresh e-mail each time. A reader's
    (subscriber's) first comment is held like a guest's: asked for APPROVED, an administrator
    of the tests approves it, unless a `moderator` is given."""
    n = _next()
    created = comment_create(
        actor=user, post=post, parent=parent, body=body or f"Comment number {n}.",
        author_name=None if user else f"Guest {n}",
        author_email=None if user else f"guest{n}@example.org", ip_address="203.0.113.9",
    )
    if created.status != status:
        if moderator is None and user is not None and status == CommentStatus.APPROVED:
            moderator = _site_moderator()
        if moderator is None:
            raise ValueError("changing a comment's status needs a moderator")
        created = comment_moderate(actor=moderator, comment=created, status=status)
    created.refresh_from_db()
    return created


def _site_moderator():
    """An administrator who approves readers' first comments for the tests."""
    from cms.models import User

    found = User.objects.filter(username="factory-moderator").first()
    return found or User.objects.create_superuser("factory-moderator", "fm@example.com", None,
                                                  display_name="Site Moderator")
