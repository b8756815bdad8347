"""How much mail one caller can make Hearth send: every request that queues a message (subscribe,
a personal-data link, a comment that asks for replies) counts against the caller's hourly quota
(HEARTH_MAIL_REQUEST_LIMIT, per account or per IP) and everyone's (HEARTH_MAIL_REQUEST_TOTAL_LIMIT),
so the outbox and the mailboxes it writes to stay bounded. Moderators are exempt."""

from django.conf import settings

from cms import ratelimit
from cms.errors import DomainError, ErrorCode
from cms.policies import is_moderator, is_signed_in

WINDOW_SECONDS = 3600


def require(*, ip: str | None, user=None, field: str | None = None) -> None:
    """Count one request that sends mail; RATE_LIMITED when a quota is spent."""
    if is_moderator(user):
        return
    who = f"user:{user.pk}" if is_signed_in(user) else f"ip:{ip or 'unknown'}"
    for key, limit in ((f"mail:{who}", settings.HEARTH_MAIL_REQUEST_LIMIT),
                       ("mail:everyone", settings.HEARTH_MAIL_REQUEST_TOTAL_LIMIT)):
        retry_after = ratelimit.hit(key, limit=limit, window=WINDOW_SECONDS)
        if retry_after is not None:
            raise DomainError(ErrorCode.RATE_LIMITED, "Too many e-mail requests for now; "
                              f"try again in {retry_after} seconds.", field=field,
                              retry_after=retry_after)
