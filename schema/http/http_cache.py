"""CDN caching of public reads.

An anonymous GET query that succeeds is `Cache-Control: public, max-age=0,
s-maxage=HEARTH_CDN_MAX_AGE` with an `ETag` (a 304 when `If-None-Match` matches), and names the
content it shows in `Cache-Tag` (Cloudflare, comma-separated) and `Surrogate-Key` (Fastly, space-
separated), so a CDN can purge exactly what a change touches:

- `post:<id>`           a post's own fields (title, body, status, reactions...);
- `post-comments:<id>`  a post's comments, threads and counts;
- `posts`               lists of posts, and lookups that found no post (any post change may
                        change them).

Everything else (a signed-in caller, a visitor token, a preview token, POST, errors) is
`Cache-Control: private, no-store`. Webhook events carry the tags to purge (`data.cacheTags`, see
`cms.webhooks.purge_tags`).
"""

import hashlib

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from graphql import BREAK, Visitor, visit
from strawberry.extensions import SchemaExtension

from schema.core.context import Context

PRIVATE = "private, no-store"


class CacheTags(SchemaExtension):
    """After execution, names on the Context the content the answer shows, from what the loaders
    remember (every post and comment resolvers loaded) and the fields the query asked for. No
    per-field hook, so it costs nothing while fields resolve."""

    def on_execute(self):
        yield
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        tags = set()
        posts, comment_posts = context.loaders.post_ids_shown()
        for post_id in posts:
            tags.update((f"post:{post_id}", f"post-comments:{post_id}"))
        for post_id in comment_posts:
            tags.add(f"post-comments:{post_id}")
        if not posts or lists_asked(self.execution_context):
            tags.add("posts")
        context.cache_tags = tags


class _ListFinder(Visitor):
    found = False

    def enter_field(self, node, *args):
        if node.name.value == "posts":
            self.found = True
            return BREAK
        return None


def asks_for_lists(document) -> bool:
    """Whether any field of the query (fragments included) is a `posts` list."""
    finder = _ListFinder()
    visit(document, finder)
    return finder.found


_lists_by_query: dict[bytes, bool] = {}


def lists_asked(execution_context) -> bool:
    """`asks_for_lists` of the request's document, remembered per query text (by its hash, so
    the memo holds at most 1,000 x ~100 bytes whatever the queries' size)."""
    query, document = execution_context.query, execution_context.graphql_document
    if document is None:
        return False
    digest = hashlib.sha256((query or "").encode("utf-8", "surrogatepass")).digest()
    if digest in _lists_by_query:
        return _lists_by_query[digest]
    found = asks_for_lists(document)
    if len(_lists_by_query) < 1000:
        _lists_by_query[digest] = found
    return found


# What an answer of /graphql/ may depend on besides the URL: its media type (Accept), the
# caller's credentials, the session cookie or token (a signed-in session is private).
CALLER_HEADERS = ("Accept", "Authorization", "Cookie", "X-Session-Token", "X-Visitor-Token")


def finish(request, response, *, public: bool, tags=(), vary=CALLER_HEADERS):
    """Give a response its caching headers: `public` (the view decides: an anonymous GET query
    answered without errors, a feed) is cacheable by CDNs under `tags`, with an ETag of its
    media type and body (and its Last-Modified, if set) answering conditional requests with a
    304; anything else is private."""
    # Every answer, served from the result cache or not, names all it may depend on.
    if vary:
        patch_vary_headers(response, vary)
    if not public:
        response["Cache-Control"] = PRIVATE
        return response
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.HEARTH_CDN_MAX_AGE}"
    digest = hashlib.sha256(response["Content-Type"].encode() + b"\n" + response.content)
    response["ETag"] = '"' + digest.hexdigest()[:40] + '"'
    tags = sorted(tags)
    if tags:
        response["Cache-Tag"] = ",".join(tags)
        response["Surrogate-Key"] = " ".join(tags)
    modified = response.get("Last-Modified")
    not_modified = get_conditional_response(
        request, etag=response["ETag"], response=response,
        last_modified=parse_http_date_safe(modified) if modified else None)
    if not_modified is not response:
        for header in ("Cache-Tag", "Surrogate-Key", "Last-Modified"):
            if header in response:
                not_modified[header] = response[header]
    return not_modified
