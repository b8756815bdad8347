import strawberry

from cms.selectors.images import image_library
from schema.core.connections import After, First
from schema.core.context import Info
from schema.core.errors import refusals_as_errors
from schema.core.pagination import page_args
from schema.images.types import ImageConnection


@strawberry.type
class ImageQuery:
    @strawberry.field(description="The image library, newest first: all of it for editors and "
                                  "administrators, their own uploads for authors; refused to "
                                  "anyone else (UNAUTHENTICATED, FORBIDDEN).")
    def images(self, info: Info, first: First = None, after: After = None) -> ImageConnection:
        args = page_args(first, after)
        with refusals_as_errors():
            return ImageConnection(page=image_library(user=info.context.user, args=args))
