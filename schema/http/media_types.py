"""Which media type a GraphQL answer is sent in, negotiated from the request's Accept header
(HTTP content negotiation with q-values) as the GraphQL-over-HTTP specification asks."""

from functools import lru_cache

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
OFFERED = (GRAPHQL_RESPONSE, JSON)
CACHED_HEADER_CHARS = 200  # longer headers are negotiated each time, never remembered


def negotiate(accept: str) -> str | None:
    """The media type to answer in, or None when the client accepts neither (a 406)."""
    if len(accept) <= CACHED_HEADER_CHARS:
        return _remembered(accept)
    return _negotiate(accept)


@lru_cache(maxsize=256)
def _remembered(accept: str) -> str | None:
    return _negotiate(accept)


def _negotiate(accept: str) -> str | None:
    """application/json without an Accept header (the legacy default, unchanged). Otherwise each
    offered type takes the q of the most specific range that matches it (`type/subtype`, then
    `type/*`, then `*/*`; a range naming a charset other than UTF-8 matches nothing), and the
    highest q wins; at equal q an exact range beats a wildcard, then the range listed first,
    and a wildcard alone picks application/json."""
    if not accept.strip():
        return JSON
    ranges = [_media_range(part) for part in accept.split(",")]
    best, best_key = None, None
    for offered in OFFERED:
        kind = offered.split("/")[0] + "/*"
        matches = [(specificity, q, position)
                   for position, (name, q, utf8) in enumerate(ranges) if utf8
                   for specificity, pattern in ((2, offered), (1, kind), (0, "*/*"))
                   if name == pattern]
        if not matches:
            continue
        specificity, q, position = max(matches, key=lambda match: (match[0], -match[2]))
        key = (q, specificity, -position, offered == JSON)
        if q > 0 and (best_key is None or key > best_key):
            best, best_key = offered, key
    return best


def _media_range(part: str) -> tuple[str, float, bool]:
    """One range of an Accept header: its media type, its q (1 unless given; 0 if unreadable)
    and whether it allows UTF-8."""
    name, *parameters = part.split(";")
    q, utf8 = 1.0, True
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        key, value = key.strip().lower(), value.strip().strip('"').lower()
        if key == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
        elif key == "charset" and value not in ("utf-8", "utf8"):
            utf8 = False
    return name.strip().lower(), q, utf8
