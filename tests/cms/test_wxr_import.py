"""import_wxr: a real-shaped WordPress export (tests/cms/wxr_blog.py) with every case of issue
15, imported through the command; a second run, a dry run, and hostile files."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.models import Comment, CommentStatus, OldSlug, Post, PostStatus, Role, Tag, User
from tests.cms.wxr_blog import blog, blog_posts
from tests.support.counts import assert_counts_exact
from tests.support.wxr import A, C, P, wxr


def import_file(path, *args) -> str:
    out = StringIO()
    call_command("import_wxr", str(path), *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def blog_file(tmp_path):
    path = tmp_path / "blog.xml"
    path.write_bytes(blog())
    return path


@pytest.fixture
def imported(db, blog_file):
    return import_file(blog_file)


def every_row() -> dict[str, list[dict]]:
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in apps.get_models()}


def post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


def thread(slug: str) -> list[tuple[int, str, str]]:
    """(depth, status, body) of a post's comments in thread order."""
    return [(c.depth, c.status, c.body) for c in post(slug).comments.order_by("path")]


def test_the_summary_line_counts_what_was_imported_and_skipped(imported):
    assert imported == (
        "Imported 9 posts, 12 comments, 3 authors, 4 tags, 2 old slugs; skipped 2 pingbacks "
        "and trackbacks, 1 page, 1 comment of a skipped item, 1 attachment, 1 other item; "
        "1 reply to comments not in the file (spam WordPress leaves out) made top-level.")


def test_authors_become_users_without_password_with_a_public_slug_never_the_login(imported):
    alice, bob, carol = User.objects.order_by("pk")
    assert [u.username for u in (alice, bob, carol)] == ["alice", "bob", "carol.admin"]
    assert [u.display_name for u in (alice, bob, carol)] == [
        "Alice Liddell", "Bob Builder", "Member"]  # a display name that is the login is not kept
    assert [u.slug for u in (alice, bob, carol)] == ["alice-liddell", "bob-builder", "member"]
    assert alice.email == "alice@example.com" and carol.email == ""
    for user in (alice, bob, carol):
        assert not user.has_usable_password()
        assert user.role == Role.AUTHOR and not user.is_staff


def test_an_author_whose_email_has_an_account_joins_it(db, blog_file):
    existing = User.objects.create_user("alice-h", email="ALICE@example.com", password="x")
    import_file(blog_file)
    assert post("hello-world").author == existing
    assert existing.role is None  # its role stays as it was
    assert User.objects.filter(username="alice").count() == 0


def test_categories_and_tags_become_tags(imported):
    assert sorted(Tag.objects.values_list("slug", "name")) == [
        ("news", "News"), ("novosti", "Новости"), ("python", "Python"), ("q-a", "Q&A")]
    assert sorted(post("hello-world").tags.values_list("slug", flat=True)) == ["news", "python"]
    assert sorted(post("privet-mir").tags.values_list("slug", flat=True)) == ["novosti", "q-a"]


def test_post_statuses_dates_and_slugs(imported):
    def summary(slug):
        p = post(slug)
        return p.status, p.public_status, p.published_at, p.author.username

    feb = datetime(2023, 2, 1, 9, 30, tzinfo=UTC)
    assert summary("hello-world") == (PostStatus.PUBLISHED, "PUBLISHED", feb, "alice")
    assert summary("coming-soon") == (PostStatus.PUBLISHED, "SCHEDULED",
                                      datetime(2099, 1, 1, 12, tzinfo=UTC), "alice")
    assert summary("a-draft") == (PostStatus.DRAFT, "DRAFT", None, "alice")
    assert summary("waiting-for-review") == (PostStatus.DRAFT, "DRAFT", None, "bob")
    assert summary("members-only") == (PostStatus.ARCHIVED, "ARCHIVED", feb, "carol.admin")
    assert summary("gone") == (PostStatus.ARCHIVED, "ARCHIVED", feb, "alice")
    # Hearth has no post passwords: a protected post is kept from the public.
    assert summary("password-protected") == (PostStatus.ARCHIVED, "ARCHIVED", feb, "alice")
    # A draft's GMT date is 0000-00-00: its local date is the best there is.
    assert post("a-draft").created_at == datetime(2023, 1, 5, 14, tzinfo=UTC)
    assert post("closed-for-comments").comments_open is False
    assert post("hello-world").comments_open is True


