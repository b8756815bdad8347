"""The Reading half of the contract: object types, connections and reaction summaries."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from cms import models, policies
from cms.models.comments import PATH_SEGMENT
from cms.selectors.pagination import Page, PageArgs
from cms.selectors.posts import TEXT_FIELDS, post_list, tags_by_ids
from cms.selectors.users import authors_by_ids
from schema.core.pagination import decode_path_cursor, page_args
from schema.core.selection import selects
from schema.engine.fast_execution import Info


@strawberry.enum(description="Where a post stands. SCHEDULED turns PUBLISHED when its time comes.")
class PostStatus(Enum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


CommentStatus = strawberry.enum(models.CommentStatus, name="CommentStatus",
                                description="A comment's moderation state.")
ReactionKind = strawberry.enum(models.ReactionKind, name="ReactionKind",
                               description="The kinds of reaction a reader can give.")


@strawberry.enum(description="Order of a list of posts, by publication time.")
class PostOrder(Enum):
    NEWEST_FIRST = "NEWEST_FIRST"
    OLDEST_FIRST = "OLDEST_FIRST"


@strawberry.enum(description="Order of top-level comments.")
class CommentOrder(Enum):
    OLDEST_FIRST = "OLDEST_FIRST"
    NEWEST_FIRST = "NEWEST_FIRST"


def ctx(info: Info):
    return info.context


# Connections --------------------------------------------------------------------------------


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


@strawberry.type(description="A post and its cursor.")
class PostEdge:
    cursor: str
    node: Post


@strawberry.type(description="A page of posts.")
class PostConnection:
    page: strawberry.Private[Page]

    @strawberry.field
    def edges(self) -> list[PostEdge]:
        return [PostEdge(cursor=c, node=p)
                for c, p in zip(self.page.cursors, self.page.rows, strict=True)]

    @strawberry.field
    def page_info(self) -> PageInfo:
        return page_info(self.page)

    @strawberry.field(description="How many posts the whole connection holds.")
    def total_count(self) -> int:
        return self.page.total


@strawberry.type(description="A comment and its cursor.")
class CommentEdge:
    cursor: str
    node: Comment


@strawberry.type(description="A page of comments.")
class CommentConnection:
    page: strawberry.Private[Page]

    @strawberry.field
    def edges(self) -> list[CommentEdge]:
        return [CommentEdge(cursor=cursor, node=c)
                for cursor, c in zip(self.page.cursors, self.page.rows, strict=True)]

    @strawberry.field
    def page_info(self) -> PageInfo:
        return page_info(self.page)

    @strawberry.field(description="How many comments the whole connection holds.")
    def total_count(self) -> int:
        return self.page.total


def post_page(info: Info, args: PageArgs, order: PostOrder | None = PostOrder.NEWEST_FIRST,
              **narrowed) -> PostConnection:
    """A page of the posts the caller may read; a post's text is read only if asked for."""
    with_text = tuple(name for name in TEXT_FIELDS if selects(info, "edges", "node", name))
    return PostConnection(page=post_list(
        reader=ctx(info).reader, args=args, oldest_first=order == PostOrder.OLDEST_FIRST,
        with_text=with_text, **narrowed))


# Reactions ----------------------------------------------------------------------------------


@strawberry.type(description="How many reactions of one kind.")
class ReactionCount:
    kind: ReactionKind
    count: int


@strawberry.type(description="The reactions to a post or a comment.")
class ReactionSummary:
    subject: strawberry.Private[object]

    @strawberry.field(description="All reactions, of every kind.")
    def total(self) -> int:
        return sum(self.subject.reaction_counts().values())

    @strawberry.field(description="Kinds with a count above zero, largest first.")
    def counts(self) -> list[ReactionCount]:
        counts = [(kind, n) for kind, n in self.subject.reaction_counts().items() if n > 0]
        counts.sort(key=lambda item: -item[1])
        return [ReactionCount(kind=ReactionKind(kind), count=n) for kind, n in counts]

    @strawberry.field(description="The kinds the signed-in user or the visitor (X-Visitor-Token) "
                                  "gave.")
    def viewer_reactions(self, info: Info) -> list[ReactionKind]:
        return [ReactionKind(k) for k in ctx(info).loaders.viewer_reactions(self.subject)]


