"""Writing comments and moderating them: each mutation maps its input to one `cms` service call
in one transaction, and a refusal to `errors`."""

from typing import Annotated

import strawberry

from cms.selectors.comments import comment_any
from cms.services import comments as comment_services
from schema.comments.types import Comment, CommentId, CommentStatus
from schema.core import lookups
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.ids import load_visible
from schema.posts.mutations import DeletePayload, deleted


@strawberry.input(description="A comment on a post, or a reply to one of its approved comments.")
class AddCommentInput:
    post_id: strawberry.ID = strawberry.field(description="The global ID of the post, which "
                                              "must be published with comments open.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="A reply when "
                                                                                 "given.")
    body: str = strawberry.field(description="Markdown, not blank, at most 65,525 characters.")
    author_name: str | None = strawberry.field(default=None, description="Guests: required.")
    author_email: str | None = strawberry.field(default=None, description="Guests: required. "
                                                "Never shown publicly.")
    author_url: str | None = strawberry.field(default=None, description="The commenter's web "
                                              "address, shown with the comment; at most 200 "
                                              "characters.")
    notify_replies: bool | None = strawberry.field(
        default=False, description="E-mail the commenter when an approved reply to this comment "
                                   "comes (each message with an unsubscribe link); counts against "
                                   "the caller's e-mail quota (RATE_LIMITED).")


@strawberry.input(description="The new text of a comment.")
class EditCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")
    body: str = strawberry.field(description="The new Markdown text, not blank, at most 65,525 "
                                 "characters.")


@strawberry.input(description="A moderation decision on a comment.")
class ModerateCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")
    status: CommentStatus = strawberry.field(description="Its new state: APPROVED to publish it, "
                                             "PENDING to hold it, SPAM or TRASH to remove it.")


@strawberry.type(description="The comment as written (even while PENDING), or why it was not.")
class CommentPayload:
    comment: Comment | None = strawberry.field(description="The comment after the change; null "
                                               "when it was refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


def comment_payload(info: Info, write) -> CommentPayload:
    comment, errors = attempt(info, write)
    return CommentPayload(comment=comment, errors=errors)


@strawberry.type
class CommentMutation:
    @strawberry.mutation(description="Comment on a post, or reply to a comment. A guest's first "
                                     "comment comes back PENDING.")
    def add_comment(self, info: Info, input: Annotated[AddCommentInput, strawberry.argument(
            description="The comment.")]) -> CommentPayload:
        context = info.context

        def write():
            post = lookups.visible_post(info, input.post_id, "postId")
            parent = None
            if input.parent_id is not None:
                parent = load_visible(comment_any, input.parent_id,
                                      field="parentId", type_name="Comment")
            comment = comment_services.comment_create(
                actor=context.user, post=post, parent=parent, body=input.body,
                author_name=input.author_name, author_email=input.author_email,
                author_url=input.author_url, ip_address=context.client_ip,
                user_agent=context.request.headers.get("User-Agent", ""),
                notify_replies=bool(input.notify_replies), visitor_key=context.visitor_key)
            context.own_comment_ids.add(comment.pk)
            return comment

        return comment_payload(info, write)

    @strawberry.mutation(description="Change a comment's text: its author for a while, "
                                     "moderators always.")
    def edit_comment(self, info: Info, input: Annotated[EditCommentInput, strawberry.argument(
            description="The comment and its new text.")]) -> CommentPayload:
        return comment_payload(info, lambda: comment_services.comment_edit(
            actor=info.context.user, comment=lookups.visible_comment(info, input.id),
            body=input.body))

    @strawberry.mutation(description="Remove a comment. One with approved replies stays as a "
                                     "placeholder.")
    def delete_comment(self, info: Info, id: CommentId) -> DeletePayload:
        return deleted("Comment", attempt(info, lambda: comment_services.comment_delete(
            actor=info.context.user, comment=lookups.visible_comment(info, id))))

    @strawberry.mutation(description="Approve, hold, mark as spam or trash a comment. Editors and "
                                     "administrators only.")
    def moderate_comment(self, info: Info, input: Annotated[
            ModerateCommentInput, strawberry.argument(description="The comment and its new "
                                                      "state.")]) -> CommentPayload:
        return comment_payload(info, lambda: comment_services.comment_moderate(
            actor=info.context.user, comment=lookups.visible_comment(info, input.id),
            status=input.status.value))
