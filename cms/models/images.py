"""The image library: an uploaded image, cleaned of its metadata, and its renditions.

Every file has a content-addressed name (`images/<digest>/...`, the digest being the SHA-256 of
the cleaned original), so a file never changes under its URL; renditions are made once, at
upload, and their names and sizes are kept on the row, so a read needs neither the storage nor
the image."""

from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

MAX_ALT = 500


class Image(models.Model):
    file = models.FileField(max_length=200, editable=False,
                            help_text="The cleaned original: orientation applied, metadata "
                                      "stripped.")
    digest = models.CharField(max_length=64, db_index=True, editable=False,
                              help_text="SHA-256 of the cleaned original, in hex.")
    format = models.CharField(max_length=8, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    bytes = models.PositiveIntegerField(editable=False, help_text="Size of the cleaned original.")
    # [[width, height, storage name], ...], narrowest first: WebP renditions, the last as wide as
    # the original.
    renditions = models.JSONField(default=list, editable=False)
    alt = models.CharField(max_length=MAX_ALT, help_text="What the image shows, for people who "
                                                         "cannot see it.")
    uploaded_by = models.ForeignKey("cms.User", null=True, on_delete=models.SET_NULL,
                                    related_name="images", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.alt[:60] or f"image {self.pk}"

    def rendition(self, width: int | None = None) -> tuple[int, int, str]:
        """The widest rendition at most `width` pixels wide (the narrowest when none is), or
        the widest of all without a width."""
        chosen = self.renditions[-1]
        if width is not None:
            fitting = [r for r in self.renditions if r[0] <= width]
            chosen = fitting[-1] if fitting else self.renditions[0]
        return tuple(chosen)

    def url(self, width: int | None = None) -> str:
        return default_storage.url(self.rendition(width)[2])

    def rendition_urls(self) -> list[tuple[int, str]]:
        """(width, address) of each rendition, narrowest first."""
        return [(w, default_storage.url(name)) for w, _, name in self.renditions]