# Objects ------------------------------------------------------------------------------------


def _int_ids(node_ids) -> list[int]:
    ids = []
    for node_id in node_ids:
        try:
            value = int(node_id)
        except (TypeError, ValueError):
            continue
        if 0 < value < 2**63:
            ids.append(value)
    return ids


def _in_order(found: dict, node_ids) -> list:
    out = []
    for node_id in node_ids:
        try:
            out.append(found.get(int(node_id)))
        except (TypeError, ValueError):
            out.append(None)
    return out


@strawberry.type(name="Author", description="A person with an account: writes posts, comments "
                                            "as themselves.")
class Author(relay.Node):
    id: relay.NodeID[int]
    slug: str
    display_name: str = strawberry.field(description="The name shown with their posts and "
                                                      "comments.")
    bio: str

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.User)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return _in_order(authors_by_ids(reader=ctx(info).reader, ids=_int_ids(node_ids)),
                         node_ids)

    @strawberry.field
    def avatar_url(self, root: strawberry.Parent[models.User]) -> str | None:
        return root.avatar_url or None

    @strawberry.field(description="Their posts the caller may read, newest first.")
    def posts(self, root: strawberry.Parent[models.User], info: Info, first: int | None = None,
              after: str | None = None) -> PostConnection:
        return post_page(info, page_args(first, after), author_id=root.pk)


@strawberry.type(description="A label that groups posts.")
class Tag(relay.Node):
    id: relay.NodeID[int]
    slug: str
    name: str

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Tag)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return _in_order(tags_by_ids(reader=ctx(info).reader, ids=_int_ids(node_ids)), node_ids)

    @strawberry.field(description="Posts with this tag the caller may read, newest first.")
    def posts(self, root: strawberry.Parent[models.Tag], info: Info, first: int | None = None,
              after: str | None = None) -> PostConnection:
        return post_page(info, page_args(first, after), tag_id=root.pk)


