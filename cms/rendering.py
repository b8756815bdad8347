"""Markdown to safe HTML: comrak (a linear-time CommonMark + GFM parser in Rust) with raw HTML
escaped as text, then nh3 as the last word.

Two shapes stay costly whatever the parser, so they are bounded here (benchmarks/rendering.py
shows the figures):
- deep nesting: nh3's HTML parser does work proportional to the depth for every block element,
  so a document whose lists and quotes nest deeper than MAX_DEPTH is shown as its plain source;
- table cell autocompletion: every row gets as many cells as the delimiter row has columns, so a
  wide delimiter row over many lines makes output grow with columns x rows. A document whose
  delimiter rows could autocomplete more cells than it has characters renders without tables.
Comments render without tables anyway: their tags are not allowed in comments."""

import html
import re

import comrak
import nh3

MAX_DEPTH = 32

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
COMMENT_TAGS = ALLOWED_TAGS - {"img", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
                               "tbody", "tr", "th", "td"}

_ESCAPES = {"&amp;": "\ufdd0", "&lt;": "\ufdd1", "&gt;": "\ufdd2", "&quot;": "\ufdd3"}

_RENDER_OPTIONS = comrak.RenderOptions()
_RENDER_OPTIONS.escape = True  # raw HTML is shown as text, never passed on


def _extensions(*, tables: bool) -> comrak.ExtensionOptions:
    extensions = comrak.ExtensionOptions()
    extensions.strikethrough = True
    extensions.table = tables
    return extensions


_WITH_TABLES = _extensions(tables=True)
_WITHOUT_TABLES = _extensions(tables=False)

# A line that may be a table's delimiter row (inside quotes too), and the container tags whose
# nesting nh3 pays for. The patterns have no overlapping repeats: linear on any line.
_DELIMITER_ROW = re.compile(r"^[ \t>|:-]*\|[ \t>|:-]*$", re.MULTILINE)
_CONTAINER_TAG = re.compile(r"<(/?)(?:blockquote|ol|ul|li)[ >]")


def _table_cells_bounded(source: str) -> bool:
    """Whether autocompletion could add at most one cell per character of `source`: a delimiter
    row fills every following line with at most (pipes + 1) cells."""
    budget = max(len(source), 10_000)
    lines_after, position = source.count("\n"), 0
    for row in _DELIMITER_ROW.finditer(source):
        lines_after -= source.count("\n", position, row.end())
        position = row.end()
        budget -= (row.group().count("|") + 1) * lines_after
        if budget < 0:
            return False
    return True


def _nesting_bounded(rendered: str) -> bool:
    depth = 0
    for tag in _CONTAINER_TAG.finditer(rendered):
        depth += -1 if tag.group(1) else 1
        if depth > MAX_DEPTH:
            return False
    return True


def render_markdown(source: str, *, for_comment: bool = False) -> str:
    tables = not for_comment and _table_cells_bounded(source)
    rendered = comrak.render_markdown(
        source, extension_options=_WITH_TABLES if tables else _WITHOUT_TABLES,
        render_options=_RENDER_OPTIONS)
    if not _nesting_bounded(rendered):
        rendered = f"<pre>{html.escape(source, quote=False)}</pre>"
    return sanitize(rendered, for_comment=for_comment)


def sanitize(rendered: str, *, for_comment: bool = False) -> str:
    """nh3 with Hearth's allow-list. nh3's HTML parser pays for every character reference, and
    for each "&" in a text it pays again in proportion to the text's length (quadratic on a long
    run of "&"), so the four escapes the renderer writes are swapped for noncharacters while nh3
    runs and swapped back after. Noncharacters already present become U+FFFD first, so the swap
    back only writes escapes, which are inert wherever they land."""
    for marker in _ESCAPES.values():
        rendered = rendered.replace(marker, "\ufffd")
    for escape, marker in _ESCAPES.items():
        rendered = rendered.replace(escape, marker)
    tags = COMMENT_TAGS if for_comment else ALLOWED_TAGS
    cleaned = nh3.clean(
        rendered,
        tags=tags,
        attributes={tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in tags},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener" if for_comment else "noopener",
    )
    for escape, marker in _ESCAPES.items():
        cleaned = cleaned.replace(marker, escape)
    return cleaned
