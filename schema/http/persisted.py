"""Documents a request names instead of sending: trusted documents by `documentId`, and
automatic persisted queries as Apollo clients speak them (also over GET, so a long query
travels as a short, cacheable URL).

Trusted documents are the site's own, loaded ahead of time (`manage.py load_trusted_documents`
with graphql-codegen's persisted-documents.json; cms/models/trusted_documents.py). A request
sends `documentId` (`sha256:<hex>`, or the bare hex) in its JSON body or GET parameters, as the
GraphQL-over-HTTP spec's persisted documents appendix describes; an Apollo-style
`persistedQuery` hash finds them too. With HEARTH_TRUSTED_DOCUMENTS_ONLY they are the only
documents that run: a request carrying its own document text is refused (403,
TRUSTED_DOCUMENTS_ONLY) and nothing is registered. Each process remembers the documents it
looked up for TRUSTED_LOOKUP_SECONDS (so one removed by `--replace` stops running within that
time), within a share of HEARTH_DOCUMENT_CACHE_BYTES.

Automatic persisted queries: a client sends `extensions.persistedQuery = {version: 1,
sha256Hash}` without the query; if the hash is unknown it gets the error
`PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND) and sends the hash again with the
query, which registers it once the hash checks out and the query was parsed, validated and
executed. Queries are kept in Django's cache (locmem per process, or Redis shared by all) for
HEARTH_PERSISTED_QUERY_SECONDS.

What callers can make it store is bounded: queries up to HEARTH_MAX_CACHED_QUERY_CHARS, at most
HEARTH_PERSISTED_QUERY_CALLER_BYTES per client IP and HEARTH_PERSISTED_QUERY_TOTAL_BYTES in all
per HEARTH_PERSISTED_QUERY_SECONDS (entries live no longer, so at most twice that is ever
stored). Over a quota the query still runs; it is just not registered. A cache that is down or
full registers nothing and knows no hash: clients send their queries in full.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from strawberry.http import GraphQLRequestData

from cms import cache_guard, ratelimit
from cms.models.trusted_documents import document_id_of
from cms.selectors.trusted_documents import trusted_document_body
from schema.core.document_cache import ByteBoundedLRU
from schema.http.auth import Refused

CACHE_PREFIX = "hearth:apq:"
TRUSTED_LOOKUP_SECONDS = 60
TRUSTED_ONLY = ("Only trusted documents run here (HEARTH_TRUSTED_DOCUMENTS_ONLY): send the "
                "`documentId` of a document in the site's persisted-documents.json instead of "
                "its text.")


def _key(sha256: str) -> str:
    return CACHE_PREFIX + sha256


def requested(request) -> bool:
    """Whether a GET names a document (a trusted document or a persisted query): then it is an
    operation, never a browser asking for the playground, whatever its Accept header."""
    return "extensions" in request.query_params or "documentId" in request.query_params


def not_found(message: str = "PersistedQueryNotFound") -> Refused:
    # 200 for application/json (Apollo clients then send the query); a response without `data`
    # in application/graphql-response+json must be a 4xx.
    return Refused(200, message, "PERSISTED_QUERY_NOT_FOUND", graphql_response_status=404)


_trusted = ByteBoundedLRU(lambda: settings.HEARTH_DOCUMENT_CACHE_BYTES // 8)


def trusted_document(document_id: str) -> str | None:
    """The text of a trusted document, by `sha256:<hex>` or bare hex id."""
    document_id = document_id_of(document_id)
    if document_id is None:
        return None
    remembered = _trusted.get(document_id)
    if remembered is not None and remembered[1] > time.monotonic():
        return remembered[0]
    body = trusted_document_body(document_id=document_id)
    if body is not None:
        _trusted.put(document_id, (body, time.monotonic() + TRUSTED_LOOKUP_SECONDS),
                     200 + 4 * len(body))
    return body


def resolve(data: GraphQLRequestData, document_id=None,
            ) -> tuple[GraphQLRequestData, tuple[str, str] | None]:
    """Fill in the document a request names (by `documentId` or a persisted-query hash); refuse
    a document sent as text when only trusted ones may run. A request sending its query with
    its hash also gets back the (hash, query) to `register` once it ran."""
    trusted_only = settings.HEARTH_TRUSTED_DOCUMENTS_ONLY
    if document_id is not None:
        if not isinstance(document_id, str):
            raise Refused(400, "`documentId` must be a string.", "BAD_REQUEST")
        if data.query is not None:
            raise Refused(400, "Send either `documentId` or `query`, not both.", "BAD_REQUEST")
        data.query = trusted_document(document_id)
        if data.query is None:
            raise not_found(f"No trusted document has the id {document_id[:80]!r}.")
        return data, None
    if trusted_only and data.query is not None:
        raise Refused(403, TRUSTED_ONLY, "TRUSTED_DOCUMENTS_ONLY")
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
        query = None
        if not trusted_only:
            query = cache_guard.attempt("persisted queries", lambda: cache.get(_key(sha256)))
        if query is None:
            query = trusted_document(sha256)
        if query is None:
            raise not_found()
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
