"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 as the last word."""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
COMMENT_TAGS = ALLOWED_TAGS - {"img", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
                               "tbody", "tr", "th", "td"}


def render_markdown(source: str, *, for_comment: bool = False) -> str:
    html = _markdown.render(source)
    tags = COMMENT_TAGS if for_comment else ALLOWED_TAGS
    return nh3.clean(
        html,
        tags=tags,
        attributes={tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in tags},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener" if for_comment else "noopener",
        filter_style_properties={"text-align"},
    )
