"""Reads of the image library: the library's pages, images by id for a reader, the featured
images of posts already shown, and the library images a post body shows."""

import re

from django.db.models import Q

from cms.models import Image
from cms.policies import Reader, library_images, visible_images
from cms.selectors.pagination import Page, PageArgs, paginate

# A library file's storage name inside any URL: images/<32 hex digits of its digest>/<file>.
LIBRARY_NAME = re.compile(r"images/([0-9a-f]{32})/[A-Za-z0-9._-]+")
MAX_BODY_IMAGES = 100


def image_library(*, user, args: PageArgs) -> Page:
    """A page of the library `user` may list, newest first (refused with a DomainError)."""
    return paginate(library_images(user).select_related(None).order_by("-created_at", "-id"),
                    args)


def images_by_ids(*, reader: Reader, ids: list[int]) -> dict[int, Image]:
    return {image.pk: image for image in visible_images(reader).filter(pk__in=ids)}


def image_visible(*, reader: Reader, pk: int) -> Image | None:
    """The image `pk`, if `reader` may see it: the target of a write (`featuredImageId`)."""
    return visible_images(reader).filter(pk=pk).first()


def featured_images(*, ids) -> dict[int, Image]:
    """Images by id, for posts already shown (a post's reader sees its featured image)."""
    return {image.pk: image for image in Image.objects.filter(pk__in=ids)}


def images_in_body(body: str) -> dict[str, Image]:
    """The library images a Markdown body names by URL, by the 32-digit prefix of their
    digest (the folder of their files)."""
    prefixes = list(dict.fromkeys(m.group(1) for m in LIBRARY_NAME.finditer(body)))
    if not prefixes:
        return {}
    named = Q()
    for prefix in prefixes[:MAX_BODY_IMAGES]:
        named |= Q(digest__startswith=prefix)
    found = {}
    for image in Image.objects.filter(named).order_by("pk"):
        found.setdefault(image.digest[:32], image)
    return found
