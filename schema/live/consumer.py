"""The WebSocket side of /graphql/: Strawberry's Channels consumer speaking graphql-transport-ws,
with Hearth's authentication and limits (settings HEARTH_LIVE_*, SECURITY.md).

Who is calling, as over HTTP (schema/http/auth.py): `{"authorization": "Bearer <token>"}` and
`{"visitorToken": "..."}` in connection_init's payload, or the browser's session cookie. A
browser handshake from another origin is refused unless CORS_ALLOWED_ORIGINS lists it (with
`*`, it is accepted without its session: tokens only). A bad token or visitor token closes the
connection (4403).

Limits: subscriptions per connection (an `error` for the one past it) and per client IP (types.py,
quota.py), a message's size (1009), connection_init's wait (4408), a connection without a
subscription (4408 "Idle") or that leaves a ping unanswered (4408 "Ping timeout"), and a
subscriber whose events pile up unread (hub.py: 1008). Queries and mutations go over HTTP.
"""

import asyncio
import contextlib
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from channels.auth import get_user
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from strawberry.channels import GraphQLWSConsumer
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.websocket_origin import is_same_origin, normalize_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.unset import UNSET

from cms.errors import DomainError, ErrorCode
from cms.selectors.live import live_read
from cms.services.tokens import token_authenticate
from cms.visitors import visitor_key_from_token
from schema import schema
from schema.core.context import Context
from schema.core.loaders import Loaders
from schema.http.auth import client_ip

TIMEOUT = 4408
TOO_BIG = 1009
TOO_SLOW = 1008


class Handshake(HttpRequest):
    """The handshake as a Django request, for what resolvers read of it (headers, host, scheme,
    client address)."""

    def __init__(self, scope: dict):
        super().__init__()
        self.path = scope.get("path", "/graphql/")
        self._scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        for name, value in scope.get("headers", ()):
            key = name.decode("latin1").upper().replace("-", "_")
            self.META["HTTP_" + key] = value.decode("latin1")
        client = scope.get("client") or ("", 0)
        server = scope.get("server") or ("", 0)
        self.META.update(REMOTE_ADDR=client[0] or "", SERVER_NAME=server[0] or "",
                         SERVER_PORT=str(server[1] or ""))

    def _get_scheme(self) -> str:
        return self._scheme


class LiveHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws, plus the ping and idle timeouts."""

    watchdog: asyncio.Task | None = None

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.watchdog = asyncio.create_task(self.watch())

    async def shutdown(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        await super().shutdown()

    async def watch(self) -> None:
        ping_every = settings.HEARTH_LIVE_PING_SECONDS
        answer_within = settings.HEARTH_LIVE_PING_TIMEOUT_SECONDS
        idle_for = settings.HEARTH_LIVE_IDLE_SECONDS
        tick = max(0.05, min(ping_every, answer_within, idle_for) / 4)
        consumer = self.websocket.ws_consumer
        idle_since = time.monotonic()
        ping_sent = None
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            if self.operations:
                idle_since = now
            elif now - idle_since > idle_for:
                await self.websocket.close(code=TIMEOUT, reason="Idle: no subscription")
                return
            if ping_sent is not None and consumer.last_received < ping_sent:
                if now - ping_sent > answer_within:
                    await self.websocket.close(code=TIMEOUT, reason="Ping timeout")
                    return
            elif self.connection_acknowledged and now - consumer.last_received >= ping_every:
                ping_sent = now
                await self.send_message({"type": "ping"})


class LiveConsumer(GraphQLWSConsumer):
    graphql_transport_ws_handler_class = LiveHandler
    # No channel per connection: the process's hub (hub.py) has the one channel it needs, so an
    # alias that names no layer.
    channel_layer_alias = "none: the hub listens for every connection"

    def __init__(self):
        super().__init__(
            schema=schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.HEARTH_LIVE_INIT_TIMEOUT_SECONDS),
            max_subscriptions_per_connection=settings.HEARTH_LIVE_SUBSCRIPTIONS_PER_CONNECTION,
        )
        self.last_received = time.monotonic()
        self.dropping = False

    # Origins -----------------------------------------------------------------------------------

    def is_websocket_origin_allowed(self, request, origin: str) -> bool:
        """A cross-origin handshake: from an origin CORS_ALLOWED_ORIGINS lists, or from any
        when it is `*` (then without the session: `session_allowed`)."""
        return settings.CORS_ALLOW_ALL_ORIGINS or self.origin_listed(origin)

    @staticmethod
    def origin_listed(origin: str) -> bool:
        listed = {normalize_origin(o) for o in settings.CORS_ALLOWED_ORIGINS}
        return normalize_origin(origin) in listed - {None}

    def session_allowed(self) -> bool:
        headers = self.get_websocket_headers(self)
        origin = headers.get("origin")
        return (origin is None or is_same_origin(origin, headers.get("host"))
                or self.origin_listed(origin))

    # Messages ----------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.HEARTH_LIVE_MAX_MESSAGE_BYTES:
            await self.close(code=TOO_BIG, reason="Message too big "
                             "(HEARTH_LIVE_MAX_MESSAGE_BYTES)")
            return
        self.last_received = time.monotonic()
        await super().receive(text_data, bytes_data)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        # The client may have gone away meanwhile; disconnect() ends its operations.
        with contextlib.suppress(OSError):
            await super().send(text_data, bytes_data, close)

    def drop(self) -> None:
        """A subscriber that does not read: close the connection, whatever is queued."""
        if not self.dropping:
            self.dropping = True
            asyncio.ensure_future(self.close(code=TOO_SLOW, reason="Too slow: events went "
                                             "unread (HEARTH_LIVE_SEND_QUEUE)"))

    # Who is calling ----------------------------------------------------------------------------

    async def get_context(self, request, response) -> Context:
        handshake = Handshake(self.scope)
        user = None
        if "session" in self.scope and self.session_allowed():
            user = await get_user(self.scope)
            if not user.is_authenticated:
                user = None
        return Context(request=handshake, response=HttpResponse(), user=user,
                       client_ip=client_ip(handshake), drop_connection=self.drop)

    async def on_ws_connect(self, context: Context):
        try:
            await sync_to_async(live_read(self.authenticate))(context)
        except DomainError:
            raise ConnectionRejectionError from None
        return UNSET

    @staticmethod
    def authenticate(context: Context) -> None:
        """connection_init's credentials on `context`, and the reader they make (which reads the
        account's role: done here, in a thread, not on the event loop)."""
        params = context.connection_params or {}
        authorization = params.get("authorization", params.get("Authorization"))
        visitor_token = params.get("visitorToken")
        if authorization is not None:
            scheme, _, raw = str(authorization).partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise DomainError(ErrorCode.UNAUTHENTICATED, "Use `Bearer <token>`.")
            context.user = token_authenticate(raw.strip())
            context.bearer_token = raw.strip()
        if visitor_token is not None:
            context.visitor_key = visitor_key_from_token(str(visitor_token))
            context.visitor_token = str(visitor_token)
        context.loaders = Loaders(user=context.user, visitor_key=context.visitor_key)
        context.loaders.reader  # noqa: B018 - read now, off the event loop
