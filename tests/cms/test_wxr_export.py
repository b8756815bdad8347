"""export_wxr: a WXR 1.2 file shaped as WordPress's importer reads it, and the round trip:
import(export(x)) gives back the same posts, tags, threads and statuses."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from lxml import etree

from cms.models import Comment, OldSlug, Post, PostStatus, Tag, User
from cms.services.comments import comment_moderate
from cms.services.posts import post_archive, post_restore, post_trash, post_update
from tests.cms.wxr_blog import AUTHORS, TERMS, blog, blog_posts
from tests.conftest import make_user
from tests.support import factories
from tests.support.counts import assert_counts_exact
from tests.support.wxr import C, P, wxr
from tests.support.wxr_structure import wordpress_import_problems

NS = {"wp": "http://wordpress.org/export/1.2/",
      "content": "http://purl.org/rss/1.0/modules/content/",
      "excerpt": "http://wordpress.org/export/1.2/excerpt/",
      "dc": "http://purl.org/dc/elements/1.1/"}


def export() -> bytes:
    out = StringIO()
    call_command("export_wxr", stdout=out)
    return out.getvalue().encode()


def seconds(value):
    """WXR dates are to the second."""
    return value.replace(microsecond=0) if value else value


def snapshot() -> dict:
    """What a round trip must keep, by slug (never by database id)."""
    posts = {}
    for post in Post.objects.select_related("author").prefetch_related("tags", "old_slugs"):
        comments = list(post.comments.select_related("parent", "user").order_by("path"))
        posts[post.slug] = {
            "post": (post.title, post.excerpt, post.body, post.html, post.status,
                     post.trashed_at is not None,
                     seconds(post.published_at) if post.status != PostStatus.DRAFT else None,
                     post.comments_open, post.author.display_name, post.author.email,
                     post.comment_count, post.thread_count),
            "tags": sorted(post.tags.values_list("slug", "name")),
            "old slugs": sorted(post.old_slugs.values_list("slug", flat=True)),
            "thread": [(c.depth, c.status, c.body, c.html, c.author_name, c.author_email,
                        c.author_url, c.ip_address, c.user_agent, seconds(c.created_at),
                        c.user.display_name if c.user else None, c.reply_count,
                        c.descendant_count, c.parent.body if c.parent else None)
                       for c in comments],
        }
    return posts


def reset_database() -> None:
    """Empty every table the round trip fills, as a fresh site would be."""
    Comment.objects.update(parent=None)
    for model in (Comment, OldSlug, Post, Tag):
        model.objects.all().delete()
    from cms.models import WordPressItem
    WordPressItem.objects.all().delete()
    User.objects.all().delete()


def round_trip(tmp_path) -> str:
    data = export()
    reset_database()
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    out = StringIO()
    call_command("import_wxr", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def native_site(db):
    """A site made in Hearth: posts of every status, a renamed slug, a thread with replies,
    pending, spam and trash, a removed comment kept as a placeholder, a signed-in commenter."""
    author = make_user("writer", display_name="Wendy Writer")
    from django.contrib.auth.models import Group
    author.groups.add(Group.objects.get(name="author"))
    moderator = make_user("mod", is_superuser=True, display_name="Mo Derator")
    reader = make_user("reader", display_name="Rita Reader")
    post = factories.published_post(author, title="Round trip", tags=["Python", "Café"])
    post = post_update(actor=author, post=post, slug="round-trip-renamed",
                       body="Some *Markdown* with a ]]> and\n\n- a list", excerpt="Two\nlines")
    top = factories.comment(post, body="Top <b>level</b>", moderator=moderator)
    Comment.objects.filter(pk=top.pk).update(user_agent="Mozilla/5.0 (X11; Linux)")
    reply = factories.comment(post, parent=top, user=reader, body="A reply by an account",
                              moderator=moderator)
    factories.comment(post, parent=reply, body="Deeper", moderator=moderator)
    hidden = factories.comment(post, body="Soon spam", moderator=moderator)
    factories.comment(post, parent=hidden, body="Reply under spam", moderator=moderator)
    comment_moderate(actor=moderator, comment=hidden, status="spam")
    factories.comment(post, status="pending", moderator=moderator)
    factories.comment(post, status="trash", moderator=moderator)
    scheduled = factories.draft_post(author)
    from cms.services.posts import post_publish
    post_publish(actor=author, post=scheduled, publish_at=timezone.now() + timedelta(days=3))
    factories.draft_post(author, tags=["Python"])
    post_archive(actor=author, post=factories.published_post(author, title="Old news"))
    binned = factories.published_post(author, title="Binned")
    kept = factories.comment(binned, body="Kept", moderator=moderator)
    factories.comment(binned, parent=kept, body="Held", status="pending", moderator=moderator)
    post_trash(actor=author, post=binned)
    return post


def test_the_export_has_what_wordpress_importer_reads(native_site):
    root = etree.fromstring(export())
    channel = root.find("channel")
    assert root.tag == "rss" and root.nsmap == {
        "excerpt": NS["excerpt"], "content": NS["content"],
        "wfw": "http://wellformedweb.org/CommentAPI/", "dc": NS["dc"], "wp": NS["wp"]}
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS)
    logins = {a.findtext("wp:author_login", namespaces=NS)
              for a in channel.findall("wp:author", NS)}
    assert logins == {"writer", "reader"}
    items = channel.findall("item")
    assert sorted(i.findtext("wp:status", namespaces=NS) for i in items) == [
        "draft", "future", "private", "publish", "trash"]
    item = next(i for i in items if i.findtext("wp:post_name", namespaces=NS)
                == "round-trip-renamed")
    for field in ("post_id", "post_date", "post_date_gmt", "comment_status", "ping_status",
                  "post_name", "status", "post_parent", "menu_order", "post_type",
                  "post_password", "is_sticky"):
        assert item.find(f"wp:{field}", NS) is not None, field
    assert item.findtext("dc:creator", namespaces=NS) == "writer"
    assert "<em>Markdown</em> with a ]]&gt; and" in item.findtext("content:encoded",
                                                                  namespaces=NS)
    assert sorted((c.get("domain"), c.get("nicename"), c.text)
                  for c in item.findall("category")) == [
        ("post_tag", "cafe", "Café"), ("post_tag", "python", "Python")]
    meta = {m.findtext("wp:meta_key", namespaces=NS): m.findtext("wp:meta_value", namespaces=NS)
            for m in item.findall("wp:postmeta", NS)}
    assert meta == {"_hearth_markdown": "Some *Markdown* with a ]]> and\n\n- a list",
                    "_wp_old_slug": "round-trip"}
    comments = item.findall("wp:comment", NS)
    by_id = {c.findtext("wp:comment_id", namespaces=NS): c for c in comments}
    statuses = sorted(c.findtext("wp:comment_approved", namespaces=NS) for c in comments)
    assert statuses == ["0", "1", "1", "1", "1", "spam", "trash"]
    for comment in comments:  # every parent is in the file, before its replies
        parent = comment.findtext("wp:comment_parent", namespaces=NS)
        assert parent == "0" or list(by_id).index(parent) < list(by_id).index(
            comment.findtext("wp:comment_id", namespaces=NS))


def test_a_round_trip_gives_back_the_same_site(native_site, tmp_path):
    before = snapshot()
    line = round_trip(tmp_path)
    assert line.startswith("Imported 5 posts, 9 comments, 2 authors, 2 tags, 1 old slug;")
    assert snapshot() == before
    assert_counts_exact()


def test_a_trashed_post_is_written_as_wordpress_trashes_one(native_site):
    binned = Post.objects.get(slug="binned")
    root = etree.fromstring(export())
    item = next(i for i in root.find("channel").findall("item")
                if i.findtext("wp:post_id", namespaces=NS) == str(binned.pk))
    assert item.findtext("wp:status", namespaces=NS) == "trash"
    assert item.findtext("wp:post_name", namespaces=NS) == "binned__trashed"
    meta = {m.findtext("wp:meta_key", namespaces=NS): m.findtext("wp:meta_value", namespaces=NS)
            for m in item.findall("wp:postmeta", NS)}
    kept, held = binned.comments.order_by("pk")
    assert meta["_wp_trash_meta_status"] == "publish"
    assert meta["_wp_desired_post_slug"] == "binned"
    assert meta["_wp_trash_meta_time"] == str(int(binned.trashed_at.timestamp()))
    assert meta["_wp_trash_meta_comments_status"] == (
        f'a:2:{{i:{kept.pk};s:1:"1";i:{held.pk};s:1:"0";}}')
    assert [c.findtext("wp:comment_approved", namespaces=NS)
            for c in item.findall("wp:comment", NS)] == ["post-trashed", "post-trashed"]


def test_a_trashed_post_comes_back_trashed_and_restorable(native_site, tmp_path):
    round_trip(tmp_path)
    binned = Post.objects.get(slug="binned")
    assert binned.trashed_at is not None and not Post.objects.live().filter(pk=binned.pk)
    assert [(c.body, c.status) for c in binned.comments.order_by("path")] == [
        ("Kept", "approved"), ("Held", "pending")]
    post_restore(actor=binned.author, post=binned)
    assert Post.objects.live().filter(pk=binned.pk).exists()
    assert_counts_exact()


def test_an_imported_wordpress_blog_survives_a_round_trip(db, tmp_path):
    path = tmp_path / "blog.xml"
    path.write_bytes(blog())
    call_command("import_wxr", str(path), stdout=StringIO())
    before = snapshot()
    round_trip(tmp_path)
    assert snapshot() == before
    assert_counts_exact()


def test_export_to_a_file_and_what_xml_cannot_hold(native_site, tmp_path):
    Post.objects.filter(pk=native_site.pk).update(title="Bell\x07 and \ufffe gone")
    path = tmp_path / "out.xml"
    call_command("export_wxr", str(path))
    root = etree.parse(str(path)).getroot()
    titles = [i.findtext("title") for i in root.find("channel").findall("item")]
    assert "Bell and  gone" in titles
    assert connection.vendor in ("sqlite", "postgresql")


# What WordPress's importer needs (tests/support/wxr_structure.py) ----------------------------

def test_the_export_meets_what_wordpress_importer_requires(native_site):
    assert wordpress_import_problems(export()) == []


def test_an_imported_blog_exports_as_wordpress_importer_requires(db, tmp_path):
    """The real-shaped blog (trash, a non-Latin old slug, orphans, spam) and a thread whose
    reply WordPress dated before its parent: every reply's id ends up above its parent's."""
    items = blog_posts() + [P(30, "Clock skew", comments=[
        C(300, "Parent, dated after its reply", date_gmt="2023-05-01 12:00:00"),
        C(301, "Reply, dated before", parent=300, date_gmt="2023-05-01 11:00:00"),
        C(302, "Second reply", parent=300, date_gmt="2023-05-01 11:30:00"),
        C(303, "Older top-level", date_gmt="2023-05-01 10:00:00")])]
    path = tmp_path / "blog.xml"
    path.write_bytes(wxr(authors=AUTHORS, items=items, terms=TERMS))
    call_command("import_wxr", str(path), stdout=StringIO())
    skewed = Post.objects.get(slug="clock-skew").comments.order_by("path")
    assert [c.body for c in skewed] == ["Older top-level", "Parent, dated after its reply",
                                        "Reply, dated before", "Second reply"]
    data = export()
    assert wordpress_import_problems(data) == []
    assert b"<![CDATA[%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80]]>" in data


@pytest.mark.parametrize(("change", "problem"), [
    ((b"<rss", b"<!DOCTYPE rss>\n<rss"), "declares a DTD"),
    ((b"<wp:wxr_version>1.2<", b"<wp:wxr_version>one<"), "wxr_version"),
    ((b'domain="post_tag" nicename="python"', b'domain="post_tag"'), "nicename"),
    ((b"<wp:status><![CDATA[publish]]>", b"<wp:status><![CDATA[published]]>"),
     "the status 'published' is not WordPress's"),
    ((b"<wp:post_name><![CDATA[round-trip-renamed]]>", b"<wp:post_name>round-trip-renamed"),
     "<wp:post_name> is not written as CDATA"),
    ((b"<wp:post_id>", b"<wp:post_id>x"), "wp:post_id is not a number"),
    ((b"\t\t<wp:ping_status>", b"\t\t<wp:is_sticky>0</wp:is_sticky><wp:ping_status>"),
     "out of WordPress's order"),
])
def test_the_check_finds_what_wordpress_importer_would_trip_on(native_site, change, problem):
    data = export()
    assert change[0] in data
    problems = wordpress_import_problems(data.replace(*change, 1))
    assert any(problem in p for p in problems), problems


def test_the_check_finds_a_parent_with_a_higher_id(native_site):
    data = export()
    root = etree.fromstring(data)
    item = next(i for i in root.find("channel").findall("item")
                if i.findall("wp:comment", NS))
    comments = item.findall("wp:comment", NS)
    reply = next(c for c in comments if c.findtext("wp:comment_parent", namespaces=NS) != "0")
    parent_id = reply.findtext("wp:comment_parent", namespaces=NS)
    reply_id = reply.findtext("wp:comment_id", namespaces=NS)
    for comment in comments:  # swap the two ids: the reply now comes first in id order
        for field in ("comment_id", "comment_parent"):
            element = comment.find(f"wp:{field}", NS)
            element.text = {parent_id: reply_id, reply_id: parent_id}.get(element.text,
                                                                           element.text)
    problems = wordpress_import_problems(etree.tostring(root))
    assert any(f"parent {reply_id} is not a comment of this post with a lower id" in p
               for p in problems), problems
