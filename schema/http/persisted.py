"""Automatic persisted queries, as Apollo clients speak them (also over GET, so a long query
travels as a short, cacheable URL).

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; if the
hash is unknown it gets the error `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND) and
sends the hash again with the query, which registers it once the hash checks out and the query
was parsed, validated and executed. Queries are kept in Django's cache (locmem per process, or
Redis shared by all) for HEARTH_PERSISTED_QUERY_SECONDS.

What callers can make it store is bounded: queries up to HEARTH_MAX_CACHED_QUERY_CHARS, at most
HEARTH_PERSISTED_QUERY_CALLER_BYTES per client IP and HEARTH_PERSISTED_QUERY_TOTAL_BYTES in all
per HEARTH_PERSISTED_QUERY_SECONDS (entries live no longer, so at most twice that is ever
stored). Over a quota the query still runs; it is just not registered. A cache that is down or
full registers nothing and knows no hash: clients send their queries in full.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from strawberry.http import GraphQLRequestData

from cms import cache_guard, ratelimit
from schema.http.auth import Refused

CACHE_PREFIX = "hearth:apq:"


def _key(sha256: str) -> str:
    return CACHE_PREFIX + sha256


def requested(request) -> bool:
    """Whether a GET carries `extensions` (a persisted query): then it is an operation, never a
    browser asking for the playground, whatever its Accept header."""
    return "extensions" in request.query_params


def resolve(data: GraphQLRequestData) -> tuple[GraphQLRequestData, tuple[str, str] | None]:
    """Fill in the query of a persisted-query request; other requests pass. A request sending
    its query with its hash also gets back the (hash, query) to `register` once it ran."""
    persisted = (data.extensions or {}).get("persistedQuery")
    if persisted is None:
        return data, None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refused(400, "Only version 1 of persisted queries is supported.",
                      "PERSISTED_QUERY_NOT_SUPPORTED")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise Refused(400, "`sha256Hash` must be a SHA-256 in hex.", "BAD_REQUEST")
    sha256 = sha256.lower()
    if data.query is None:
        query = cache_guard.attempt("persisted queries", lambda: cache.get(_key(sha256)))
        if query is None:
            raise Refused(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        data.query = query
        return data, None
    if hashlib.sha256(data.query.encode()).hexdigest() != sha256:
        raise Refused(400, "The provided sha256Hash does not match the query.",
                      "PERSISTED_QUERY_HASH_MISMATCH")
    if len(data.query) > settings.HEARTH_MAX_CACHED_QUERY_CHARS:
        return data, None
    return data, (sha256, data.query)


def register(sha256: str, query: str, *, caller_ip: str | None) -> None:
    """Keep a query `resolve` returned, if the caller and everyone together are within their
    quotas. Call it only once the query was executed (it parsed and validated)."""
    size = len(_key(sha256)) + len(query.encode())
    window = settings.HEARTH_PERSISTED_QUERY_SECONDS
    if ratelimit.hit(f"persisted:{caller_ip}", window=window, cost=size,
                     limit=settings.HEARTH_PERSISTED_QUERY_CALLER_BYTES) is not None:
        return
    if ratelimit.hit("persisted:all", window=window, cost=size,
                     limit=settings.HEARTH_PERSISTED_QUERY_TOTAL_BYTES) is not None:
        return
    cache_guard.attempt("persisted queries", lambda: cache.set(_key(sha256), query,
                                                               timeout=window))
