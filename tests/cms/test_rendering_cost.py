"""Issue 11, item 4: rendering any input the limits allow stays cheap and safe. The costs are
in benchmarks/rendering.py; these tests check the behaviour: every pathological shape renders to
the same safe class of output, the structural limits (nesting depth, table cells) hold, and a post
body over the limit is refused with INVALID and writes nothing. A document over its budget is
shown as its plain source; a realistic long post never is."""

import html as html_module
import re
from html.parser import HTMLParser

import pytest

from benchmarks.rendering import SHAPES, realistic_post
from cms.models import Comment, Post
from cms.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    CHARS_PER_TABLE_CELL,
    CHARS_PER_TAG,
    COMMENT_TAGS,
    MAX_DEPTH,
    SHORT_DOCUMENT,
    render_markdown,
)
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import CREATE_POST, UPDATE_POST, accepted, gid, refused

CONTAINERS = {"blockquote", "ul", "ol", "li"}
SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")  # relative URLs have none


class Rendered(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.depth = self.max_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in CONTAINERS:
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)

    def handle_endtag(self, tag):
        if tag in CONTAINERS:
            self.depth -= 1

    def count(self, *tags: str) -> int:
        return sum(1 for tag, _ in self.elements if tag in tags)


def assert_safe(html: str, *, for_comment: bool) -> Rendered:
    rendered = Rendered(html)
    allowed = COMMENT_TAGS if for_comment else ALLOWED_TAGS
    for tag, attrs in rendered.elements:
        assert tag in allowed, tag
        expected = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= expected, (tag, attrs)
        for name in ("href", "src"):
            scheme = SCHEME.match(attrs.get(name) or "")
            assert not scheme or scheme[1].lower() in {"http", "https", "mailto"}, attrs[name]
        if tag == "a":
            assert attrs["rel"] == ("nofollow ugc noopener" if for_comment else "noopener")
    assert rendered.max_depth <= MAX_DEPTH
    return rendered


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("for_comment", [False, True])
def test_pathological_input_renders_to_the_same_safe_output(shape, for_comment):
    source = SHAPES[shape](6_000)
    assert_safe(render_markdown(source, for_comment=for_comment), for_comment=for_comment)


@pytest.mark.parametrize("for_comment", [False, True])
def test_hostile_links_in_pathological_runs_stay_inert(for_comment):
    source = "[a](javascript:alert(1)) ![b](data:x) <script>x</script> " * 200 + "![" * 2_000
    html = render_markdown(source, for_comment=for_comment)
    assert_safe(html, for_comment=for_comment)
    assert "javascript:" not in html.split("&lt;script", 1)[0].replace("[a](javascript", "")
    assert "<script" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_nesting_up_to_the_limit_renders_as_markup():
    rendered = Rendered(render_markdown("> " * MAX_DEPTH + "deep"))
    assert rendered.count("blockquote") == MAX_DEPTH
    assert rendered.max_depth == MAX_DEPTH


@pytest.mark.parametrize("source", [
    "> " * (MAX_DEPTH + 1) + "deep",
    "> " * 20_000 + "deep",
    "1. " * 20_000 + "deep",
    "* > " * 10_000 + "deep",
    "".join("  " * i + "- item\n" for i in range(200)),
])
@pytest.mark.parametrize("for_comment", [False, True])
def test_nesting_past_the_limit_is_shown_as_the_plain_source(source, for_comment):
    html = render_markdown(source, for_comment=for_comment)
    rendered = assert_safe(html, for_comment=for_comment)
    assert rendered.count(*CONTAINERS) == 0
    assert [tag for tag, _ in rendered.elements] == ["pre"]
    assert "deep" in html or "item" in html


