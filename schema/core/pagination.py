"""Relay pagination by offset cursors: `first`/`after` and `last`/`before`, at most 100 a page."""

import base64
import binascii

from django.conf import settings
from graphql import GraphQLError

from cms.selectors.pagination import (
    CURSOR_PREFIX,
    PATH_CURSOR_PREFIX,
    PageArgs,
    encode_cursor,
    encode_path_cursor,
)

__all__ = ["PageArgs", "decode_cursor", "decode_path_cursor", "encode_cursor",
           "encode_path_cursor", "page_args"]

MAX_CURSOR_DEPTH = 1000  # levels; the deepest chain seen in the wild was 260


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError
        offset = int(text[len(CURSOR_PREFIX):])
        if offset < 0 or offset > 10**9:
            raise ValueError
        return offset
    except (ValueError, UnicodeError, binascii.Error):
        raise GraphQLError(f"`{argument}` is not a cursor of this connection.") from None


def max_cursor_depth() -> int:
    """How deep a thread position a cursor may name: far deeper than replies may nest, so that
    chains made before the cap (or imported) page to their end, yet bounded, as the database
    compares the cursor's path with each comment's."""
    return max(MAX_CURSOR_DEPTH, settings.HEARTH_MAX_REPLY_DEPTH + 1)


def decode_path_cursor(cursor: str, argument: str, segment: int) -> str:
    """A thread cursor: the thread position (path) of the comment it points at."""
    longest = len(encode_path_cursor("0" * max_cursor_depth() * segment))
    try:
        if len(cursor) > longest:
            raise ValueError
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode()
    except (ValueError, UnicodeError, binascii.Error):
        text = ""
    path = text[len(PATH_CURSOR_PREFIX):]
    if (not text.startswith(PATH_CURSOR_PREFIX) or not path.isdigit() or not path.isascii()
            or len(path) % segment):
        raise GraphQLError(f"`{argument}` is not a cursor of this connection.")
    return path


def page_args(first=None, after=None, last=None, before=None) -> PageArgs:
    """The page a connection's arguments ask for, validated, its cursors decoded."""
    limit = settings.HEARTH_MAX_PAGE_SIZE
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= limit:
            raise GraphQLError(f"`{name}` must be between 0 and {limit}; it was {value}.")
    if first is not None and last is not None:
        raise GraphQLError("Pass `first` or `last`, not both.")
    if first is None and last is None:
        first = settings.HEARTH_DEFAULT_PAGE_SIZE
    return PageArgs(
        first=first,
        after=None if after is None else decode_cursor(after, "after"),
        last=last,
        before=None if before is None else decode_cursor(before, "before"),
    )
