"""Writing posts: each mutation maps its input to one `cms` service call in one transaction, and
a refusal to `errors`; the rules live in the services."""

from datetime import datetime
from typing import Annotated

import strawberry

from cms.services import posts as post_services
from cms.services import previews as preview_services
from schema.core import lookups
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.ids import encode_global_id
from schema.posts.types import Post

PostId = Annotated[strawberry.ID, strawberry.argument(description="The post's global ID.")]


@strawberry.input(description="A new post; it starts as a draft.")
class CreatePostInput:
    title: str = strawberry.field(description="Plain text, not blank, at most 300 characters.")
    body: str = strawberry.field(description="Markdown. At most HEARTH_MAX_POST_BODY_LENGTH "
                                 "characters (200,000 by default).")
    slug: str | None = strawberry.field(default=None, description="Made from the title when left "
                                                                  "out, kept unique.")
    excerpt: str | None = strawberry.field(default=None, description="A summary as plain text; "
                                           "empty when left out.")
    tags: list[str] | None = strawberry.field(default=None, description="Tag names; new ones are "
                                                                        "created.")
    comments_open: bool | None = strawberry.field(default=None, description="Whether the post "
                                                  "takes comments; true when left out.")


@strawberry.input(description="Changes to a post; fields left out stay as they are.")
class UpdatePostInput:
    id: strawberry.ID = strawberry.field(description="The post's global ID.")
    title: str | None = strawberry.field(default=None, description="A new title: plain text, at "
                                         "most 300 characters.")
    body: str | None = strawberry.field(default=None, description="A new Markdown body.")
    slug: str | None = strawberry.field(default=None, description="A new slug: lower-case "
                                        "letters, digits and hyphens, unique (DUPLICATE if "
                                        "another post has it).")
    excerpt: str | None = strawberry.field(default=None, description="A new summary; an empty "
                                           "string clears it.")
    tags: list[str] | None = strawberry.field(default=None, description="Replaces the post's "
                                                                        "tags.")
    comments_open: bool | None = strawberry.field(default=None, description="Open or close the "
                                                  "post's comments.")
    author_id: strawberry.ID | None = strawberry.field(
        default=None, description="Give the post to another writer (an Author's global ID): "
        "editors and administrators only (FORBIDDEN for others); the new author must be an "
        "active administrator, editor, author or contributor (INVALID otherwise).")


@strawberry.input(description="The post to publish, now or at a later time.")
class PublishPostInput:
    id: strawberry.ID = strawberry.field(description="The post's global ID.")
    publish_at: datetime | None = strawberry.field(default=None, description="Now when left out; "
                                                   "a future time schedules the post. With a "
                                                   "time zone (INVALID without one).")


@strawberry.type(description="The post as written, or why it was not.")
class PostPayload:
    post: Post | None = strawberry.field(description="The post after the change; null when it "
                                         "was refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


@strawberry.type(description="The ID of what was deleted, or why it was not.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The global ID of what was "
                                                        "deleted; null when it was refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


@strawberry.type(description="A preview token for one post.")
class PreviewTokenPayload:
    token: str | None = strawberry.field(description="Pass as `post(previewToken:)` to read the "
                                                     "post whatever its status.")
    expires_at: datetime | None = strawberry.field(description="When the token stops working "
                                                   "(HEARTH_PREVIEW_TOKEN_SECONDS after it was "
                                                   "made, an hour by default).")
    preview_url: str | None = strawberry.field(description="The frontend's preview address "
                                                           "(HEARTH_PREVIEW_URL).")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


def post_payload(info: Info, write) -> PostPayload:
    post, errors = attempt(info, write)
    return PostPayload(post=post, errors=errors)


def deleted(type_name: str, result: tuple) -> DeletePayload:
    """`attempt`'s (key, errors) of a deletion as its payload."""
    pk, errors = result
    return DeletePayload(deleted_id=encode_global_id(type_name, pk) if pk else None,
                         errors=errors)


@strawberry.type
class PostMutation:
    @strawberry.mutation(description="Write a draft.")
    def create_post(self, info: Info, input: Annotated[CreatePostInput, strawberry.argument(
            description="The new post.")]) -> PostPayload:
        return post_payload(info, lambda: post_services.post_create(
            actor=info.context.user, title=input.title, body=input.body, slug=input.slug,
            excerpt=input.excerpt, tags=input.tags, comments_open=input.comments_open))

    @strawberry.mutation(description="Change a post; left-out fields stay as they are.")
    def update_post(self, info: Info, input: Annotated[UpdatePostInput, strawberry.argument(
            description="The post and the fields to change.")]) -> PostPayload:
        return post_payload(info, lambda: post_services.post_update(
            actor=info.context.user, post=lookups.visible_post(info, input.id),
            title=input.title, body=input.body, slug=input.slug, excerpt=input.excerpt,
            tags=input.tags, comments_open=input.comments_open,
            author=lookups.new_author(info, input.author_id)))

    @strawberry.mutation(description="Publish now, or at `publishAt`.")
    def publish_post(self, info: Info, input: Annotated[PublishPostInput, strawberry.argument(
            description="The post, and when to publish it.")]) -> PostPayload:
        return post_payload(info, lambda: post_services.post_publish(
            actor=info.context.user, post=lookups.visible_post(info, input.id),
            publish_at=input.publish_at))

    @strawberry.mutation(description="Take a post back to draft.")
    def unpublish_post(self, info: Info, id: PostId) -> PostPayload:
        return post_payload(info, lambda: post_services.post_unpublish(
            actor=info.context.user, post=lookups.visible_post(info, id)))

    @strawberry.mutation(description="Move a post to the trash: nobody reads it through the "
                                     "API any more; `restorePost` brings it back, and after "
                                     "HEARTH_TRASH_DAYS (30 by default) it is deleted.")
    def trash_post(self, info: Info, id: PostId) -> PostPayload:
        return post_payload(info, lambda: post_services.post_trash(
            actor=info.context.user, post=lookups.visible_post(info, id)))

    @strawberry.mutation(description="Take a post out of the trash, in the status it had.")
    def restore_post(self, info: Info, id: PostId) -> PostPayload:
        return post_payload(info, lambda: post_services.post_restore(
            actor=info.context.user, post=lookups.trashed_post(info, id)))

    @strawberry.mutation(description="Delete a post and its comments.")
    def delete_post(self, info: Info, id: PostId) -> DeletePayload:
        return deleted("Post", attempt(info, lambda: post_services.post_delete(
            actor=info.context.user, post=lookups.visible_post(info, id))))


@strawberry.type
class PreviewMutation:
    @strawberry.mutation(description="A signed, expiring token that lets anyone holding it read "
                                     "this post, draft or not. Editors, administrators and the "
                                     "post's author.")
    def create_preview_token(self, info: Info, id: PostId) -> PreviewTokenPayload:
        def write():
            post = lookups.visible_post(info, id)
            token, expires_at = preview_services.preview_token_create(actor=info.context.user,
                                                                      post=post)
            return token, expires_at, preview_services.preview_url(post, token)

        result, errors = attempt(info, write)
        token, expires_at, url = result or (None, None, None)
        return PreviewTokenPayload(token=token, expires_at=expires_at, preview_url=url,
                                   errors=errors)
