"""Atom feeds of the published posts and of a post's approved comments (Django's syndication
framework), read through cms's selectors as an anonymous reader: drafts, scheduled posts,
pending, spam and trashed comments never appear, and a commenter's e-mail and IP address are not
even loaded.

Cached like anonymous GraphQL reads (schema/http): public with `s-maxage`, an `ETag` and
`Last-Modified` (a 304 when they match), `Cache-Tag`/`Surrogate-Key` naming what the feed shows,
and with Redis the rendered feed is kept in the result cache until a write bumps one of its tags
(cms/content_versions.py)."""

import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date

from cms.policies import ANONYMOUS
from cms.selectors.comments import latest_approved_comments
from cms.selectors.posts import latest_posts, post_get
from schema.http import http_cache, result_cache
from schema.http.auth import client_ip

ITEMS = 50
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


class AtomWithContent(Atom1Feed):
    """Atom with each entry's full text as `<content type="html">` (sanitized HTML)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def post_url(post) -> str:
    return settings.HEARTH_POST_URL.format(slug=post.slug, id=post.pk)


class PostsFeed(Feed):
    feed_type = AtomWithContent
    cache_tags = {"posts"}  # what the feed shows, as schema/http/http_cache.py names it
    title = "Posts"
    subtitle = "The newest published posts."

    def link(self):
        return settings.HEARTH_SITE_URL

    def items(self):
        return latest_posts(limit=ITEMS)

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.excerpt or None

    def item_extra_kwargs(self, post):
        return {"content": post.html}

    def item_link(self, post):
        return post_url(post)

    def item_author_name(self, post):
        return str(post.author)

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return max(post.updated_at, post.published_at)


class CommentsFeed(Feed):
    feed_type = AtomWithContent

    def get_object(self, request, slug):
        post = post_get(reader=ANONYMOUS, slug=slug, with_author=True)
        if post is None:
            raise Http404("No published post has this slug.")
        return post

    def title(self, post):
        return f"Comments on {post.title}"

    def link(self, post):
        return post_url(post)

    def items(self, post):
        return latest_approved_comments(post_id=post.pk, limit=ITEMS)

    def item_title(self, comment):
        return f"{comment.display_name or 'Someone'} on {self.post_title}"

    def get_feed(self, post, request):
        self.post_title, self.post_link = post.title, post_url(post)
        self.cache_tags = {f"post:{post.pk}", f"post-comments:{post.pk}"}
        return super().get_feed(post, request)

    def item_description(self, comment):
        return None

    def item_extra_kwargs(self, comment):
        return {"content": comment.html}

    def item_link(self, comment):
        return f"{self.post_link}#comment-{comment.pk}"

    def item_author_name(self, comment):
        return comment.display_name or "Someone"

    def item_author_link(self, comment):
        return comment.author_url or None

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at


def posts_feed(request):
    return cached(request, PostsFeed())


def comments_feed(request, slug: str):
    return cached(request, CommentsFeed(), slug=slug)


UPDATED = re.compile(rb"<updated>([^<]+)</updated>")


def cached(request, feed: Feed, **kwargs):
    """The feed from the result cache (by its URL), or rendered and stored under the tags of
    what it shows; either way with public caching headers."""
    key = None
    if result_cache.enabled():
        where = f"{request.scheme}://{request.get_host()}{request.path}"
        key = result_cache.PREFIX + "feed:" + hashlib.sha256(where.encode()).hexdigest()
        entry = result_cache.fresh(key)
        if entry is not None:
            return finish(request, entry.body, set(entry.tags))
    posts_before = result_cache.posts_version() if key is not None else None
    body = feed(request, **kwargs).content
    if posts_before is not None:
        result_cache.store(key, body, tags=feed.cache_tags, posts_before=posts_before,
                           caller_ip=client_ip(request))
    return finish(request, body, feed.cache_tags)


def finish(request, body: bytes, tags: set[str]):
    """The feed's response; its Last-Modified is the feed's own `<updated>` (the newest entry's
    date), so a cached body and a fresh one answer alike."""
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    found = UPDATED.search(body)
    if found:
        updated = datetime.fromisoformat(found.group(1).decode())
        response["Last-Modified"] = http_date(updated.timestamp())
    return http_cache.finish(request, response, public=True, tags=tags, vary=())
