"""Live threads: `postActivity`, what changes under a post, as each subscriber may see it.

A subscriber gets what a query of its own would show at that moment: the hub (hub.py) reads the
rows an event names, then for each subscriber the post must still be readable (else the
subscription ends, sending nothing), and the comment is shown as `policies.follows_comment` and
`shows_content` decide: an approved one to everyone, a pending one to its author and moderators,
a removed one as its placeholder to those who followed it. A comment a subscriber starts or stops
following comes as COMMENT_ADDED or COMMENT_REMOVED; one it never followed is not sent.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Annotated

import strawberry
from asgiref.sync import sync_to_async
from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from cms.live import ActivityKind
from cms.policies import follows_comment
from cms.selectors.live import may_read_post
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import pk_of
from schema.core.loaders import Loaders
from schema.live.hub import Event, Subscription, hub
from schema.live.quota import quota

if TYPE_CHECKING:
    from schema.comments.types import Comment
    from schema.posts.types import Post

LazyComment = Annotated["Comment", strawberry.lazy("schema.comments.types")]
LazyPost = Annotated["Post", strawberry.lazy("schema.posts.types")]
# Comments a visitor wrote while connected, which its subscriptions show while pending: at most
# this many are remembered per connection.
MAX_OWN_COMMENTS = 1000

PostActivityKind = described_enum(
    ActivityKind, name="PostActivityKind", description="What changed under a post.",
    values={"COMMENT_ADDED": "A comment entered the thread as the subscriber sees it: new, "
                             "approved, or its own new pending comment.",
            "COMMENT_UPDATED": "A comment the subscriber sees changed: its text or status.",
            "COMMENT_REMOVED": "A comment the subscriber saw left the thread (spam, trash, or "
                               "held again); `comment` is its placeholder.",
            "REACTIONS_CHANGED": "Reaction counts changed: the post's (`comment` null) or a "
                                 "comment's.",
            "POST_UPDATED": "The post itself changed: its text, status or settings."})


@strawberry.type(description="One change under a post, as this subscriber may see it.")
class PostActivity:
    kind: PostActivityKind = strawberry.field(description="What changed.")
    comment: LazyComment | None = strawberry.field(
        description="The comment concerned, as this subscriber may see it (a placeholder once "
                    "removed); null for the post's own changes and reactions.")
    post: LazyPost = strawberry.field(description="The post as it is now: its counts and "
                                      "reactions.")
    # Set for a subscriber that sees exactly what every other such subscriber sees (anonymous:
    # no account, no visitor key): the engine runs one execution per document and variables
    # for all of them (schema/engine/fast_execution.py).
    shared_results: strawberry.Private[dict | None] = None


class SubscriptionsOnly(SchemaExtension):
    """The WebSocket takes subscriptions; queries and mutations go over HTTP, where their caching,
    limits and headers are."""

    def on_execute(self):
        execution = self.execution_context
        over_websocket = getattr(execution.context, "drop_connection", None) is not None
        if over_websocket and execution.operation_type != OperationType.SUBSCRIPTION:
            execution.result = ExecutionResult(data=None, errors=[GraphQLError(
                "Send queries and mutations over HTTP (POST /graphql/): the WebSocket takes "
                "subscriptions only.", extensions={"code": "BAD_REQUEST"})])
        yield


def not_found() -> GraphQLError:
    return GraphQLError("There is no such post.", extensions={"code": "NOT_FOUND"})


class Ended(Exception):
    """The subscriber may no longer read the post."""


async def activity_for(event: Event, context, own_ids: set[int]) -> PostActivity | None:
    """What `event` shows this subscriber: a PostActivity, or None (nothing it may see). Ended:
    it may no longer read the post, or its account or token no longer holds."""
    activity = await _activity_for(event, context, own_ids)
    if activity is not None and context.user is None and context.visitor_key is None:
        activity.shared_results = event.shared_results
    return activity


async def _activity_for(event: Event, context, own_ids: set[int]) -> PostActivity | None:
    if context.user is not None:
        account = await event.account(context.user.pk, context.bearer_token)
        if account is None:
            raise Ended
        context.user = account
    context.loaders = Loaders(user=context.user, visitor_key=context.visitor_key)
    reader = context.reader
    post, comment = await event.rows()
    if post is None or not await event.may_read(reader):
        raise Ended
    # Each subscriber's own copies: what its resolvers remember on a row stays its own.
    post, comment = copy.copy(post), copy.copy(comment)
    kind = ActivityKind(event.kind)
    if event.comment_id is None:
        return PostActivity(kind=kind, comment=None, post=post)
    if comment is None:
        return None
    own = comment.pk in own_ids
    if event.visitor_key is not None and event.visitor_key == context.visitor_key:
        own = True
        if len(own_ids) < MAX_OWN_COMMENTS:
            own_ids.add(comment.pk)
    now = follows_comment(status=comment.status, user_id=comment.user_id, reader=reader, own=own)
    if kind == ActivityKind.REACTIONS_CHANGED:
        return PostActivity(kind=kind, comment=comment, post=post) if now else None
    before = kind != ActivityKind.COMMENT_ADDED and follows_comment(
        status=event.was or "", user_id=comment.user_id, reader=reader, own=own)
    if not now and not before:
        return None
    if now and not before:
        kind = ActivityKind.COMMENT_ADDED
    elif before and not now:
        kind = ActivityKind.COMMENT_REMOVED
    return PostActivity(kind=kind, comment=comment, post=post)


async def activities(post_id: int, info: Info, lease: str) -> AsyncGenerator[PostActivity, None]:
    context = info.context
    subscription = Subscription(post_id, drop=context.drop_connection)
    await hub().join(subscription)
    try:
        while True:
            event = await subscription.queue.get()
            try:
                activity = await activity_for(event, context, context.own_comment_ids)
            except Ended:
                return
            if activity is not None:
                context.loaders.remember_post(activity.post)
                yield activity
    finally:
        await hub().leave(subscription)
        await quota().give_back(lease)


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(description="Everything that changes what a reader sees under one "
                                         "post, in the order it was committed. Over WebSocket "
                                         "(graphql-transport-ws) on /graphql/.")
    async def post_activity(self, info: Info, post_id: Annotated[strawberry.ID, strawberry.argument(
            description="The post's global ID.")]) -> AsyncGenerator[PostActivity, None]:
        context = info.context
        pk = pk_of(post_id, "Post")
        if pk is None or not await sync_to_async(may_read_post)(
                reader=context.reader, post_id=pk):
            raise not_found()
        lease = await quota().take(context.client_ip)
        if lease is None:
            raise GraphQLError("Too many live subscriptions from this address "
                               "(HEARTH_LIVE_SUBSCRIPTIONS_PER_IP).",
                               extensions={"code": "RATE_LIMITED"})
        return activities(pk, info, lease)
