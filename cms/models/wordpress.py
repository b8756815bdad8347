from django.db import models


class OldSlug(models.Model):
    """A slug a post had before: an imported WordPress permalink (`_wp_old_slug`, a non-Latin or
    trashed slug), or one it was renamed from. `post(slug:)` finds the post by it."""

    post = models.ForeignKey("cms.Post", on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.slug


class WordPressKind(models.TextChoices):
    AUTHOR = "author"
    POST = "post"
    COMMENT = "comment"


class WordPressItem(models.Model):
    """What `import_wxr` made of one WordPress author (by login), post or comment (by id) of one
    site, so a second import of the same export changes nothing. The Hearth row may have been
    deleted since (null): a later import does not bring it back."""

    site = models.CharField(max_length=200, help_text="The export's wp:base_site_url.")
    kind = models.CharField(max_length=10, choices=WordPressKind.choices)
    key = models.CharField(max_length=200, help_text="The author's login, or the post's or "
                                                     "comment's id.")
    user = models.ForeignKey("cms.User", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    post = models.ForeignKey("cms.Post", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    comment = models.ForeignKey("cms.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "key"], name="wordpress_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.kind} {self.key}"
