"""The Writing half of the contract. Each mutation maps its input to one `cms` service call in one
transaction, and maps a refusal to `errors`; the rules live in the services."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import strawberry
from django.db import transaction
from strawberry import relay
from strawberry.types import Info

from cms import errors, models
from cms.errors import DomainError, ValidationErrors
from cms.selectors.comments import comment_any, comment_visible
from cms.selectors.posts import post_visible
from cms.services import comments as comment_services
from cms.services import posts as post_services
from cms.services import reactions as reaction_services
from cms.visitors import new_visitor
from schema.core.ids import decode_global_id, load_visible
from schema.core.loaders import Loaders
from schema.posts.types import Comment, CommentStatus, Post, ReactionKind, ReactionSummary

# The domain's codes (cms/errors.py), defined once, exposed as the contract's enum.
ErrorCode = strawberry.enum(errors.ErrorCode, description="Why a mutation was refused.")


@strawberry.type(description="A reason a mutation was refused, which the caller can fix.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, when one is.")
    message: str = strawberry.field(description="A sentence a person can read.")
    code: ErrorCode
    retry_after: int | None = strawberry.field(
        default=None, description="For RATE_LIMITED: seconds to wait before trying again.")

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=error.message, code=error.code,
                   retry_after=error.retry_after)


def attempt(info: Info, write):
    """Run `write` in one transaction. A refusal rolls it back and becomes `errors`."""
    try:
        with transaction.atomic():
            result = write()
    except ValidationErrors as error:
        return None, [UserError.from_domain(e) for e in error.errors]
    except DomainError as error:
        return None, [UserError.from_domain(error)]
    context = info.context
    context.loaders = Loaders(user=context.user, visitor_key=context.visitor_key)
    return result, []


def user_of(info: Info):
    return info.context.user


def visible_post(info: Info, value: str, field: str = "id") -> models.Post:
    return load_visible(partial(post_visible, reader=info.context.reader), value, field=field,
                        type_name="Post")


def visible_comment(info: Info, value: str, field: str = "id") -> models.Comment:
    return load_visible(partial(comment_visible, reader=info.context.reader), value,
                        field=field, type_name="Comment")


def global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(str(relay.GlobalID(type_name, str(pk))))


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input(description="A new post; it starts as a draft.")
class CreatePostInput:
    title: str
    body: str
    slug: str | None = strawberry.field(default=None, description="Made from the title when left "
                                                                  "out, kept unique.")
    excerpt: str | None = None
    tags: list[str] | None = strawberry.field(default=None, description="Tag names; new ones are "
                                                                        "created.")
    comments_open: bool | None = None


@strawberry.input(description="Changes to a post; fields left out stay as they are.")
class UpdatePostInput:
    id: strawberry.ID
    title: str | None = None
    body: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    tags: list[str] | None = strawberry.field(default=None, description="Replaces the post's "
                                                                        "tags.")
    comments_open: bool | None = None


@strawberry.input(description="The post to publish, now or at a later time.")
class PublishPostInput:
    id: strawberry.ID
    publish_at: datetime | None = strawberry.field(default=None, description="Now when left out; "
                                                   "a future time schedules the post.")


@strawberry.input(description="A comment on a post, or a reply to one of its approved comments.")
class AddCommentInput:
    post_id: strawberry.ID
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="A reply when "
                                                                                 "given.")
    body: str
    author_name: str | None = strawberry.field(default=None, description="Guests: required.")
    author_email: str | None = strawberry.field(default=None, description="Guests: required. "
                                                "Never shown publicly.")
    author_url: str | None = None


@strawberry.input(description="The new text of a comment.")
class EditCommentInput:
    id: strawberry.ID
    body: str


@strawberry.input(description="A moderation decision on a comment.")
class ModerateCommentInput:
    id: strawberry.ID
    status: CommentStatus


@strawberry.input(description="A reaction of one kind to a post or a comment.")
class ReactInput:
    subject_id: strawberry.ID = strawberry.field(description="A Post or a Comment.")
    kind: ReactionKind | None = ReactionKind.LIKE


@strawberry.type(description="The post as written, or why it was not.")
class PostPayload:
    post: Post | None
    errors: list[UserError]


@strawberry.type(description="The comment as written (even while PENDING), or why it was not.")
class CommentPayload:
    comment: Comment | None
    errors: list[UserError]


@strawberry.type(description="The ID of what was deleted, or why it was not.")
class DeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type(description="The subject and its reactions after the change, or why not.")
class ReactionPayload:
    subject: relay.Node | None
    reactions: ReactionSummary | None
    visitor_token: str | None = strawberry.field(description="Issued to an anonymous reactor; send "
                                                             "it back as X-Visitor-Token.")
    errors: list[UserError]


def post_payload(info: Info, write) -> PostPayload:
    post, errors = attempt(info, write)
    return PostPayload(post=post, errors=errors)


def comment_payload(info: Info, write) -> CommentPayload:
    comment, errors = attempt(info, write)
    return CommentPayload(comment=comment, errors=errors)


# Mutations -------------------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Write a draft.")
    def create_post(self, info: Info, input: CreatePostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_create(
            actor=user_of(info), title=input.title, body=input.body, slug=input.slug,
            excerpt=input.excerpt, tags=input.tags, comments_open=input.comments_open))

    @strawberry.mutation(description="Change a post; left-out fields stay as they are.")
    def update_post(self, info: Info, input: UpdatePostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_update(
            actor=user_of(info), post=visible_post(info, input.id), title=input.title,
            body=input.body, slug=input.slug, excerpt=input.excerpt, tags=input.tags,
            comments_open=input.comments_open))

    @strawberry.mutation(description="Publish now, or at `publishAt`.")
    def publish_post(self, info: Info, input: PublishPostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_publish(
            actor=user_of(info), post=visible_post(info, input.id), publish_at=input.publish_at))

    @strawberry.mutation(description="Take a post back to draft.")
    def unpublish_post(self, info: Info, id: strawberry.ID) -> PostPayload:
        return post_payload(info, lambda: post_services.post_unpublish(
            actor=user_of(info), post=visible_post(info, id)))

    @strawberry.mutation(description="Delete a post and its comments.")
    def delete_post(self, info: Info, id: strawberry.ID) -> DeletePayload:
        pk, errors = attempt(info, lambda: post_services.post_delete(
            actor=user_of(info), post=visible_post(info, id)))
        return DeletePayload(deleted_id=global_id("Post", pk) if pk else None, errors=errors)

    @strawberry.mutation(description="Comment on a post, or reply to a comment. A guest's first "
                                     "comment comes back PENDING.")
    def add_comment(self, info: Info, input: AddCommentInput) -> CommentPayload:
        context = info.context

        def write():
            post = visible_post(info, input.post_id, "postId")
            parent = None
            if input.parent_id is not None:
                parent = load_visible(comment_any, input.parent_id,
                                      field="parentId", type_name="Comment")
            comment = comment_services.comment_create(
                actor=user_of(info), post=post, parent=parent, body=input.body,
                author_name=input.author_name, author_email=input.author_email,
                author_url=input.author_url, ip_address=context.client_ip,
                user_agent=context.request.headers.get("User-Agent", ""))
            context.own_comment_ids.add(comment.pk)
            return comment

        return comment_payload(info, write)

    @strawberry.mutation(description="Change a comment's text: its author for a while, "
                                     "moderators always.")
    def edit_comment(self, info: Info, input: EditCommentInput) -> CommentPayload:
        return comment_payload(info, lambda: comment_services.comment_edit(
            actor=user_of(info), comment=visible_comment(info, input.id), body=input.body))

    @strawberry.mutation(description="Remove a comment. One with approved replies stays as a "
                                     "placeholder.")
    def delete_comment(self, info: Info, id: strawberry.ID) -> DeletePayload:
        pk, errors = attempt(info, lambda: comment_services.comment_delete(
            actor=user_of(info), comment=visible_comment(info, id)))
        return DeletePayload(deleted_id=global_id("Comment", pk) if pk else None, errors=errors)

    @strawberry.mutation(description="Approve, hold, mark as spam or trash a comment. Editors and "
                                     "administrators only.")
    def moderate_comment(self, info: Info, input: ModerateCommentInput) -> CommentPayload:
        return comment_payload(info, lambda: comment_services.comment_moderate(
            actor=user_of(info), comment=visible_comment(info, input.id),
            status=input.status.value))

    @strawberry.mutation(description="React to a post or a comment. Idempotent.")
    def react(self, info: Info, input: ReactInput) -> ReactionPayload:
        return _reaction(info, input, reaction_services.reaction_add)

    @strawberry.mutation(description="Take a reaction back. Idempotent.")
    def unreact(self, info: Info, input: ReactInput) -> ReactionPayload:
        return _reaction(info, input, reaction_services.reaction_remove)


def _reaction(info: Info, input: ReactInput, service) -> ReactionPayload:
    context = info.context
    issued_token = None

    def write():
        nonlocal issued_token
        if context.visitor_token_error is not None:
            raise context.visitor_token_error
        subject = _reaction_subject(info, input.subject_id)
        visitor_key = context.visitor_key
        if context.user is None and visitor_key is None:
            visitor_key, issued_token = new_visitor()
        service(subject=subject, kind=(input.kind or ReactionKind.LIKE).value, user=context.user,
                visitor_key=visitor_key)
        context.visitor_key = visitor_key
        subject.refresh_from_db()
        return subject

    subject, errors = attempt(info, write)
    token = issued_token or (context.visitor_token if context.user is None else None)
    return ReactionPayload(subject=subject, reactions=ReactionSummary(subject=subject)
                           if subject else None, visitor_token=token if subject else None,
                           errors=errors)


def _reaction_subject(info: Info, value: str):
    type_name, _ = decode_global_id(value, field="subjectId", types=("Post", "Comment"))
    if type_name == "Post":
        return visible_post(info, value, "subjectId")
    return visible_comment(info, value, "subjectId")  # reactions take only approved ones