def test_an_imported_post_starts_its_revisions(imported):
    first = post("hello-world").revisions.get()
    assert (first.number, first.title, first.created_by, first.note) == (
        1, post("hello-world").title, None, "Imported from WordPress.")
    assert first.tags == sorted(post("hello-world").tags.values_list("name", flat=True))


def test_old_permalinks_are_kept_as_old_slugs(imported):
    assert dict(OldSlug.objects.values_list("slug", "post__slug")) == {
        "hello-old": "hello-world",       # _wp_old_slug
        "привет-мир": "privet-mir",       # the percent-encoded permalink, decoded
    }


def test_bodies_are_markdown_sanitized_with_shortcodes_readable(imported):
    hello = post("hello-world")
    for gone in ("script", "owned", "iframe", "evil.example", "javascript", "onclick",
                 "wp:paragraph", "<!--", "more"):
        assert gone not in hello.body and gone not in hello.html, gone
    assert "**my blog**" in hello.body
    assert '[gallery ids="4,5,6"]' in hello.body
    assert "[gallery ids=&quot;4,5,6&quot;]" in hello.html
    assert "a]]>b" in hello.body  # a "]]>" split across two CDATA sections
    assert "A classic paragraph\\\nwith a line break" in hello.body
    assert "<pre><code>def hello():\n    return 1\n</code></pre>" in hello.html
    assert '<a href="https://example.org/" rel="noopener">a real link</a>' in hello.html
    # The teaser before <!--more--> is the excerpt when WordPress has none; its own is text.
    assert hello.excerpt == "Welcome to my blog. Click and a real link."
    assert post("closed-for-comments").excerpt == "A short summary & more."


def test_threads_keep_their_order_statuses_and_orphans(imported):
    assert thread("hello-world") == [
        (0, "approved", "First of all!"),
        (0, "approved", "Great post."),
        (1, "approved", "Agreed, see [this](https://ref.example/)."),
        (2, "approved", "Deeper reply."),
        (1, "approved", "Thanks, says the author."),
        (0, "pending", "Held for moderation."),
        (0, "spam", "Buy pills"),
        (1, "approved", "Don't click that."),
        (0, "trash", "Trashed comment"),
        (0, "approved", "Replying to a spammer WordPress left out."),
    ]
    hello = post("hello-world")
    assert (hello.comment_count, hello.thread_count) == (7, 8)  # the spam one is a placeholder
    assert_counts_exact()


def test_post_trashed_comments_take_their_status_from_before_the_trash(imported):
    assert thread("gone") == [(0, "approved", "Was approved"), (0, "pending", "Was pending")]


def test_commenters_fields_are_kept_or_emptied_when_invalid(imported):
    comments = {c.body: c for c in Comment.objects.all()}
    guest = comments["Great post."]
    assert (guest.author_name, guest.author_email, guest.author_url, guest.ip_address) == (
        "Guest & Friend", "reader@example.org", "https://guest.example/", "2001:db8::1")
    assert guest.created_at == datetime(2023, 3, 1, 10, tzinfo=UTC) and guest.user is None
    spam = comments["Buy pills"]
    assert (spam.author_email, spam.author_url, spam.ip_address) == ("", "", None)
    by_author = comments["Thanks, says the author."]
    assert by_author.user == User.objects.get(username="alice")
    link = comments["Agreed, see [this](https://ref.example/)."]
    assert 'rel="nofollow ugc noopener"' in link.html


