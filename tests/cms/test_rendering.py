"""Markdown is rendered with raw HTML off and sanitized: no script, no javascript: links, no
event-handler attributes, whatever the source tries."""

from html.parser import HTMLParser

import pytest

from cms.rendering import render_markdown


class Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}

    @property
    def attributes(self) -> set[str]:
        return {name for _, attrs in self.found for name in attrs}

    @property
    def urls(self) -> list[str]:
        return [attrs[name] or "" for _, attrs in self.found for name in ("href", "src")
                if name in attrs]


HOSTILE = [
    "<script>alert(1)</script>",
    "Hello <script src='https://evil.example/x.js'></script> world",
    "<img src=x onerror=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    "<div onmouseover='alert(1)'>hover</div>",
    "<svg onload=alert(1)></svg>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "```html\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "<style>body{display:none}</style>",
    "<form action='https://evil.example'><input name=x></form>",
]


@pytest.mark.parametrize("source", HOSTILE)
@pytest.mark.parametrize("for_comment", [False, True])
def test_rendered_markdown_has_no_script_handlers_or_script_urls(source, for_comment):
    html = render_markdown(source, for_comment=for_comment)
    elements = Elements(html)
    assert not elements.tags & {"script", "iframe", "svg", "style", "form", "input", "div"}
    assert not [name for name in elements.attributes if name.startswith("on")]
    assert all(url.startswith(("http://", "https://", "mailto:")) or url == ""
               for url in elements.urls), elements.urls
    assert "javascript:" not in " ".join(elements.urls).lower()


def test_raw_html_is_shown_as_text_not_run():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_ordinary_markdown_renders():
    html = render_markdown("# Title\n\nSome *emphasis*, `code` and a [link](https://ok.example)."
                           "\n\n- one\n- two\n\n![cat](https://img.example/cat.png)")
    elements = Elements(html)
    assert {"h1", "em", "code", "a", "ul", "li", "img"} <= elements.tags
    assert 'href="https://ok.example"' in html and 'rel="noopener"' in html


def test_comments_get_nofollow_links_and_no_images_or_headings():
    html = render_markdown("# Big\n\n[site](https://me.example) ![x](https://img.example/x.png)",
                           for_comment=True)
    elements = Elements(html)
    assert not elements.tags & {"h1", "img"}
    assert 'rel="nofollow ugc noopener"' in html


def test_table_cells_keep_their_alignment_and_nothing_else():
    html = render_markdown("| a |\n|:-:|\n| b |")
    assert '<td align="center">b</td>' in html
    assert {name for tag, attrs in Elements(html).found if tag in {"th", "td"} for name in attrs} \
        == {"align"}
