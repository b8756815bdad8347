"""Posts as the Reading half shows them: the post, its tags, pages of posts and their filter."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from cms import models
from cms.models.comments import PATH_SEGMENT
from cms.selectors.pagination import Page, PageArgs
from cms.selectors.posts import TEXT_FIELDS, post_list, tags_by_ids
from schema.comments.types import CommentConnection, CommentOrder
from schema.core.connections import After, Before, First, Last, PageInfo, edges, page_info
from schema.core.context import Info
from schema.core.ids import in_order, node_keys
from schema.core.pagination import decode_path_cursor, page_args
from schema.core.selection import selects
from schema.reactions.types import ReactionSummary

if TYPE_CHECKING:
    from schema.accounts.types import Author
    from schema.images.types import Image

# schema.accounts.types imports this module, so it is named lazily.
LazyAuthor = Annotated["Author", strawberry.lazy("schema.accounts.types")]
LazyImage = Annotated["Image", strawberry.lazy("schema.images.types")]


@strawberry.enum(description="Where a post stands. SCHEDULED turns PUBLISHED when its time comes.")
class PostStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being written; only its author and "
                                  "moderators see it.")
    SCHEDULED = strawberry.enum_value("SCHEDULED", description="Published with a `publishedAt` "
                                      "ahead; public from that time on.")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Public: anyone may read it.")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Taken out of circulation; only its "
                                     "author and moderators see it.")


@strawberry.enum(description="Order of a list of posts, by publication time.")
class PostOrder(Enum):
    NEWEST_FIRST = strawberry.enum_value("NEWEST_FIRST", description="Latest `publishedAt` "
                                         "first.")
    OLDEST_FIRST = strawberry.enum_value("OLDEST_FIRST", description="Earliest `publishedAt` "
                                         "first.")


@strawberry.type(description="A post and its cursor.")
class PostEdge:
    cursor: str = strawberry.field(description="Pass as `after` or `before` to page from this "
                                   "post.")
    node: Post = strawberry.field(description="The post.")


@strawberry.type(description="A page of posts.")
class PostConnection:
    page: strawberry.Private[Page]

    @strawberry.field(description="The posts of this page, in order.")
    def edges(self) -> list[PostEdge]:
        return edges(self.page, PostEdge)

    @strawberry.field(description="Where this page sits, and the cursors to page on.")
    def page_info(self) -> PageInfo:
        return page_info(self.page)

    @strawberry.field(description="How many posts the whole connection holds.")
    def total_count(self) -> int:
        return self.page.total


def post_page(info: Info, args: PageArgs, order: PostOrder | None = PostOrder.NEWEST_FIRST,
              **narrowed) -> PostConnection:
    """A page of the posts the caller may read; a post's text is read only if asked for."""
    with_text = tuple(name for name in TEXT_FIELDS if selects(info, "edges", "node", name))
    return PostConnection(page=post_list(
        reader=info.context.reader, args=args, oldest_first=order == PostOrder.OLDEST_FIRST,
        with_text=with_text, **narrowed))


@strawberry.type(description="A label that groups posts.")
class Tag(relay.Node):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="The tag in addresses and in `PostFilter.tag`.")
    name: str = strawberry.field(description="The tag as people read it.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Tag)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return in_order(tags_by_ids(reader=info.context.reader, ids=node_keys(node_ids)),
                        node_ids)

    @strawberry.field(description="Posts with this tag the caller may read, newest first.")
    def posts(self, root: strawberry.Parent[models.Tag], info: Info, first: First = None,
              after: After = None) -> PostConnection:
        return post_page(info, page_args(first, after), tag_id=root.pk)


@strawberry.type(description="A blog post.")
class Post(relay.Node):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="Unique among posts: lower-case letters, digits "
                                 "and hyphens. Find the post again with `post(slug:)`.")
    title: str = strawberry.field(description="Plain text.")
    excerpt: str = strawberry.field(description="A summary its author wrote, as plain text; "
                                    "empty when none was given.")
    body: str = strawberry.field(description="The Markdown source.")
    html: str = strawberry.field(description="The body rendered to HTML and sanitized.")
    published_at: datetime | None = strawberry.field(description="When it was or will be "
                                                     "published; null until it is first "
                                                     "published or scheduled.")
    created_at: datetime = strawberry.field(description="When it was written.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    comments_open: bool = strawberry.field(description="Whether `addComment` takes new comments "
                                           "on it (it refuses them with COMMENTS_CLOSED).")
    comment_count: int = strawberry.field(description="Approved comments at every depth.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Post)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return in_order(info.context.loaders.posts(node_keys(node_ids)), node_ids)

    @strawberry.field(description="Where the post stands; anonymous callers only ever see "
                                  "PUBLISHED.")
    def status(self, root: strawberry.Parent[models.Post]) -> PostStatus:
        return PostStatus(root.public_status)

    @strawberry.field(description="Who wrote it.")
    def author(self, root: strawberry.Parent[models.Post]) -> LazyAuthor:
        return root.author

    @strawberry.field(description="The image that stands for the post in lists and at its "
                                  "top; null when it has none.")
    def featured_image(self, root: strawberry.Parent[models.Post],
                       info: Info) -> LazyImage | None:
        return info.context.loaders.featured_image(root)

    @strawberry.field(description="Its tags; empty when it has none.")
    def tags(self, root: strawberry.Parent[models.Post], info: Info) -> list[Tag]:
        return info.context.loaders.tags(root)

    @strawberry.field(description="Approved top-level comments, and removed ones that approved "
                                  "replies hang under.")
    def comments(self, root: strawberry.Parent[models.Post], info: Info,
                 first: First = None, after: After = None, last: Last = None,
                 before: Before = None,
                 order: Annotated[CommentOrder | None, strawberry.argument(
                     description="Oldest or newest first.")] = CommentOrder.OLDEST_FIRST,
                 ) -> CommentConnection:
        args = page_args(first, after, last, before)
        order = (order or CommentOrder.OLDEST_FIRST).value
        return CommentConnection(page=info.context.loaders.top_level(root, args, order))

    @strawberry.field(description="Every approved comment of the post, depth-first in reading "
                                  "order (each reply right after its parent), with `depth` and "
                                  "`parent`, so a tree of any depth can be drawn from one list.")
    def thread(self, root: strawberry.Parent[models.Post], info: Info, first: First = None,
               after: After = None) -> CommentConnection:
        args = page_args(first)
        after_path = None if after is None else decode_path_cursor(after, "after", PATH_SEGMENT)
        return CommentConnection(page=info.context.loaders.thread(root, args.first, after_path))

    @strawberry.field(description="The reactions to the post.")
    def reactions(self, root: strawberry.Parent[models.Post]) -> ReactionSummary:
        return ReactionSummary(subject=root)


@strawberry.input(description="Narrow a list of posts.")
class PostFilter:
    tag: str | None = strawberry.field(default=None, description="A tag slug.")
    author: str | None = strawberry.field(default=None, description="An author slug.")
    search: str | None = strawberry.field(default=None, description="Words in title or body.")
    status: PostStatus | None = strawberry.field(default=None, description="Honoured only for "
                                                 "callers who may see such posts.")


def narrowed_by(post_filter: PostFilter | None) -> dict:
    """A filter as the arguments of `cms.selectors.posts.post_list`."""
    if post_filter is None:
        return {}
    status = post_filter.status.value if post_filter.status else None
    return {"tag": post_filter.tag, "author": post_filter.author, "search": post_filter.search,
            "status": status}
