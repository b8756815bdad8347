"""CDN caching of public reads.

An anonymous GET query that succeeds is `Cache-Control: public, max-age=0,
s-maxage=HEARTH_CDN_MAX_AGE` with an `ETag` (a 304 when `If-None-Match` matches), and names the
content it shows in `Cache-Tag` (Cloudflare, comma-separated) and `Surrogate-Key` (Fastly, space-
separated), so a CDN can purge exactly what a change touches:

- `post:<id>`           a post's own fields (title, body, status, reactions...);
- `post-comments:<id>`  a post's comments, threads and counts;
- `posts`               lists of posts, and lookups that found nothing (a publish may change them).

Everything else (a signed-in caller, a visitor token, a preview token, POST, errors) is
`Cache-Control: private, no-store`. Webhook events carry the tags to purge (`data.cacheTags`, see
`cms.webhooks.purge_tags`).
"""

import hashlib

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_vary_headers
from strawberry.extensions import SchemaExtension

from cms import models

PRIVATE = "private, no-store"
COMMENT_FIELDS = {"thread", "comments", "commentCount"}


def _tags(request) -> set[str]:
    tags = getattr(request, "hearth_cache_tags", None)
    if tags is None:
        tags = request.hearth_cache_tags = set()
    return tags


class CacheTags(SchemaExtension):
    """Collects, as fields resolve, the cache tags of the content a response shows."""

    def resolve(self, _next, root, info, *args, **kwargs):
        result = _next(root, info, *args, **kwargs)
        request = getattr(info.context, "request", None)
        if request is None:
            return result
        name = info.field_name
        if isinstance(root, models.Post):
            _tags(request).add(f"post:{root.pk}")
            if name in COMMENT_FIELDS:
                _tags(request).add(f"post-comments:{root.pk}")
        elif isinstance(root, models.Comment):
            _tags(request).add(f"post-comments:{root.post_id}")
        if name == "posts" or (result is None and name in {"post", "node", "comment"}):
            _tags(request).add("posts")
        return result


def _is_public(request, response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and getattr(request, "hearth_user", "unknown") is None
        and not request.headers.get("Authorization")
        and not request.headers.get("X-Visitor-Token")
        and not getattr(request, "hearth_private", False)
        and b'"errors":' not in response.content
    )


def finish(request, response):
    """Give a GraphQL JSON response its caching headers (the playground's HTML is left alone)."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    patch_vary_headers(response, ["Authorization", "X-Visitor-Token"])
    if not _is_public(request, response):
        response["Cache-Control"] = PRIVATE
        return response
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.HEARTH_CDN_MAX_AGE}"
    response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    tags = sorted(getattr(request, "hearth_cache_tags", ()))
    if tags:
        response["Cache-Tag"] = ",".join(tags)
        response["Surrogate-Key"] = " ".join(tags)
    not_modified = get_conditional_response(request, etag=response["ETag"], response=response)
    if not_modified is not response:
        for header in ("Cache-Tag", "Surrogate-Key"):
            if header in response:
                not_modified[header] = response[header]
    return not_modified


def cached(view):
    """Wrap the GraphQL view so every response it gives gets its caching headers."""

    def wrapped(request, *args, **kwargs):
        return finish(request, view(request, *args, **kwargs))

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped

