"""Automatic persisted queries, as Apollo clients speak them (also over GET, so a long query
travels as a short, cacheable URL).

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; if the
hash is unknown it gets the error `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND) and
sends the hash again with the query, which registers it once the hash checks out. Queries are kept
in Django's cache (locmem per process, or Redis shared by all).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from strawberry.http import GraphQLRequestData

from schema.auth import Refused

CACHE_PREFIX = "hearth:apq:"


def _key(sha256: str) -> str:
    return CACHE_PREFIX + sha256


def requested(request) -> bool:
    """Whether a GET carries `extensions` (a persisted query): then it is an operation, never a
    browser asking for the playground, whatever its Accept header."""
    return "extensions" in request.query_params


def resolve(data: GraphQLRequestData) -> GraphQLRequestData:
    """Fill in the query of a persisted-query request, or register it; other requests pass."""
    persisted = (data.extensions or {}).get("persistedQuery")
    if persisted is None:
        return data
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refused(400, "Only version 1 of persisted queries is supported.",
                      "PERSISTED_QUERY_NOT_SUPPORTED")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise Refused(400, "`sha256Hash` must be a SHA-256 in hex.", "BAD_REQUEST")
    sha256 = sha256.lower()
    if data.query is None:
        query = cache.get(_key(sha256))
        if query is None:
            raise Refused(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        data.query = query
        return data
    if hashlib.sha256(data.query.encode()).hexdigest() != sha256:
        raise Refused(400, "The provided sha256Hash does not match the query.",
                      "PERSISTED_QUERY_HASH_MISMATCH")
    if len(data.query) <= settings.HEARTH_MAX_CACHED_QUERY_CHARS:
        cache.set(_key(sha256), data.query, timeout=settings.HEARTH_PERSISTED_QUERY_SECONDS)
    return data
