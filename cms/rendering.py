"""Markdown to safe HTML: comrak (a linear-time CommonMark + GFM parser in Rust) with raw HTML
escaped as text, then nh3 as the last word.

comrak's own time is linear, within a few times ordinary prose on any input; nh3 pays for every
tag it parses (about a microsecond each), and some shapes make one tag per character or two. So
the work a document may cause is budgeted per character of its source (benchmarks/rendering.py
shows the figures), and a document over budget is shown as its plain source, which is safe and
still shows every word the author wrote:
- tags: comrak's output may have at most one tag per CHARS_PER_TAG ordinary characters of the
  source, those that are neither Markdown punctuation nor line breaks (comrak spends about as
  long on one of those as nh3 on a tag, so they earn no tags);
- nesting: nh3's HTML parser does work proportional to the depth for every block element, so
  lists and quotes may nest at most MAX_DEPTH deep;
- table cells: a delimiter row gives every following row of its table as many cells as it has
  columns, so a wide delimiter row over many lines makes comrak's work grow with columns x rows.
  A document whose tables could have more than one cell per CHARS_PER_TABLE_CELL characters is
  rendered without tables (its rows show as text), before comrak does that work.
Documents shorter than SHORT_DOCUMENT characters get the budget of one that long, so short
comments and posts with rich markup are never affected. Comments render without tables anyway:
their tags are not allowed in comments."""

import html
import re

import comrak
import nh3

MAX_DEPTH = 32
CHARS_PER_TAG = 8
CHARS_PER_TABLE_CELL = 10
SHORT_DOCUMENT = 20_000

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "srcset", "width", "height"},
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

# A line that may be a table's delimiter row (inside quotes too), a blank line (which ends every
# table), and the container tags whose nesting nh3 pays for. The patterns have no overlapping
# repeats: linear on any line.
_DELIMITER_ROW = re.compile(r"^[ \t>|:-]*\|[ \t>|:-]*$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")
_MARKUP_CHARACTERS = "\n\\`*_[]<!&~"
_CONTAINER_TAG = re.compile(r"<(/?)(?:blockquote|ol|ul|li)[ >]")


def _budget(characters: int, characters_per_unit: int) -> int:
    return max(characters, SHORT_DOCUMENT) // characters_per_unit


def _tag_budget(source: str) -> int:
    markup = sum(source.count(character) for character in _MARKUP_CHARACTERS)
    return _budget(len(source) - markup, CHARS_PER_TAG)


def _columns(delimiter_row: str) -> int:
    """Columns of a delimiter row: cells between pipes, less the optional outer pipes."""
    row = delimiter_row.lstrip(" \t>").rstrip(" \t")
    return max(1, row.count("|") + 1 - row.startswith("|") - row.endswith("|"))


def _table_cells_bounded(source: str) -> bool:
    """Whether the tables of `source` have at most its budget of cells. A table ends at the first
    blank line, and tables that start in the same blank-line-separated block have no more rows
    than the lines from the first header to the block's end, nor more columns than the widest
    delimiter row in the block: their cells are at most the product."""
    budget = _budget(len(source), CHARS_PER_TABLE_CELL)
    block_end = block_lines = block_columns = -1
    for row in _DELIMITER_ROW.finditer(source):
        if row.start() > block_end:  # the first delimiter row of a new block
            header = source.rfind("\n", 0, max(row.start() - 1, 0)) + 1
            blank = _BLANK_LINE.search(source, row.end())
            block_end = blank.start() if blank else len(source)
            block_lines = source.count("\n", header, block_end) + 1
            block_columns = 0
        columns = _columns(row.group())
        if columns > block_columns:
            budget -= (columns - block_columns) * block_lines
            block_columns = columns
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


def _plain_source(source: str) -> str:
    return f"<pre>{html.escape(source, quote=False)}</pre>"


# An image in comrak's output, and a library file's storage name at the end of its address.
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"')
_LIBRARY_SRC = re.compile(r"(images/([0-9a-f]{32})/[A-Za-z0-9._-]+)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SAFE_PREFIX = re.compile(r"(?:(?:https?:)?//[^\s,\"'<>&]*?/|/[^\s,\"'<>&]*?/)?")


def _with_renditions(rendered: str, library: dict) -> str:
    """Library images (`library`: the Image of each digest prefix, see
    cms.selectors.images.images_in_body) get a `srcset` of their renditions, at the address the
    author used, and the width and height of the file named (an empty alt gets the library's)."""

    def enrich(match):
        src, alt = match.group(1), match.group(2)
        named = _LIBRARY_SRC.search(src)
        if named is None or named.end() != len(src) or named.group(2) not in library:
            return match.group(0)
        prefix = src[:named.start()]
        if not _SAFE_PREFIX.fullmatch(prefix):
            return match.group(0)
        image = library[named.group(2)]
        width, height = image.width, image.height
        for w, h, name in image.renditions:
            if name == named.group(1):
                width, height = w, h
        srcset = ", ".join(f"{prefix}{name} {w}w" for w, _, name in image.renditions)
        alt = alt or html.escape(image.alt)
        return (f'<img src="{src}" alt="{alt}" srcset="{srcset}" '
                f'width="{width}" height="{height}"')

    return _IMG.sub(enrich, rendered)


def _safe_image_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's last word on what _with_renditions adds: srcset candidates are site-relative or
    http(s) addresses, sizes are numbers."""
    if element != "img":
        return value
    if attribute == "srcset":
        for candidate in value.split(","):
            parts = candidate.split()
            scheme = _SCHEME.match(parts[0]) if parts else None
            if len(parts) != 2 or (scheme and scheme.group(1).lower() not in {"http", "https"}) \
                    or not re.fullmatch(r"[0-9]{1,5}w", parts[1]):
                return None
    if attribute in {"width", "height"} and not re.fullmatch(r"[0-9]{1,5}", value):
        return None
    return value


def render_markdown(source: str, *, for_comment: bool = False,
                    library: dict | None = None) -> str:
    """`library`: the library images the source names (cms.selectors.images.images_in_body),
    which get their renditions as `srcset`."""
    # CommonMark's other line endings, made "\n" so the checks above see the lines comrak sees.
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    tables = not for_comment and _table_cells_bounded(source)
    rendered = comrak.render_markdown(
        source, extension_options=_WITH_TABLES if tables else _WITHOUT_TABLES,
        render_options=_RENDER_OPTIONS)
    # Raw "<" in the source is escaped, so every "<" left is a tag comrak wrote.
    if rendered.count("<") > _tag_budget(source) or not _nesting_bounded(rendered):
        rendered = _plain_source(source)
    elif library and not for_comment:
        rendered = _with_renditions(rendered, library)
        return sanitize(rendered, attribute_filter=_safe_image_attribute)
    return sanitize(rendered, for_comment=for_comment)


def sanitize(rendered: str, *, for_comment: bool = False, attribute_filter=None) -> str:
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
        attribute_filter=attribute_filter,
    )
    for escape, marker in _ESCAPES.items():
        cleaned = cleaned.replace(marker, escape)
    return cleaned
