"""WordPress HTML to Hearth's Markdown.

WordPress stores a post or comment as HTML in which a blank line is a paragraph and a line break
is a <br> (its `wpautop` adds the tags when it shows the page); the block editor adds
`<!-- wp:... -->` comments around each block. Here the paragraphs are made explicit, nh3 keeps
only the tags Markdown can say (scripts, styles, event handlers, iframes and `javascript:` links
go, as do the block comments), and markdownify writes the Markdown. Shortcodes (`[gallery]`)
are text and stay readable. Hearth then renders the Markdown as it renders its own (comrak, then
nh3): the stored HTML is sanitized twice.
"""

import html
import re

import nh3
from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

# The tags whose meaning survives in Markdown; others are dropped, their text kept.
KEPT_TAGS = {
    "a", "p", "br", "hr", "em", "i", "strong", "b", "del", "s", "strike", "code", "pre",
    "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "figure", "figcaption", "div", "span", "sup", "sub",
}
KEPT_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}

# A chunk (between blank lines) that starts with one of these is already a block.
_BLOCK = re.compile(r"\s*<(?:p|div|ul|ol|li|h[1-6]|blockquote|table|thead|tbody|tr|pre|figure|"
                    r"hr|dl|dt|dd|section|article|aside|header|footer|address|form|style|"
                    r"script|iframe|!--)[\s>/]", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_WHITESPACE = re.compile(r"\s+")

_converter = MarkdownConverter(heading_style="atx", bullets="-", newline_style="backslash",
                               code_language="", escape_misc=False)


class ContentError(Exception):
    pass


def _outside_pre(text: str) -> list[tuple[bool, str]]:
    """`text` in runs: (True, a <pre> element) or (False, what lies between). Linear."""
    lower = text.lower()
    runs, position = [], 0
    while True:
        start = lower.find("<pre", position)
        if start == -1:
            runs.append((False, text[position:]))
            return runs
        end = lower.find("</pre>", start)
        end = len(text) if end == -1 else end + len("</pre>")
        runs.append((False, text[position:start]))
        runs.append((True, text[start:end]))
        position = end


def autop(text: str) -> str:
    """WordPress's paragraphs made explicit: a blank line ends a paragraph and a single line
    break is a <br>, except in <pre> and in chunks that are blocks already."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for is_pre, run in _outside_pre(text):
        if is_pre:
            out.append(run)
            continue
        for chunk in _BLANK_LINE.split(run):
            chunk = chunk.strip("\n")
            if not chunk.strip():
                continue
            if _BLOCK.match(chunk):
                out.append(chunk)
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def split_more(content: str) -> tuple[str, str]:
    """(the teaser before `<!--more-->`, or "" without one; the content without the marker)."""
    start = content.find("<!--more")
    if start == -1:
        return "", content
    end = content.find("-->", start)
    end = len(content) if end == -1 else end + 3
    return content[:start], content[:start] + content[end:]


def _plain_to_markdown(text: str) -> str:
    """What markdownify makes of text without tags or entities (most comments), without its
    HTML parser: paragraphs, backslash line breaks, white space collapsed, * and _ escaped."""
    paragraphs = []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        lines = [_WHITESPACE.sub(" ", line).lstrip() for line in chunk.split("\n")]
        lines[-1] = lines[-1].rstrip()
        paragraph = "\\\n".join(lines).replace("*", "\\*").replace("_", "\\_")
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs).strip()


def to_markdown(content: str) -> str:
    if "<" not in content and "&" not in content:
        return _plain_to_markdown(content)
    cleaned = nh3.clean(autop(content), tags=KEPT_TAGS, attributes=KEPT_ATTRIBUTES,
                        url_schemes={"http", "https", "mailto"},
                        clean_content_tags={"script", "style"}, link_rel=None,
                        strip_comments=True)
    soup = BeautifulSoup(cleaned, "html.parser")  # markdownify's own parser
    try:
        markdown = _converter.convert_soup(soup)
    except RecursionError:
        raise ContentError("its HTML nests too deep to convert") from None
    finally:
        # The tree's nodes point at each other: freed now, item by item, rather than whenever
        # the garbage collector gets to them (an import's memory stays flat).
        soup.decompose()
    return markdown.strip()


def to_text(content: str, *, collapse: bool = False) -> str:
    """Plain text: tags gone, entities decoded, and with `collapse` white space collapsed."""
    text = html.unescape(nh3.clean(content, tags=set(), clean_content_tags={"script", "style"}))
    return (_WHITESPACE.sub(" ", text) if collapse else text).strip()
