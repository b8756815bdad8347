"""Images of the library as the Reading half shows them: addresses of renditions, sizes, alt."""

from typing import Annotated

import strawberry
from strawberry import relay

from cms import models
from schema.core.connections import page_connection
from schema.core.context import Info
from schema.core.ids import in_order, node_keys

Width = Annotated[int | None, strawberry.argument(
    description="The widest the image may be, in pixels: the address of the widest rendition "
                "at most this wide (the narrowest rendition when none is). Left out, the "
                "widest rendition, as wide as the original.")]


@strawberry.type(description="An image of the library, cleaned of its metadata (EXIF, GPS), "
                             "with WebP renditions in several widths. Its files never change "
                             "under their addresses: cache them for ever.")
class Image(relay.Node):
    id: relay.NodeID[int]
    width: int = strawberry.field(description="The original's width in pixels, upright.")
    height: int = strawberry.field(description="The original's height in pixels, upright.")
    alt: str = strawberry.field(description="What the image shows, for people who cannot see "
                                "it: the `alt` attribute of an `img`.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.Image)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return in_order(info.context.loaders.images(node_keys(node_ids)), node_ids)

    @strawberry.field(description="The absolute address of a WebP rendition.")
    def url(self, root: strawberry.Parent[models.Image], info: Info,
            width: Width = None) -> str:
        return info.context.absolute(root.url(width))

    @strawberry.field(description="Every rendition as an `img` `srcset`: absolute addresses "
                                  "with their widths (`https://.../640w-....webp 640w, ...`), "
                                  "narrowest first.")
    def srcset(self, root: strawberry.Parent[models.Image], info: Info) -> str:
        absolute = info.context.absolute
        return ", ".join(f"{absolute(url)} {w}w" for w, url in root.rendition_urls())


ImageConnection = page_connection(
    Image, name="Image", noun="image", description="A page of the image library.",
    edges_description="The images of this page, newest first.",
    total_description="How many images the whole library (as the caller lists it) holds.")
