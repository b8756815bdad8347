"""Draft preview over GraphQL: `createPreviewToken`, and the posts a `previewToken` opens."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from cms.services import previews as preview_services
from schema.posts.mutations import UserError, attempt, user_of, visible_post


@strawberry.type(description="A preview token for one post.")
class PreviewTokenPayload:
    token: str | None = strawberry.field(description="Pass as `post(previewToken:)` to read the "
                                                     "post whatever its status.")
    expires_at: datetime | None
    preview_url: str | None = strawberry.field(description="The frontend's preview address "
                                                           "(HEARTH_PREVIEW_URL).")
    errors: list[UserError]


@strawberry.type
class PreviewMutation:
    @strawberry.mutation(description="A signed, expiring token that lets anyone holding it read "
                                     "this post, draft or not. Editors, administrators and the "
                                     "post's author.")
    def create_preview_token(self, info: Info, id: strawberry.ID) -> PreviewTokenPayload:
        def write():
            post = visible_post(info, id)
            token, expires_at = preview_services.preview_token_create(actor=user_of(info),
                                                                      post=post)
            return token, expires_at, preview_services.preview_url(post, token)

        result, errors = attempt(info, write)
        token, expires_at, url = result or (None, None, None)
        return PreviewTokenPayload(token=token, expires_at=expires_at, preview_url=url,
                                   errors=errors)
