"""Relay pagination by offset cursors: `first`/`after` and `last`/`before`, at most 100 a page."""

import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from graphql import GraphQLError

CURSOR_PREFIX = "o:"
PATH_CURSOR_PREFIX = "p:"
MAX_CURSOR_DEPTH = 1000  # levels; the deepest chain seen in the wild was 260


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


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


def encode_path_cursor(path: str) -> str:
    return base64.b64encode(f"{PATH_CURSOR_PREFIX}{path}".encode()).decode()


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


@dataclass(frozen=True)
class PageArgs:
    """A validated page request: rows [start, stop) unless `last` counts back from the end."""

    first: int | None
    after: int | None
    last: int | None
    before: int | None

    @classmethod
    def parse(cls, first=None, after=None, last=None, before=None) -> "PageArgs":
        limit = settings.HEARTH_MAX_PAGE_SIZE
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= limit:
                raise GraphQLError(f"`{name}` must be between 0 and {limit}; it was {value}.")
        if first is not None and last is not None:
            raise GraphQLError("Pass `first` or `last`, not both.")
        if first is None and last is None:
            first = settings.HEARTH_DEFAULT_PAGE_SIZE
        return cls(
            first=first,
            after=None if after is None else decode_cursor(after, "after"),
            last=last,
            before=None if before is None else decode_cursor(before, "before"),
        )

    @property
    def start(self) -> int:
        return 0 if self.after is None else self.after + 1

    def forward_window(self) -> tuple[int, int]:
        """(start, stop) for a `first` page, reading one row past it to learn `hasNextPage`."""
        stop = self.start + self.first + 1
        return self.start, stop if self.before is None else min(stop, self.before)

    def backward_window(self, total: int) -> tuple[int, int]:
        stop = total if self.before is None else min(self.before, total)
        return max(self.start, stop - self.last), stop
