"""What happened to content, told to whoever must react (webhooks, caches).

Services call these inside their transaction; every effect runs only if that transaction commits.
"""

from django.db import transaction

_listeners: list = []


def listen(listener) -> None:
    """Register `listener(event: str, post_id: int, payload: dict)`, called inside the
    transaction of the write (so it may enqueue rows that roll back with it)."""
    _listeners.append(listener)


def _emit(event: str, post_id: int, payload: dict) -> None:
    for listener in _listeners:
        listener(event, post_id, payload)


def post_changed(post, event: str) -> None:
    _emit(event, post.pk, {"id": post.pk, "slug": post.slug, "status": post.public_status})


def comment_changed(comment, event: str | None) -> None:
    """`event` is None for changes that no webhook announces (a reaction, an edit)."""
    _emit(event or "comment.changed", comment.post_id, {"id": comment.pk, "post": comment.post_id,
                                                       "status": comment.status.upper()})


def on_commit(callback) -> None:
    transaction.on_commit(callback)
