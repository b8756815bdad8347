from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import strawberry
from django.http import HttpRequest, HttpResponse
from strawberry.types.graphql import OperationType

from cms.policies import Reader
from schema.core.loaders import Loaders
from schema.engine.fast_execution import ResolveInfo


@dataclass
class Context:
    """What every resolver may know about the request: who asks, and the per-request loaders."""

    request: HttpRequest
    response: HttpResponse
    user: object = None
    visitor_key: str | None = None
    visitor_token: str | None = None
    # A forged or tampered X-Visitor-Token: reads ignore it, reactions are refused with it.
    visitor_token_error: Exception | None = None
    client_ip: str | None = None
    loaders: Loaders = field(default=None)
    # Comments this request wrote: their authors see them in full even while PENDING.
    own_comment_ids: set[int] = field(default_factory=set)
    # What execution learned, for the view's caching policy (schema/http/views.py): the operation
    # run (None until the document parsed and validated), the content the answer shows (see
    # schema/http/http_cache.py), and whether it showed anything the caller alone may see (a
    # preview), which is never cached.
    operation_type: OperationType | None = None
    cache_tags: set[str] = field(default_factory=set)
    private: bool = False
    # A WebSocket connection's (schema/live/consumer.py): its connection_init payload, and how
    # to drop it (a subscriber that does not read its events). None over HTTP.
    connection_params: dict | None = None
    bearer_token: str | None = None  # the API token it came with, checked again at each event
    drop_connection: Callable[[], None] | None = None
    _origin: str | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.loaders is None:
            self.loaders = Loaders(user=self.user, visitor_key=self.visitor_key)

    def absolute(self, url: str) -> str:
        """A site-relative address (a file under MEDIA_URL) made absolute with the request's
        scheme and host, so that a site on another origin can load it."""
        if not url.startswith("/") or url.startswith("//"):
            return url
        if self._origin is None:
            self._origin = f"{self.request.scheme}://{self.request.get_host()}"
        return self._origin + url

    @property
    def reader(self) -> Reader:
        return self.loaders.reader

    @property
    def is_moderator(self) -> bool:
        return self.reader.is_moderator


# What resolvers annotate `info` with. Strawberry finds the parameter by this annotation, so at
# run time it must be strawberry.Info; type checkers hold resolvers to what both executors give
# (the engine's `ResolveInfo`), with Hearth's Context as its context.
if TYPE_CHECKING:

    class Info(ResolveInfo, Protocol):
        @property
        def context(self) -> Context: ...

else:
    Info = strawberry.Info
