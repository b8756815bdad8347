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
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from strawberry.extensions import SchemaExtension

from cms import cache_guard, content_versions, ratelimit
from cms.models import Post
from cms.models.posts import is_scheduled
from schema.auth import client_ip

PREFIX = "hearth:result:"


def enabled() -> bool:
    return settings.HEARTH_RESULT_CACHE_SECONDS > 0 and not isinstance(
        caches["default"], LocMemCache | DummyCache)


def _cache_key(request) -> str | None:
    if request.method == "GET":
        raw = "GET?" + "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))
        return PREFIX + hashlib.sha256(raw.encode()).hexdigest()
    if request.method == "POST" and request.content_type == "application/json":
        return PREFIX + hashlib.sha256(b"POST" + request.body).hexdigest()
    return None


def _is_anonymous(request) -> bool:
    """No token, no visitor, no session: nothing the answer could depend on."""
    return not (request.headers.get("Authorization") or request.headers.get("X-Visitor-Token")
                or request.COOKIES.get(settings.SESSION_COOKIE_NAME))


def _lifetime() -> int:
    """Seconds an entry may live: the setting, or less if a scheduled post goes live sooner."""
    seconds = settings.HEARTH_RESULT_CACHE_SECONDS
    now = timezone.now()
    upcoming = (Post.objects.filter(is_scheduled(now))
                .aggregate(next=Min("published_at"))["next"])
    if upcoming is not None:
        seconds = min(seconds, int((upcoming - now) / timedelta(seconds=1)))
    return seconds


class MarkQueries(SchemaExtension):
    """Tells the view which requests were executed (parsed and validated without errors, see
    schema/persisted.py) and which of them ran a query (only those may be stored)."""

    def on_execute(self):
        yield
        request = getattr(self.execution_context.context, "request", None)
        operation_type = getattr(self.execution_context, "operation_type", None)
        if request is not None and operation_type is not None:
            request.hearth_executed = True
            request.hearth_ran_query = operation_type.value == "query"


def served_from_cache(view):
    def wrapped(request, *args, **kwargs):
        if not enabled() or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        try:
            key = _cache_key(request)
        except Exception:  # noqa: BLE001 - an unreadable body is the view's to refuse
            key = None
        if key is None:
            return view(request, *args, **kwargs)
        entry = cache_guard.attempt("result cache", lambda: cache.get(key))
        if entry is not None and content_versions.versions(entry["tags"]) == entry["tags"]:
            response = HttpResponse(entry["body"], content_type="application/json")
            request.hearth_cache_tags = set(entry["tags"])
            request.hearth_user = None
            return response
        # Every write bumps `posts`: if it moved while the query ran, a write may have landed
        # half-way through what the query read, and the result is not stored.
        before = content_versions.versions(["posts"])
        response = view(request, *args, **kwargs)
        if before is not None and _storable(request, response):
            _store(request, key, response.content, before["posts"])
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and getattr(request, "hearth_ran_query", False)
        and getattr(request, "hearth_user", "unknown") is None
        and not getattr(request, "hearth_private", False)
        and response.get("Content-Type", "").startswith("application/json")
        and b'"errors":' not in response.content
        and len(response.content) <= settings.HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES
    )


def _store(request, key: str, body: bytes, posts_before: str) -> None:
    names = sorted(getattr(request, "hearth_cache_tags", ()) or ("posts",))
    now = content_versions.versions([*names, "posts"])
    lifetime = _lifetime()
    if now is None or now["posts"] != posts_before or lifetime <= 0:
        return
    tags = {name: now[name] for name in names}
    size = len(key) + len(body) + sum(len(name) + len(version) for name, version in tags.items())
    if not _within_quota(request, size):
        return
    cache_guard.attempt("result cache", lambda: cache.set(
        key, {"body": body, "tags": tags}, timeout=lifetime))


def _within_quota(request, size: int) -> bool:
    """Count `size` bytes against the caller's quota, then (if within it) the total."""
    window = settings.HEARTH_RESULT_CACHE_SECONDS
    if ratelimit.hit(f"result-cache:{client_ip(request)}", window=window, cost=size,
                     limit=settings.HEARTH_RESULT_CACHE_CALLER_BYTES) is not None:
        return False
    return ratelimit.hit("result-cache:all", window=window, cost=size,
                         limit=settings.HEARTH_RESULT_CACHE_TOTAL_BYTES) is None