@strawberry.type(description="A blog post.")
class Post(relay.Node):
    id: relay.NodeID[int]
    slug: str
    title: str
    excerpt: str
    body: str = strawberry.field(description="The Markdown source.")
    html: str = strawberry.field(description="The body rendered to HTML and sanitized.")
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    comments_open: bool
    comment_count: int = strawberry.field(description="Approved comments at every depth.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Post)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return _in_order(ctx(info).loaders.posts(_int_ids(node_ids)), node_ids)

    @strawberry.field
    def status(self, root: strawberry.Parent[models.Post]) -> PostStatus:
        return PostStatus(root.public_status)

    @strawberry.field
    def author(self, root: strawberry.Parent[models.Post]) -> Author:
        return root.author

    @strawberry.field
    def tags(self, root: strawberry.Parent[models.Post], info: Info) -> list[Tag]:
        return ctx(info).loaders.tags(root)

    @strawberry.field(description="Approved top-level comments, and removed ones that approved "
                                  "replies hang under.")
    def comments(self, root: strawberry.Parent[models.Post], info: Info,
                 first: int | None = None, after: str | None = None, last: int | None = None,
                 before: str | None = None,
                 order: CommentOrder | None = CommentOrder.OLDEST_FIRST) -> CommentConnection:
        args = page_args(first, after, last, before)
        order = (order or CommentOrder.OLDEST_FIRST).value
        return CommentConnection(page=ctx(info).loaders.top_level(root, args, order))

    @strawberry.field(description="Every approved comment of the post, depth-first in reading "
                                  "order (each reply right after its parent), with `depth` and "
                                  "`parent`, so a tree of any depth can be drawn from one list.")
    def thread(self, root: strawberry.Parent[models.Post], info: Info, first: int | None = None,
               after: str | None = None) -> CommentConnection:
        args = page_args(first)
        after_path = None if after is None else decode_path_cursor(after, "after", PATH_SEGMENT)
        return CommentConnection(page=ctx(info).loaders.thread(root, args.first, after_path))

    @strawberry.field
    def reactions(self, root: strawberry.Parent[models.Post]) -> ReactionSummary:
        return ReactionSummary(subject=root)


def shows_content(comment: models.Comment, info: Info) -> bool:
    context = ctx(info)
    return policies.shows_content(comment, reader=context.reader,
                                  own_comment_ids=context.own_comment_ids)


@strawberry.type(description="Who wrote a comment, as the public may see it. Never an e-mail or "
                             "IP address.")
class CommentAuthor:
    comment: strawberry.Private[models.Comment]
    shown: strawberry.Private[bool]

    @strawberry.field(description="The name given, or the user's display name; empty for a "
                                  "placeholder.")
    def name(self) -> str:
        return self.comment.display_name if self.shown else ""

    @strawberry.field
    def url(self) -> str | None:
        return (self.comment.author_url or None) if self.shown else None

    @strawberry.field
    def avatar_url(self) -> str | None:
        user = self.comment.user if self.shown and self.comment.user_id else None
        return (user.avatar_url or None) if user else None

    @strawberry.field(description="The account that wrote it; null for a guest.")
    def user(self) -> Author | None:
        return self.comment.user if self.shown and self.comment.user_id else None

    @strawberry.field(description="Whether the post's own author wrote it.")
    def is_post_author(self, info: Info) -> bool:
        if not self.shown or not self.comment.user_id:
            return False
        return ctx(info).loaders.post_of(self.comment).author_id == self.comment.user_id


@strawberry.type(description="What only moderators see of a comment.")
class CommentModeration:
    email: str
    ip_address: str | None
    user_agent: str


@strawberry.type(description="A comment or a reply.")
class Comment(relay.Node):
    id: relay.NodeID[int]
    depth: int = strawberry.field(description="0 for a top-level comment.")
    created_at: datetime
    edited_at: datetime | None
    reply_count: int = strawberry.field(description="Approved direct replies.")
    descendant_count: int = strawberry.field(description="Approved replies at every depth below.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Comment)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        loaders = ctx(info).loaders
        return [next((loaders.comment(pk) for pk in _int_ids([node_id])), None)
                for node_id in node_ids]

    @strawberry.field
    def status(self, root: strawberry.Parent[models.Comment]) -> CommentStatus:
        return CommentStatus(root.status)

    @strawberry.field
    def post(self, root: strawberry.Parent[models.Comment], info: Info) -> Post:
        return ctx(info).loaders.post_of(root)

    @strawberry.field(description="The comment this one replies to; null at the top level.")
    def parent(self, root: strawberry.Parent[models.Comment], info: Info) -> Comment | None:
        return ctx(info).loaders.parent(root)

    @strawberry.field
    def author(self, root: strawberry.Parent[models.Comment], info: Info) -> CommentAuthor:
        return CommentAuthor(comment=root, shown=shows_content(root, info))

    @strawberry.field(description="The Markdown source; empty for a placeholder.")
    def body(self, root: strawberry.Parent[models.Comment], info: Info) -> str:
        return root.body if shows_content(root, info) else ""

    @strawberry.field(description="Rendered and sanitized; empty for a placeholder.")
    def html(self, root: strawberry.Parent[models.Comment], info: Info) -> str:
        return root.html if shows_content(root, info) else ""

    @strawberry.field(description="Approved direct replies, oldest first; each comment pages its "
                                  "own replies.")
    def replies(self, root: strawberry.Parent[models.Comment], info: Info,
                first: int | None = None, after: str | None = None, last: int | None = None,
                before: str | None = None) -> CommentConnection:
        args = page_args(first, after, last, before)
        return CommentConnection(page=ctx(info).loaders.replies(root, args))

    @strawberry.field
    def reactions(self, root: strawberry.Parent[models.Comment]) -> ReactionSummary:
        return ReactionSummary(subject=root)

    @strawberry.field(description="The commenter's e-mail, IP address and browser: moderators "
                                  "only, null for everyone else.")
    def moderation(self, root: strawberry.Parent[models.Comment],
                   info: Info) -> CommentModeration | None:
        if not policies.sees_private_comment_fields(ctx(info).reader):
            return None
        return CommentModeration(email=root.author_email, ip_address=root.ip_address,
                                 user_agent=root.user_agent)


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
