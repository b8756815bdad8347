from django.db import models
from django.utils import timezone

# What a revision keeps: the words of a post and what is shown with them. Status, slug and
# counts are not content and have their own history (webhooks, the admin log).
REVISED_FIELDS = ("title", "excerpt", "body", "tags", "featured_image_id")


class PostRevision(models.Model):
    """One saved state of a post's content, written by the post services on every change,
    whichever door it came through."""

    post = models.ForeignKey("cms.Post", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1 for the first revision of its post.")
    title = models.CharField(max_length=300)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True)
    tags = models.JSONField(default=list, help_text="Tag names, in order.")
    featured_image = models.ForeignKey(
        "cms.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The featured image then; empty when it had none or the image was deleted.")
    created_by = models.ForeignKey("cms.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["post", "-number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"],
                                               name="post_revision_number_unique")]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"

    def content(self) -> dict:
        return {name: getattr(self, name) for name in REVISED_FIELDS}