def test_an_ordinary_table_renders_in_a_post():
    rendered = Rendered(render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |\n| 3 | 4 |"))
    assert rendered.count("table") == 1
    assert rendered.count("th", "td") == 6


@pytest.mark.parametrize("length", [6_000, 200_000])
def test_table_cells_stay_within_the_budget_of_the_source(length):
    for shape in ("wide table", "-|", "a|b table rows", "|\\n"):
        source = SHAPES[shape](length)
        rendered = Rendered(render_markdown(source))
        assert rendered.count("th", "td") <= max(len(source), SHORT_DOCUMENT) \
            // CHARS_PER_TABLE_CELL, shape


@pytest.mark.parametrize("length", [65_525, 200_000])
def test_every_pathological_shape_stays_within_the_tag_budget(length):
    for shape, make in SHAPES.items():
        source = make(length)
        html = render_markdown(source)
        assert html.count("<") <= 2 * max(len(source), SHORT_DOCUMENT) // CHARS_PER_TAG, shape


def shown_as_source(html: str, source: str) -> bool:
    match = re.fullmatch(r"<pre>(.*)</pre>", html, re.DOTALL)
    return bool(match) and html_module.unescape(match[1]) == source


@pytest.mark.parametrize("unit", ["*a", "a*", "a\n=\n", "<http://a>", "x\n" * 15 + "*a*"])
@pytest.mark.parametrize("for_comment", [False, True])
def test_a_document_over_the_tag_budget_is_shown_as_its_plain_source(unit, for_comment):
    source = (unit * (65_525 // len(unit)))
    html = render_markdown(source, for_comment=for_comment)
    assert_safe(html, for_comment=for_comment)
    assert shown_as_source(html, source)


@pytest.mark.parametrize("for_comment", [False, True])
def test_hostile_markup_in_a_document_over_budget_stays_text(for_comment):
    source = "[a](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=y> " \
        + "*a" * 30_000
    html = render_markdown(source, for_comment=for_comment)
    rendered = assert_safe(html, for_comment=for_comment)
    assert [tag for tag, _ in rendered.elements] == ["pre"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "[a](javascript:alert(1))" in html
    assert shown_as_source(html, source)


def test_short_documents_with_dense_markup_render_as_markup():
    source = "*a* " * (SHORT_DOCUMENT // 20)
    rendered = Rendered(render_markdown(source))
    assert rendered.count("em") == SHORT_DOCUMENT // 20
    assert rendered.count("pre") == 0


@pytest.mark.parametrize("length", [8_000, 65_525, 200_000])
def test_a_realistic_long_post_renders_every_element(length):
    source = realistic_post(length)
    sections = source.count("\n## Part ")
    rendered = Rendered(render_markdown(source))
    assert sections >= 3
    assert rendered.count("pre") == sections  # its code blocks, not the plain source
    assert rendered.count("h1") == 1 and rendered.count("h2") == sections
    assert rendered.count("table") == sections and rendered.count("td") == 16 * sections
    assert rendered.count("li") == 7 * sections and rendered.count("blockquote") == sections
    assert rendered.count("a") == 3 * sections and rendered.count("del") == sections
    assert rendered.count("em", "strong") == 6 * sections and rendered.count("code") == 3 * sections


def test_a_realistic_long_comment_renders_as_markup():
    source = realistic_post(65_525)
    rendered = Rendered(render_markdown(source, for_comment=True))
    sections = source.count("\n## Part ")
    assert rendered.count("li") == 7 * sections and rendered.count("pre") == sections


@pytest.mark.parametrize("line_break", ["\r\n", "\r"])
def test_other_line_endings_get_the_same_limits(line_break):
    wide = "x|" * 1_000 + "\n" + "-|" * 1_000 + "\n" + "x\n" * 5_000
    assert render_markdown(wide.replace("\n", line_break)) == render_markdown(wide)
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = render_markdown(table.replace("\n", line_break))
    assert html == render_markdown(table) and Rendered(html).count("td") == 2


def test_a_wide_delimiter_row_over_many_lines_renders_without_tables():
    source = "x|" * 1_000 + "\n" + "-|" * 1_000 + "\n" + "x\n" * 5_000
    rendered = Rendered(render_markdown(source))
    assert rendered.count("table", "td", "th") == 0
    assert rendered.count("p") >= 1


def test_comments_show_table_syntax_as_text():
    html = render_markdown("| a |\n|---|\n| b |", for_comment=True)
    assert Rendered(html).count("table", "td", "th") == 0
    assert "| a |" in html and "| b |" in html


@pytest.mark.parametrize("text, escaped", [
    ("&" * 5_000, "&amp;" * 5_000),
    ("a<b>c \"q\" \\&amp; &amp;", "a&lt;b&gt;c &quot;q&quot; &amp;amp; &amp;"),
    ("<>" * 3_000, "&lt;&gt;" * 3_000),
])
def test_escaped_characters_come_back_exactly(text, escaped):
    assert render_markdown(text) == f"<p>{escaped}</p>\n"


def test_noncharacters_in_the_source_never_become_markup_or_escapes():
    html = render_markdown("a \ufdd0 \ufdd1 \ufdd2 \ufdd3 &#xFDD1; b")
    assert html == "<p>a \ufffd \ufffd \ufffd \ufffd \ufffd b</p>\n"


def test_links_keep_their_query_string():
    html = render_markdown("[x](https://e.example/?a=1&b=2)", for_comment=True)
    assert 'href="https://e.example/?a=1&amp;b=2"' in html
    assert 'rel="nofollow ugc noopener"' in html


# The post body limit, through the API: refused with INVALID, nothing written.

def test_the_default_post_body_limit_is_a_long_essay(settings):
    assert settings.HEARTH_MAX_POST_BODY_LENGTH == 200_000


def test_a_post_body_at_the_limit_is_kept_and_one_more_is_refused(settings, users):
    settings.HEARTH_MAX_POST_BODY_LENGTH = 50_000
    client = GraphQLClient().as_user(users["contributor"])
    body = "![" * 25_000
    post = accepted(client, CREATE_POST, {"input": {"title": "Long", "body": body}},
                    "createPost")["post"]
    stored = Post.objects.get(slug=post["slug"])
    assert stored.body == body and stored.html == render_markdown(body)

    before = Post.objects.count()
    refused(client, CREATE_POST, {"input": {"title": "Longer", "body": body + "x"}},
            "createPost", "INVALID", "body")
    assert Post.objects.count() == before

    refused(client, UPDATE_POST, {"input": {"id": gid(stored), "body": "b" * 50_001}},
            "updatePost", "INVALID", "body")
    stored.refresh_from_db()
    assert stored.body == body and stored.html == render_markdown(body)


def test_services_store_the_same_rendering_for_posts_and_comments(users):
    body = "> " * 5_000 + "[a](https://ok.example) " + "*a" * 2_000
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["author"])
    accepted(client, UPDATE_POST, {"input": {"id": gid(post), "body": body}}, "updatePost")
    post.refresh_from_db()
    assert post.html == render_markdown(body)

    from cms.services.comments import comment_create

    comment = comment_create(actor=users["editor"], post=post, body=body)
    assert Comment.objects.get(pk=comment.pk).html == render_markdown(body, for_comment=True)
    assert_safe(comment.html, for_comment=True)
