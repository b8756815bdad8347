"""How each rendition of a library image is made: django-imagekit specs (pilkit's processors,
the output format and its options, and imagekit's automatic mode conversion).

The specs run once, in the upload service, on the image it has already decoded and cleaned
(imagekit's `process_image`, what `ImageSpec.generate` calls); imagekit's cache-file strategies,
which generate on first access and check the storage or cache on every read, are not used: the
names and sizes of the renditions are stored on the image's row instead."""

from imagekit import ImageSpec
from imagekit.processors import ResizeToFit
from pilkit.utils import process_image

WEBP_QUALITY = 80


def webp_spec(width: int) -> type[ImageSpec]:
    """A WebP rendition at most `width` pixels wide, never enlarged."""
    return type(f"WebP{width}", (ImageSpec,), {
        "processors": [ResizeToFit(width=width, upscale=False)],
        "format": "WEBP",
        "options": {"quality": WEBP_QUALITY, "method": 4},
    })


def render(spec: type[ImageSpec], image) -> bytes:
    """The encoded rendition of a decoded PIL image (left unchanged)."""
    made = process_image(image.copy(), processors=spec.processors, format=spec.format,
                         autoconvert=spec.autoconvert, options=spec.options)
    return made.getvalue()
