"""Live events: what changed under a post, published to its subscribers once the write commits.

The services call these inside their transaction; `transaction.on_commit` sends the event only
if the write commits (a rolled-back write tells nobody). An event names what changed, by ids,
and never carries content: each subscriber's process reads the rows afresh and shows each
subscriber what it may see (schema/live/). It goes through the channel layer (config/settings.py
CHANNEL_LAYERS: in memory for one process, Redis for many), to group `post_group(post_id)`.

A publish that fails (Redis down) is logged and dropped: the write has committed, and a
subscriber's next event, or a reload, shows the current state.
"""

import logging
from enum import StrEnum

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from cms.models import Comment

logger = logging.getLogger("hearth")


class ActivityKind(StrEnum):
    COMMENT_ADDED = "COMMENT_ADDED"
    COMMENT_UPDATED = "COMMENT_UPDATED"
    COMMENT_REMOVED = "COMMENT_REMOVED"
    REACTIONS_CHANGED = "REACTIONS_CHANGED"
    POST_UPDATED = "POST_UPDATED"


# The channel layer's message type: the hub's consumer method (schema/live/hub.py).
MESSAGE_TYPE = "post.activity"


def post_group(post_id: int) -> str:
    return f"hearth.post.{post_id}"


def comment_changed(comment: Comment, kind: ActivityKind, *, was: str | None = None,
                    visitor_key: str | None = None) -> None:
    """`comment` was added, edited or changed status (from `was`). `visitor_key`: the anonymous
    visitor who wrote it in this request, who alone (with moderators) sees it while pending."""
    _publish(comment.post_id, kind, comment_id=comment.pk, was=was, visitor_key=visitor_key)


def reactions_changed(*, post_id: int, comment_id: int | None = None) -> None:
    _publish(post_id, ActivityKind.REACTIONS_CHANGED, comment_id=comment_id)


def post_changed(post_id: int) -> None:
    """The post's own fields or status changed (readers who may no longer read it are
    unsubscribed)."""
    _publish(post_id, ActivityKind.POST_UPDATED)


def _publish(post_id: int, kind: ActivityKind, **fields) -> None:
    event = {"type": MESSAGE_TYPE, "post": post_id, "kind": str(kind),
             **{name: value for name, value in fields.items() if value is not None}}
    transaction.on_commit(lambda: send(event))


def send(event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(post_group(event["post"]), event)
    except Exception:  # noqa: BLE001 - the write committed; subscribers catch up on the next event
        logger.warning("A live event could not be published: %s", event, exc_info=True)
