"""The process's hub: one channel on the channel layer for every live subscription it serves.

A post's group (cms/live.py) holds one channel per server process with subscribers to that post,
not one per subscriber, so a write sends one message per process, whatever the number of
subscribers. The hub reads its channel and puts each event in the queue of every local
subscription to that post, never waiting: a queue holds at most HEARTH_LIVE_SEND_QUEUE events,
and a subscription whose queue is full (its reader does not read) is dropped with its
connection. The rows an event names are read once per process (`Event.rows`), and whether a
kind of reader may read the post once per kind (`Event.may_read`).
"""

import asyncio
import logging
from collections.abc import Callable

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from cms.live import MESSAGE_TYPE, post_group
from cms.policies import Reader
from cms.selectors.live import activity_rows, current_account, may_read_post

logger = logging.getLogger("hearth")
# channels_redis forgets a group's members after its group_expiry (a day): re-join well before.
REJOIN_SECONDS = 3600
RETRY_SECONDS = 1


class Event:
    """One event as this process received it, with what its subscribers share."""

    def __init__(self, message: dict):
        self.post_id: int = message["post"]
        self.kind: str = message["kind"]
        self.comment_id: int | None = message.get("comment_id")
        self.was: str | None = message.get("was")
        self.visitor_key: str | None = message.get("visitor_key")
        self._rows: asyncio.Task | None = None
        self._readers: dict[Reader, asyncio.Task] = {}
        self._accounts: dict[tuple, asyncio.Task] = {}
        # Executions anonymous subscribers share (schema/live/types.py PostActivity).
        self.shared_results: dict = {}

    async def rows(self):
        """(post, comment) as they are now; None for what is gone."""
        if self._rows is None:
            self._rows = asyncio.ensure_future(sync_to_async(activity_rows)(
                post_id=self.post_id, comment_id=self.comment_id))
        return await asyncio.shield(self._rows)

    async def may_read(self, reader: Reader) -> bool:
        if reader not in self._readers:
            self._readers[reader] = asyncio.ensure_future(sync_to_async(may_read_post)(
                reader=reader, post_id=self.post_id))
        return await asyncio.shield(self._readers[reader])


    async def account(self, user_id: int, token: str | None):
        """A signed-in subscriber's account as it is now (None: deactivated, or its token
        revoked), read once per account and token."""
        key = (user_id, token)
        if key not in self._accounts:
            self._accounts[key] = asyncio.ensure_future(sync_to_async(current_account)(
                user_id=user_id, token=token))
        return await asyncio.shield(self._accounts[key])


class Subscription:
    """A subscriber's queue of events, bounded; `drop` ends its connection when it overflows."""

    def __init__(self, post_id: int, drop: Callable[[], None]):
        self.post_id = post_id
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=settings.HEARTH_LIVE_SEND_QUEUE)
        self.drop = drop
        self.dropped = False

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True
            self.drop()


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.posts: dict[int, set[Subscription]] = {}
        self.lock = asyncio.Lock()
        self.task: asyncio.Task | None = None

    async def join(self, subscription: Subscription) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("hearth-live.")
                self.task = asyncio.create_task(self.run())
            members = self.posts.setdefault(subscription.post_id, set())
            if not members:
                await self.layer.group_add(post_group(subscription.post_id), self.channel)
            members.add(subscription)

    async def leave(self, subscription: Subscription) -> None:
        async with self.lock:
            members = self.posts.get(subscription.post_id)
            if members is None or subscription not in members:
                return
            members.discard(subscription)
            if not members:
                del self.posts[subscription.post_id]
                await self.layer.group_discard(post_group(subscription.post_id), self.channel)

    def subscriber_count(self) -> int:
        return sum(len(members) for members in self.posts.values())

    async def run(self) -> None:
        rejoin = asyncio.get_running_loop().time() + REJOIN_SECONDS
        while True:
            try:
                message = await asyncio.wait_for(self.layer.receive(self.channel),
                                                  timeout=REJOIN_SECONDS)
            except TimeoutError:
                message = None
            except Exception:  # noqa: BLE001 - Redis went away: wait, then join the groups again
                logger.warning("The live hub lost its channel layer; retrying.", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                rejoin = 0
                message = None
            if asyncio.get_running_loop().time() >= rejoin:
                await self.rejoin()
                rejoin = asyncio.get_running_loop().time() + REJOIN_SECONDS
            if message is not None and message.get("type") == MESSAGE_TYPE:
                self.deliver(Event(message))

    def deliver(self, event: Event) -> None:
        for subscription in list(self.posts.get(event.post_id, ())):
            subscription.offer(event)

    async def rejoin(self) -> None:
        try:
            async with self.lock:
                for post_id in list(self.posts):
                    await self.layer.group_add(post_group(post_id), self.channel)
        except Exception:  # noqa: BLE001 - the next round tries again
            logger.warning("The live hub could not rejoin its groups.", exc_info=True)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per event loop: a server process runs one)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        for closed in [other for other in _hubs if other.is_closed()]:
            del _hubs[closed]
        _hubs[loop] = Hub()
    return _hubs[loop]
