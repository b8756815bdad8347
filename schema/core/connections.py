"""Relay connections over a selector's `Page`: where a page sits, and its edges."""

import strawberry

from cms.selectors.pagination import Page


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(page: Page) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


def edges(page: Page, edge_type) -> list:
    """The page's rows as `edge_type(cursor=..., node=...)`, in order."""
    return [edge_type(cursor=cursor, node=row)
            for cursor, row in zip(page.cursors, page.rows, strict=True)]
