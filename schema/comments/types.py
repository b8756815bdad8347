"""Comments as the Reading half shows them: the comment, its public author, what moderators
alone see, and pages of comments."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from cms import models, policies
from cms.selectors.pagination import Page
from schema.core.connections import After, Before, First, Last, PageInfo, edges, page_info
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import node_keys
from schema.core.pagination import page_args
from schema.reactions.types import ReactionSummary

if TYPE_CHECKING:
    from schema.accounts.types import Author
    from schema.posts.types import Post

# Their modules import this one, so it names them lazily.
LazyAuthor = Annotated["Author", strawberry.lazy("schema.accounts.types")]
LazyPost = Annotated["Post", strawberry.lazy("schema.posts.types")]

CommentStatus = described_enum(
    models.CommentStatus, name="CommentStatus", description="A comment's moderation state.",
    values={"PENDING": "Held for a moderator: shown only to moderators and to its own author.",
            "APPROVED": "Public: shown to everyone and counted.",
            "SPAM": "Marked as spam: hidden, a placeholder if approved replies hang under it.",
            "TRASH": "Deleted: hidden, a placeholder if approved replies hang under it."})

CommentId = Annotated[strawberry.ID, strawberry.argument(description="The comment's global ID.")]


@strawberry.enum(description="Order of top-level comments.")
class CommentOrder(Enum):
    OLDEST_FIRST = strawberry.enum_value("OLDEST_FIRST", description="In the order they were "
                                         "written.")
    NEWEST_FIRST = strawberry.enum_value("NEWEST_FIRST", description="The latest first.")


@strawberry.type(description="A comment and its cursor.")
class CommentEdge:
    cursor: str = strawberry.field(description="Pass as `after` or `before` to page from this "
                                   "comment.")
    node: Comment = strawberry.field(description="The comment.")


@strawberry.type(description="A page of comments.")
class CommentConnection:
    page: strawberry.Private[Page]

    @strawberry.field(description="The comments of this page, in order.")
    def edges(self) -> list[CommentEdge]:
        return edges(self.page, CommentEdge)

    @strawberry.field(description="Where this page sits, and the cursors to page on.")
    def page_info(self) -> PageInfo:
        return page_info(self.page)

    @strawberry.field(description="How many comments the whole connection holds.")
    def total_count(self) -> int:
        return self.page.total


def shows_content(comment: models.Comment, info: Info) -> bool:
    context = info.context
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

    @strawberry.field(description="The web address the commenter gave; null when none, or for a "
                                  "placeholder.")
    def url(self) -> str | None:
        return (self.comment.author_url or None) if self.shown else None

    @strawberry.field(description="The account's picture; null for a guest, an account without "
                                  "one, or a placeholder.")
    def avatar_url(self) -> str | None:
        user = self.comment.user if self.shown and self.comment.user_id else None
        return (user.avatar_url or None) if user else None

    @strawberry.field(description="The account that wrote it; null for a guest.")
    def user(self) -> LazyAuthor | None:
        return self.comment.user if self.shown and self.comment.user_id else None

    @strawberry.field(description="Whether the post's own author wrote it.")
    def is_post_author(self, info: Info) -> bool:
        if not self.shown or not self.comment.user_id:
            return False
        return info.context.loaders.post_of(self.comment).author_id == self.comment.user_id


@strawberry.type(description="What only moderators see of a comment.")
class CommentModeration:
    email: str = strawberry.field(description="The commenter's e-mail address.")
    ip_address: str | None = strawberry.field(description="The IP address the comment came "
                                              "from; null when it was not known.")
    user_agent: str = strawberry.field(description="The browser's User-Agent header, at most "
                                       "500 characters; empty when none was sent.")


@strawberry.type(description="A comment or a reply.")
class Comment(relay.Node):
    id: relay.NodeID[int]
    depth: int = strawberry.field(description="0 for a top-level comment.")
    created_at: datetime = strawberry.field(description="When it was written.")
    edited_at: datetime | None = strawberry.field(description="When its text last changed; null "
                                                  "if it never did.")
    reply_count: int = strawberry.field(description="Approved direct replies.")
    descendant_count: int = strawberry.field(description="Approved replies at every depth below.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Comment)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        loaders = info.context.loaders
        return [next((loaders.comment(pk) for pk in node_keys([node_id])), None)
                for node_id in node_ids]

    @strawberry.field(description="Its moderation state. Callers other than moderators see "
                                  "APPROVED comments, SPAM or TRASH placeholders, and PENDING "
                                  "only on their own comments.")
    def status(self, root: strawberry.Parent[models.Comment]) -> CommentStatus:
        return CommentStatus(root.status)

    @strawberry.field(description="The post it is on.")
    def post(self, root: strawberry.Parent[models.Comment], info: Info) -> LazyPost:
        return info.context.loaders.post_of(root)

    @strawberry.field(description="The comment this one replies to; null at the top level.")
    def parent(self, root: strawberry.Parent[models.Comment], info: Info) -> Comment | None:
        return info.context.loaders.parent(root)

    @strawberry.field(description="Who wrote it, as the public may see it.")
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
                first: First = None, after: After = None, last: Last = None,
                before: Before = None) -> CommentConnection:
        args = page_args(first, after, last, before)
        return CommentConnection(page=info.context.loaders.replies(root, args))

    @strawberry.field(description="The reactions to the comment (only approved comments take "
                                  "reactions).")
    def reactions(self, root: strawberry.Parent[models.Comment]) -> ReactionSummary:
        return ReactionSummary(subject=root)

    @strawberry.field(description="The commenter's e-mail, IP address and browser: moderators "
                                  "only, null for everyone else.")
    def moderation(self, root: strawberry.Parent[models.Comment],
                   info: Info) -> CommentModeration | None:
        if not policies.sees_private_comment_fields(info.context.reader):
            return None
        return CommentModeration(email=root.author_email, ip_address=root.ip_address,
                                 user_agent=root.user_agent)
