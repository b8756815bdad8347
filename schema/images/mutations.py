"""Uploading images: the GraphQL multipart request spec (a `multipart/form-data` POST with
`operations`, `map` and the file), one `cms` service call."""

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from cms.services import images as image_services
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.images.types import Image


@strawberry.type(description="The image as stored, or why it was not.")
class ImagePayload:
    image: Image | None = strawberry.field(description="The new image; null when it was "
                                           "refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


@strawberry.type
class ImageMutation:
    @strawberry.mutation(description="Add an image to the library (authors, editors and "
                                     "administrators). Send it as a `multipart/form-data` POST "
                                     "(the GraphQL multipart request spec) with an API token or "
                                     "a session and its CSRF token. JPEG, PNG, WebP or GIF "
                                     "(HEARTH_IMAGE_FORMATS), one frame, within "
                                     "HEARTH_IMAGE_MAX_BYTES and HEARTH_IMAGE_MAX_PIXELS; it is "
                                     "turned upright and stripped of EXIF (GPS), XMP and "
                                     "comments.")
    def upload_image(self, info: Info,
                     file: Annotated[Upload, strawberry.argument(
                         description="The image file: the multipart request's file part.")],
                     alt: Annotated[str, strawberry.argument(
                         description="What the image shows, for people who cannot see it: "
                                     "required, at most 500 characters.")]) -> ImagePayload:
        image, errors = attempt(info, lambda: image_services.image_upload(
            actor=info.context.user, file=file, alt=alt))
        return ImagePayload(image=image, errors=errors)
