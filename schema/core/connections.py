"""Relay connections over a selector's `Page`: where a page sits, its edges, and the paging
arguments every connection field takes."""

from typing import Annotated

import strawberry

from cms.selectors.pagination import Page

# Not strawberry.relay's Connection/Edge/PageInfo and `relay.connection` fields (strawberry
# 0.341.2, strawberry-django 0.93; checked 2026-11-30): schema.graphql would change (pageInfo
# before edges, `totalCount: Int` nullable, their descriptions, before/after/first/last on every
# field where `thread` takes first/after, "arrayconnection:N" cursors; threads page by path), and
# DjangoListConnection over the same querysets was slower: posts(first: 50) 5.8 -> 6.1 ms (+4%),
# comments(first: 100) 5.8 -> 9.0 ms (+56%), thread(first: 100) 5.3 -> 8.8 ms (+65%)
# (graphql-core's executor for both, time.process_time, best of 200 interleaved, 3 rounds, SQLite).


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page: pass "
                                           "`endCursor` as `after` to get them.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page: "
                                               "pass `startCursor` as `before` to get them.")
    start_cursor: str | None = strawberry.field(description="The cursor of the page's first "
                                                "item; null for an empty page.")
    end_cursor: str | None = strawberry.field(description="The cursor of the page's last item; "
                                              "null for an empty page.")


# The Relay paging arguments, described once. The sizes are settings.HEARTH_DEFAULT_PAGE_SIZE and
# HEARTH_MAX_PAGE_SIZE, written out so that schema.graphql does not depend on the environment.
First = Annotated[int | None, strawberry.argument(
    description="How many items to return from the start, or after `after`: 0 to 100, 20 by "
                "default. Out of range is an error.")]
After = Annotated[str | None, strawberry.argument(
    description="Return the items after this cursor: an edge's `cursor` (or "
                "`pageInfo.endCursor`) of this same connection; anything else is an error.")]
Last = Annotated[int | None, strawberry.argument(
    description="How many items to return from the end, or before `before`: 0 to 100. Not "
                "together with `first`; out of range is an error.")]
Before = Annotated[str | None, strawberry.argument(
    description="Return the items before this cursor: an edge's `cursor` (or "
                "`pageInfo.startCursor`) of this same connection; anything else is an error.")]


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


def page_connection(node_type, *, name: str, noun: str, description: str, edges_description: str,
                    total_description: str, node=None):
    """The `<name>Connection` type (with its `<name>Edge`) over a selector's `Page` of rows:
    `edges`, `pageInfo`, `totalCount`, paged forward by `after`. `node` makes each row its
    edge's node (the row itself by default). Used as `<name>Connection(page=...)`."""

    article = "An" if noun[0] in "aeiou" else "A"

    @strawberry.type(name=f"{name}Edge", description=f"{article} {noun} and its cursor.")
    class Edge:
        cursor: str = strawberry.field(description=f"Pass as `after` to page from this {noun}.")
        node: node_type = strawberry.field(description=f"The {noun}.")

    @strawberry.type(name=f"{name}Connection", description=description)
    class Connection:
        page: strawberry.Private[Page]

        @strawberry.field(description=edges_description)
        def edges(self) -> list[Edge]:
            return [Edge(cursor=cursor, node=node(row) if node else row)
                    for cursor, row in zip(self.page.cursors, self.page.rows, strict=True)]

        @strawberry.field(description="Where this page sits, and the cursors to page on.")
        def page_info(self) -> PageInfo:
            return page_info(self.page)

        @strawberry.field(description=total_description)
        def total_count(self) -> int:
            return self.page.total

    return Connection
