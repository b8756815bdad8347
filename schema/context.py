from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

from cms.policies import Reader
from schema.loaders import Loaders


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

    def __post_init__(self):
        if self.loaders is None:
            self.loaders = Loaders(user=self.user, visitor_key=self.visitor_key)

    @property
    def reader(self) -> Reader:
        return self.loaders.reader

    @property
    def is_moderator(self) -> bool:
        return self.reader.is_moderator
