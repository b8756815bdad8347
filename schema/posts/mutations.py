"""Writing posts: each mutation maps its input to one `cms` service call in one transaction, and
a refusal to `errors`; the rules live in the services."""

from datetime import datetime

import strawberry

from cms.services import posts as post_services
from cms.services import previews as preview_services
from schema.core import lookups
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.ids import encode_global_id
from schema.posts.types import Post


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


@strawberry.type(description="The post as written, or why it was not.")
class PostPayload:
    post: Post | None
    errors: list[UserError]


@strawberry.type(description="The ID of what was deleted, or why it was not.")
class DeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type(description="A preview token for one post.")
class PreviewTokenPayload:
    token: str | None = strawberry.field(description="Pass as `post(previewToken:)` to read the "
                                                     "post whatever its status.")
    expires_at: datetime | None
    preview_url: str | None = strawberry.field(description="The frontend's preview address "
                                                           "(HEARTH_PREVIEW_URL).")
    errors: list[UserError]


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
    def create_post(self, info: Info, input: CreatePostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_create(
            actor=info.context.user, title=input.title, body=input.body, slug=input.slug,
            excerpt=input.excerpt, tags=input.tags, comments_open=input.comments_open))

    @strawberry.mutation(description="Change a post; left-out fields stay as they are.")
    def update_post(self, info: Info, input: UpdatePostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_update(
            actor=info.context.user, post=lookups.visible_post(info, input.id),
            title=input.title, body=input.body, slug=input.slug, excerpt=input.excerpt,
            tags=input.tags, comments_open=input.comments_open))

    @strawberry.mutation(description="Publish now, or at `publishAt`.")
    def publish_post(self, info: Info, input: PublishPostInput) -> PostPayload:
        return post_payload(info, lambda: post_services.post_publish(
            actor=info.context.user, post=lookups.visible_post(info, input.id),
            publish_at=input.publish_at))

    @strawberry.mutation(description="Take a post back to draft.")
    def unpublish_post(self, info: Info, id: strawberry.ID) -> PostPayload:
        return post_payload(info, lambda: post_services.post_unpublish(
            actor=info.context.user, post=lookups.visible_post(info, id)))

    @strawberry.mutation(description="Delete a post and its comments.")
    def delete_post(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return deleted("Post", attempt(info, lambda: post_services.post_delete(
            actor=info.context.user, post=lookups.visible_post(info, id))))


@strawberry.type
class PreviewMutation:
    @strawberry.mutation(description="A signed, expiring token that lets anyone holding it read "
                                     "this post, draft or not. Editors, administrators and the "
                                     "post's author.")
    def create_preview_token(self, info: Info, id: strawberry.ID) -> PreviewTokenPayload:
        def write():
            post = lookups.visible_post(info, id)
            token, expires_at = preview_services.preview_token_create(actor=info.context.user,
                                                                      post=post)
            return token, expires_at, preview_services.preview_url(post, token)

        result, errors = attempt(info, write)
        token, expires_at, url = result or (None, None, None)
        return PreviewTokenPayload(token=token, expires_at=expires_at, preview_url=url,
                                   errors=errors)
