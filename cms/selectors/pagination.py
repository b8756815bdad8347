"""Pages of rows: offset windows for Relay's `first`/`after` and `last`/`before`, keyset
windows (by thread position) for threads, and the cursors that name a row's place."""

import base64
from dataclasses import dataclass

from django.db.models import Count, Window

CURSOR_PREFIX = "o:"
PATH_CURSOR_PREFIX = "p:"


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def encode_path_cursor(path: str) -> str:
    return base64.b64encode(f"{PATH_CURSOR_PREFIX}{path}".encode()).decode()


@dataclass(frozen=True)
class PageArgs:
    """A validated page request (offsets, not cursors): rows [start, stop) unless `last`
    counts back from the end."""

    first: int | None
    after: int | None
    last: int | None
    before: int | None

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


def as_batch(objects: list) -> list:
    """Mark `objects` as siblings (`_batch`), so a loader fetching related data for one of them
    fetches it for all."""
    for obj in objects:
        obj._batch = objects
    return objects


def batch_of(obj) -> list:
    return getattr(obj, "_batch", None) or [obj]


class Page:
    """One page of a connection: the rows with their cursors, and how it sits in the whole."""

    def __init__(self, rows: list, cursors: list[str], has_next: bool, has_previous: bool,
                 total):
        self.rows = as_batch(rows)
        self.cursors = cursors
        self.has_next = has_next
        self.has_previous = has_previous
        self._total = total

    @property
    def total(self) -> int:
        if callable(self._total):
            self._total = self._total()
        return self._total


def offset_cursors(start: int, count: int) -> list[str]:
    return [encode_cursor(offset) for offset in range(start, start + count)]


def paginate(queryset, args: PageArgs) -> Page:
    """Slice an ordered queryset. Forward pages read one extra row to know `hasNextPage`; the
    total comes from a window count in the same query when a row comes back."""
    if args.last is not None:
        total = queryset.count()
        start, stop = args.backward_window(total)
        rows = list(queryset[start:stop])
        return Page(rows, offset_cursors(start, len(rows)), stop < total, start > 0, total)
    start, stop = args.forward_window()
    rows = list(queryset.annotate(window_total=Window(Count("pk")))[start:stop])
    return forward_page(rows, start, args.first, queryset.count)


def forward_page(rows: list, start: int, first: int, count) -> Page:
    """A forward page from its rows (one more than `first` if there is a next page) with
    their window total; `count` counts when no row came back."""
    has_next = len(rows) > first
    rows = rows[:first]
    total = rows[0].window_total if rows else count
    return Page(rows, offset_cursors(start, len(rows)), has_next, start > 0, total)