def test_a_second_run_changes_nothing(db, blog_file):
    import_file(blog_file)
    first = every_row()
    again = import_file(blog_file)
    assert again.startswith("Imported 0 posts, 0 comments, 0 authors, 0 tags, 0 old slugs;")
    assert "already imported before: 3 authors, 9 posts, 12 comments" in again
    assert every_row() == first


def test_a_later_export_adds_only_new_comments_and_recounts(db, tmp_path, blog_file):
    import_file(blog_file)
    posts = blog_posts()
    posts[0].comments.append(C(112, "A new reply, later.", parent=102,
                               date_gmt="2023-04-01 10:00:00"))
    later = tmp_path / "later.xml"
    later.write_bytes(wxr(authors=[], items=posts))
    assert import_file(later).startswith("Imported 0 posts, 1 comment,")
    assert thread("hello-world")[4] == (3, "approved", "A new reply, later.")
    assert post("hello-world").comment_count == 8
    assert_counts_exact()


def test_a_dry_run_writes_nothing_and_reports_the_same(db, blog_file):
    before = every_row()
    line = import_file(blog_file, "--dry-run")
    assert line.startswith("Dry run, nothing written. Imported 9 posts, 12 comments,")
    assert every_row() == before


def test_wxr_1_1_and_a_deleted_post_stays_deleted(db, tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes(wxr(version="1.1", authors=[A(1, "alice", "a@example.com", "Alice")],
                         items=[P(1, "Old format", comments=[C(1, "Hi")])]))
    assert import_file(path).startswith("Imported 1 post, 1 comment, 1 author,")
    Comment.objects.all().delete()
    Post.objects.all().delete()
    assert import_file(path).startswith("Imported 0 posts, 0 comments")
    assert Post.objects.count() == 0


def test_slugs_taken_by_other_posts_get_a_suffix_and_keep_the_permalink(db, tmp_path):
    author = User.objects.create_user("someone", password="x")
    Post.objects.create(title="Mine", slug="hello-world", author=author)
    path = tmp_path / "clash.xml"
    path.write_bytes(wxr(authors=[A(1, "alice", "a@example.com", "Alice")],
                         items=[P(1, "Hello world", slug="hello-world")]))
    import_file(path)
    imported = Post.objects.exclude(author=author).get()
    assert imported.slug == "hello-world-2"
    assert not OldSlug.objects.exists()  # "hello-world" is another post's: that one wins


# Hostile and broken files: a clear error naming the item, and nothing imported ----------------

def refused(tmp_path, content: bytes, *args) -> str:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    before = every_row()
    with pytest.raises(CommandError) as error:
        import_file(path, *args)
    assert every_row() == before
    return str(error.value)


GOOD = P(1, "Fine post", comments=[C(1, "Fine comment")])


def test_a_file_broken_halfway_imports_nothing_and_names_the_item(db, tmp_path):
    broken = wxr(authors=[A(1, "alice", "a@example.com", "Alice")],
                 items=[GOOD, P(2, "Broken post", comments=[C(7, "ok"), C(8, "fine")])])
    broken = broken.replace(b"<wp:comment_id>8</wp:comment_id>",
                            b"<wp:comment_id>8</wp:comment_id><oops>")
    message = refused(tmp_path, broken)
    assert message.startswith("Nothing was imported. The file is not well-formed XML (line ")
    assert "in post 2 'Broken post', after comment 7." in message


@pytest.mark.parametrize("doctype", [
    # billion laughs
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>',
    # an external entity
    '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/wxr.dtd">',
])
def test_a_dtd_is_refused_before_any_entity_is_read(db, tmp_path, doctype):
    content = wxr(authors=[], items=[P(1, "Laughs", content="&h; &secret;")])
    content = content.replace(b"<![CDATA[&h; &secret;]]>", b"&h; &secret;")
    content = content.replace(b"<rss", doctype.encode() + b"\n<rss", 1)
    message = refused(tmp_path, content)
    assert "declares a DTD" in message


def test_an_undefined_entity_is_an_error(db, tmp_path):
    content = wxr(authors=[], items=[GOOD, P(2, "Entity")])
    content = content.replace(b"<title><![CDATA[Entity]]></title>", b"<title>&lol;</title>")
    assert "Entity 'lol' not defined" in refused(tmp_path, content)


def test_absurdly_deep_nesting_is_refused(db, tmp_path):
    deep = b"<x>" * 100_000 + b"</x>" * 100_000
    content = wxr(authors=[], items=[GOOD, P(2, "Deep")])
    head, tail = content.split(b"<title><![CDATA[Deep]]></title>")
    content = head + b"<title><![CDATA[Deep]]></title>" + deep + tail
    message = refused(tmp_path, content)
    assert "nested 9 deep in item #2 'Deep'" in message


def test_deeply_nested_html_in_a_body_is_refused_by_name(db, tmp_path):
    content = wxr(authors=[], items=[GOOD, P(2, "Nested", content="<div>" * 5000)])
    assert "post 2 'Nested': its HTML nests too deep" in refused(tmp_path, content)


def test_not_a_wordpress_export(db, tmp_path):
    assert "root element is <html>" in refused(tmp_path, b"<html><body>hi</body></html>")
    assert "not well-formed" in refused(tmp_path, b"")


@pytest.mark.parametrize(("change", "expected"), [
    ((b"<wp:post_date_gmt><![CDATA[2023-02-01 09:30:00]]>",
      b"<wp:post_date_gmt><![CDATA[yesterday]]>"), "post 2 'Second': the date 'yesterday'"),
    ((b"<wp:comment_parent>0", b"<wp:comment_parent>x"),
     "post 2 'Second', comment 2: wp:comment_parent is 'x'"),
])
def test_bad_values_are_errors_naming_the_item(db, tmp_path, change, expected):
    content = wxr(authors=[], items=[GOOD, P(2, "Second", comments=[C(2, "x")])])
    head, tail = content.split(b"<wp:post_id>2</wp:post_id>")
    content = head + b"<wp:post_id>2</wp:post_id>" + tail.replace(*change)
    assert expected in refused(tmp_path, content)


def test_a_loop_of_parents_is_an_error(db, tmp_path):
    content = wxr(authors=[], items=[P(1, "Loop", comments=[C(1, "a", parent=2),
                                                           C(2, "b", parent=1)])])
    assert "post 1 'Loop': comment 1 is its own ancestor" in refused(tmp_path, content)


def test_an_over_long_body_is_an_error_naming_the_post(db, tmp_path, settings):
    settings.HEARTH_MAX_POST_BODY_LENGTH = 100
    content = wxr(authors=[], items=[GOOD, P(2, "Long", content="word " * 50)])
    assert "post 2 'Long': A body has 249 characters" in refused(tmp_path, content)


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_file(tmp_path / "nope.xml")


def test_items_by_unlisted_authors_get_an_account_with_no_public_name(db, tmp_path):
    path = tmp_path / "unlisted.xml"
    path.write_bytes(wxr(authors=[], items=[P(1, "Orphan post", creator="ghost")]))
    import_file(path)
    author = post("orphan-post").author
    assert (author.username, author.display_name, author.slug) == ("ghost", "Member", "member")


def test_pending_comment_status_defaults(db, tmp_path):
    path = tmp_path / "odd.xml"
    path.write_bytes(wxr(authors=[], items=[P(1, "Odd", comments=[
        C(1, "weird status", approved="something"),
        C(2, "trashed without meta", approved="post-trashed")])]))
    import_file(path)
    assert {c.status for c in Comment.objects.all()} == {CommentStatus.PENDING}


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_a_progress_bar_only_on_a_terminal(db, blog_file, monkeypatch, terminal):
    stderr = Terminal() if terminal else StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    assert import_file(blog_file).startswith("Imported 9 posts")
    # The bar is cleared when the import ends (leave=False); a fast import may never redraw it.
    assert ("Importing:" in stderr.getvalue()) is terminal
    assert stderr.getvalue() == "" or terminal
