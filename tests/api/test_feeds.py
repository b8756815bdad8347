"""The Atom feeds: what they show (only what an anonymous reader may see), that a feed parser
reads them cleanly, and their caching like public GraphQL reads."""

from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import CommentStatus, Role
from cms.services.comments import comment_moderate
from cms.services.posts import post_archive, post_create, post_publish, post_unpublish
from tests.conftest import make_user
from tests.support.factories import comment, draft_post, published_post
from tests.support.redis_servers import RedisServer


@pytest.fixture
def site(db, settings):
    settings.HEARTH_POST_URL = "https://blog.example/posts/{slug}"
    settings.HEARTH_SITE_URL = "https://blog.example/"
    editor = make_user("editor", Role.EDITOR, display_name="Eddie Editor")
    author = make_user("author", Role.AUTHOR, display_name="Ann Author")
    post = published_post(author, title="Bread & butter", excerpt="On bread.")
    scheduled = post_create(actor=author, title="Tomorrow's post", body="Soon.")
    post_publish(actor=author, post=scheduled, publish_at=timezone.now() + timedelta(days=1))
    archived = post_archive(actor=editor, post=published_post(author, title="Old news"))
    draft = draft_post(author)
    approved = comment(post, body="Lovely <b>crumb</b> here.", moderator=editor)
    reply = comment(post, parent=approved, user=editor, body="Thanks!")
    pending = comment(post, body="Awaiting a decision.", status=CommentStatus.PENDING,
                      moderator=editor)
    spam = comment(post, body="Buy cheap watches.", status=CommentStatus.SPAM,
                   moderator=editor)
    trash = comment(post, body="Rude words.", status=CommentStatus.TRASH, moderator=editor)
    return {"editor": editor, "author": author, "post": post, "scheduled": scheduled,
            "archived": archived, "draft": draft, "approved": approved, "reply": reply,
            "pending": pending, "spam": spam, "trash": trash}


def fetch(path: str, **headers):
    response = Client().get(path, headers=headers)
    return response


def parsed(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_the_posts_feed_lists_published_posts_only(site):
    feed = parsed(fetch("/feeds/posts/"))
    assert [entry.title for entry in feed.entries] == ["Bread & butter"]
    entry = feed.entries[0]
    post = site["post"]
    assert entry.link == f"https://blog.example/posts/{post.slug}"
    assert entry.author == "Ann Author"
    assert entry.summary == "On bread."
    assert entry.content[0].type == "text/html"
    assert entry.content[0].value == post.html.strip()
    assert entry.published_parsed is not None and entry.updated_parsed is not None
    assert feed.feed.link == "https://blog.example/"
    assert any(link.rel == "self" and link.href.endswith("/feeds/posts/")
               for link in feed.feed.links)


def test_the_comments_feed_lists_approved_comments_without_private_fields(site):
    post = site["post"]
    response = fetch(f"/feeds/posts/{post.slug}/comments/")
    feed = parsed(response)
    assert feed.feed.title == "Comments on Bread & butter"
    by_link = {entry.link: entry for entry in feed.entries}
    approved, reply = site["approved"], site["reply"]
    assert set(by_link) == {f"https://blog.example/posts/{post.slug}#comment-{c.pk}"
                            for c in (approved, reply)}
    first = by_link[f"https://blog.example/posts/{post.slug}#comment-{approved.pk}"]
    assert first.author == approved.author_name
    assert first.content[0].value == approved.html.strip()
    assert "<b>" not in first.content[0].value  # the sanitized rendering, not the source
    assert by_link[f"https://blog.example/posts/{post.slug}#comment-{reply.pk}"].author == (
        "Eddie Editor")
    body = response.content.decode()
    for hidden in ("pending", "spam", "trash"):
        assert site[hidden].body not in body
    for private in ("@example", "203.0.113.9"):
        assert private not in body


@pytest.mark.parametrize("which", ["scheduled", "archived", "draft"])
def test_unpublished_posts_have_no_comments_feed(site, which):
    assert fetch(f"/feeds/posts/{site[which].slug}/comments/").status_code == 404
    assert fetch("/feeds/posts/no-such-post/comments/").status_code == 404


def test_feeds_are_publicly_cacheable_and_answer_conditional_requests(site, settings):
    settings.HEARTH_CDN_MAX_AGE = 120
    post = site["post"]
    for path, tags in (("/feeds/posts/", "posts"),
                       (f"/feeds/posts/{post.slug}/comments/",
                        f"post-comments:{post.pk},post:{post.pk}")):
        first = fetch(path)
        assert first["Cache-Control"] == "public, max-age=0, s-maxage=120"
        assert first["Cache-Tag"] == tags
        assert first["ETag"] and first["Last-Modified"]
        assert "Cookie" not in first.get("Vary", "")
        again = fetch(path, **{"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again["Cache-Tag"] == tags
        since = fetch(path, **{"If-Modified-Since": first["Last-Modified"]})
        assert since.status_code == 304


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def result_cache_on(settings, redis_server):
    redis_server.client.flushall()
    settings.CACHES = {"default": redis_server.cache_settings(),
                       "ratelimit": redis_server.cache_settings(KEY_PREFIX="ratelimit")}
    settings.HEARTH_RESULT_CACHE_SECONDS = 300


def test_a_cached_feed_runs_no_sql_and_a_write_refreshes_it(
        site, result_cache_on, django_capture_on_commit_callbacks):
    post, pending = site["post"], site["pending"]
    path = f"/feeds/posts/{post.slug}/comments/"
    first = fetch(path)
    with CaptureQueriesContext(connection) as queries:
        again = fetch(path)
    assert len(queries) == 0
    assert again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Tag"] == first["Cache-Tag"]
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(actor=site["editor"], comment=pending, status=CommentStatus.APPROVED)
    assert pending.body in fetch(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post_unpublish(actor=site["editor"], post=post)
    assert fetch(path).status_code == 404
    assert "Bread" not in fetch("/feeds/posts/").content.decode()
