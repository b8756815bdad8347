"""Writes to the image library: upload (validate, clean, make the renditions, store) and delete.

An upload is refused, with nothing stored, unless it is a real image Pillow decodes in full, of
an allowed format, one frame, within HEARTH_IMAGE_MAX_BYTES and HEARTH_IMAGE_MAX_PIXELS (the
pixel limit is checked from the header, before anything is decoded: a decompression bomb is a
small file of a huge image). The image is turned upright by its EXIF orientation and stored
re-encoded from its pixels, so EXIF (GPS, camera, dates), XMP, IPTC and comments are gone; only
the colour profile is kept."""

import hashlib
import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from cms import content_versions
from cms.errors import DomainError, ErrorCode, ValidationErrors
from cms.models import Image, Post
from cms.models.images import MAX_ALT
from cms.policies import require_image_uploader, require_moderator
from cms.renditions import render, webp_spec

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}, "GIF": {}}


def _invalid(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID, message, field="file")


def _clean_alt(alt: str | None) -> str:
    """Alt text on one line (runs of whitespace, line breaks too, become one space), not blank,
    bounded."""
    alt = " ".join((alt or "").split())
    if not alt:
        raise DomainError(ErrorCode.REQUIRED, "Describe the image in its alt text, for people "
                          "who cannot see it.", field="alt")
    if len(alt) > MAX_ALT:
        raise DomainError(ErrorCode.INVALID, f"Alt text has at most {MAX_ALT} characters.",
                          field="alt")
    if any(ord(c) < 32 or c == "\x7f" or 0xD800 <= ord(c) <= 0xDFFF for c in alt):
        raise DomainError(ErrorCode.INVALID, "Alt text may not contain control characters or "
                          "invalid Unicode.", field="alt")
    return alt


def _read(file) -> bytes:
    """The upload's bytes, refused past the limit without reading further."""
    if not hasattr(file, "read"):
        raise _invalid("Send the image as a file: a part of a multipart request.")
    limit = settings.HEARTH_IMAGE_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _invalid(f"The file has {size:,} bytes; at most {limit:,} fit "
                       "(HEARTH_IMAGE_MAX_BYTES).")
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _invalid(f"The file is larger than {limit:,} bytes (HEARTH_IMAGE_MAX_BYTES).")
    if not data:
        raise _invalid("The file is empty.")
    return data


def _decode(data: bytes) -> PILImage.Image:
    """The image decoded in full, upright, or the reason it is refused."""
    formats = settings.HEARTH_IMAGE_FORMATS
    accepted = ", ".join(formats)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            # Only the allowed decoders are tried: an SVG, HTML or PostScript file never
            # reaches a parser, whatever its name says.
            image = PILImage.open(io.BytesIO(data), formats=formats)
            width, height = image.size
            if width * height > settings.HEARTH_IMAGE_MAX_PIXELS:
                raise _invalid(f"The image is {width:,} x {height:,} pixels; at most "
                               f"{settings.HEARTH_IMAGE_MAX_PIXELS:,} pixels fit "
                               "(HEARTH_IMAGE_MAX_PIXELS).")
            # A phone's JPEG may carry a second, smaller picture (MPO): the first is the photo.
            if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
                raise _invalid("Animated images are not accepted; upload a still image.")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except DomainError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _invalid("The image has too many pixels (HEARTH_IMAGE_MAX_PIXELS).") from None
    except UnidentifiedImageError:
        raise _invalid(f"The file is not an image of an accepted format ({accepted}).") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise _invalid("The image is damaged or truncated and cannot be read.") from None
    upright.format = "JPEG" if image.format == "MPO" else image.format
    return upright


def _encode(image: PILImage.Image) -> bytes:
    """The image re-encoded from its pixels: nothing of the upload's metadata but its colour
    profile comes along."""
    icc = image.info.get("icc_profile")
    options = dict(SAVE_OPTIONS[image.format])
    if icc:
        options["icc_profile"] = icc
    if image.format == "GIF" and "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    fmt = image.format
    image.info = {}
    out = io.BytesIO()
    image.save(out, fmt, **options)
    image.format = fmt
    return out.getvalue()


def _store(name: str, content: bytes) -> str:
    """Save under a content-addressed name; the same bytes are already there if it exists."""
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(content))


def _renditions(image: PILImage.Image, folder: str) -> list[list]:
    """[[width, height, name], ...] narrowest first: WebP at each configured width below the
    original's, and at the original's."""
    widths = [w for w in settings.HEARTH_IMAGE_WIDTHS if w < image.width] + [image.width]
    made = []
    for width in widths:
        content = render(webp_spec(width), image)
        with PILImage.open(io.BytesIO(content)) as rendition:
            size = rendition.size
        digest = hashlib.sha256(content).hexdigest()[:16]
        name = _store(f"{folder}/{size[0]}w-{digest}.webp", content)
        made.append([size[0], size[1], name])
    return made


def image_upload(*, actor, file, alt: str) -> Image:
    """Validate, clean and store an uploaded image with its renditions. The files are written
    before the row; a row that is then refused leaves only content-addressed files no row names,
    which a later upload of the same image reuses."""
    require_image_uploader(actor)
    errors = []
    try:
        alt = _clean_alt(alt)
    except DomainError as error:
        errors.append(error)
    try:
        data = _read(file)
        image = _decode(data)
        original = _encode(image)
    except DomainError as error:
        errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    try:
        digest = hashlib.sha256(original).hexdigest()
        folder = f"images/{digest[:32]}"
        name = _store(f"{folder}/original.{EXTENSIONS[image.format]}", original)
        renditions = _renditions(image, folder)
    except (OSError, ValueError, MemoryError):
        raise _invalid("The image could not be processed.") from None
    with transaction.atomic():
        return Image.objects.create(
            file=name, digest=digest, format=image.format, width=image.width,
            height=image.height, bytes=len(original), renditions=renditions, alt=alt,
            uploaded_by=actor)


@transaction.atomic
def image_update_alt(*, actor, image: Image, alt: str) -> Image:
    require_image_uploader(actor)
    if not actor.is_moderator and image.uploaded_by_id != actor.pk:
        raise DomainError(ErrorCode.FORBIDDEN, "You may only change your own images.")
    image.alt = _clean_alt(alt)
    image.save(update_fields=["alt"])
    for post_id in Post.objects.filter(featured_image=image).values_list("pk", flat=True):
        content_versions.post_written(post_id)
    return image


@transaction.atomic
def image_delete(*, actor, image: Image) -> int:
    """Remove an image from the library (moderators). Posts it featured lose their featured
    image; the files stay, since a post's body may still show them by URL."""
    require_moderator(actor)
    pk = image.pk
    for post_id in Post.objects.filter(featured_image=image).values_list("pk", flat=True):
        content_versions.post_written(post_id)
    image.delete()
    return pk
