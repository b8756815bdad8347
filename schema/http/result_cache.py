"""A server-side cache of public reads.

An anonymous query (no token, no session, no visitor token, no preview) that succeeds is stored
in Django's cache under a hash of the request (query, variables, operation name), with the tags
of the content it shows and their versions at the time. A repeat is served from the cache while
every tag still has that version: writes bump versions after they commit
(cms/content_versions.py), so no read is stale after a write. A scheduled post going live is not
a write: entries never outlive the next scheduled publication.

It is on only when the cache is shared by every server process (Redis): with a cache per process
a write in one process could not reach the entries of another. What callers can make it store is
bounded: no answer over HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES, at most
HEARTH_RESULT_CACHE_CALLER_BYTES per client IP and HEARTH_RESULT_CACHE_TOTAL_BYTES in all per
HEARTH_RESULT_CACHE_SECONDS (entries live no longer, so at most twice that is ever stored). A
cache that is down or full is skipped: the read runs uncached.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.utils import timezone
from strawberry.extensions import SchemaExtension

from cms import cache_guard, content_versions, ratelimit
from cms.selectors.posts import next_publication
from schema.core.context import Context

PREFIX = "hearth:result:"


def enabled() -> bool:
    return settings.HEARTH_RESULT_CACHE_SECONDS > 0 and not isinstance(
        caches["default"], LocMemCache | DummyCache)


def key(request, body: bytes) -> str | None:
    """The entry an anonymous read (GET, or POST with its checked body) is kept under while the
    cache is on; None for anything else."""
    if not enabled() or not _is_anonymous(request):
        return None
    # Image addresses are made absolute with the request's scheme and host (schema.images).
    origin = f"{request.scheme}://{request.get_host()} "
    if request.method == "GET":
        raw = origin + "GET?" + "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))
        return PREFIX + hashlib.sha256(raw.encode()).hexdigest()
    if request.method == "POST":
        return PREFIX + hashlib.sha256(origin.encode() + b"POST" + body).hexdigest()
    return None


def _is_anonymous(request) -> bool:
    """No token, no visitor, no session: nothing the answer could depend on."""
    return not (request.headers.get("Authorization") or request.headers.get("X-Visitor-Token")
                or request.headers.get("X-Session-Token")
                or request.COOKIES.get(settings.SESSION_COOKIE_NAME))


@dataclass(frozen=True)
class Entry:
    body: bytes
    tags: dict[str, str]  # each tag's version when the answer was stored

    def response(self, content_type: str = "application/json") -> HttpResponse:
        """The answer again, in the media type the request negotiated (the body is the same)."""
        return HttpResponse(self.body, content_type=content_type)


def fresh(key: str) -> Entry | None:
    """The entry under `key`, if every tag it shows still has its stored version."""
    entry = cache_guard.attempt("result cache", lambda: cache.get(key))
    if entry is None or content_versions.versions(entry["tags"]) != entry["tags"]:
        return None
    return Entry(entry["body"], entry["tags"])


def posts_version() -> str | None:
    """Every write bumps `posts`: take it before a query runs, and `store` keeps the answer only
    if it has not moved (else a write may have landed half-way through what the query read)."""
    versions = content_versions.versions(["posts"])
    return None if versions is None else versions["posts"]


def _lifetime() -> int:
    """Seconds an entry may live: the setting, or less if a scheduled post goes live sooner."""
    seconds = settings.HEARTH_RESULT_CACHE_SECONDS
    now = timezone.now()
    upcoming = next_publication(now=now)
    if upcoming is not None:
        seconds = min(seconds, int((upcoming - now) / timedelta(seconds=1)))
    return seconds


class MarkQueries(SchemaExtension):
    """Records on the Context which operation was executed (parsed and validated: only then is a
    persisted query registered, see schema/http/persisted.py); only queries may be stored."""

    def on_execute(self):
        yield
        context = self.execution_context.context
        if isinstance(context, Context):
            context.operation_type = getattr(self.execution_context, "operation_type", None)


def store(key: str, body: bytes, *, tags: set[str], posts_before: str, caller_ip: str | None,
          ) -> None:
    """Keep an answer that shows `tags` (all posts if none), within the size and byte quotas, if
    no write landed since `posts_before`."""
    if len(body) > settings.HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES:
        return
    names = sorted(tags or ("posts",))
    now = content_versions.versions([*names, "posts"])
    lifetime = _lifetime()
    if now is None or now["posts"] != posts_before or lifetime <= 0:
        return
    versions = {name: now[name] for name in names}
    size = len(key) + len(body) + sum(len(name) + len(v) for name, v in versions.items())
    if not _within_quota(caller_ip, size):
        return
    cache_guard.attempt("result cache", lambda: cache.set(
        key, {"body": body, "tags": versions}, timeout=lifetime))


def _within_quota(caller_ip: str | None, size: int) -> bool:
    """Count `size` bytes against the caller's quota, then (if within it) the total."""
    window = settings.HEARTH_RESULT_CACHE_SECONDS
    if ratelimit.hit(f"result-cache:{caller_ip}", window=window, cost=size,
                     limit=settings.HEARTH_RESULT_CACHE_CALLER_BYTES) is not None:
        return False
    return ratelimit.hit("result-cache:all", window=window, cost=size,
                         limit=settings.HEARTH_RESULT_CACHE_TOTAL_BYTES) is None
