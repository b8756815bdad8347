from django.db import models
from django.db.models import Q
from django.utils import timezone

from cms.models.reactions import ReactionCounts

# A comment's `path` is its ancestors' ids and its own, each as PATH_SEGMENT digits, so sorting a
# post's comments by path reads the thread depth-first with replies oldest first.
PATH_SEGMENT = 12


class CommentStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


def _in_thread() -> Q:
    return Q(status=CommentStatus.APPROVED) | Q(descendant_count__gt=0)


class CommentQuerySet(models.QuerySet):
    def in_thread(self):
        """What a thread shows: approved comments, and removed ones kept as placeholders because
        approved replies hang under them."""
        return self.filter(_in_thread())

    def in_thread_or_written_by(self, user_id: int | None):
        """What a thread shows, and the comments of account `user_id` (if not None)."""
        shown = _in_thread()
        if user_id is not None:
            shown |= Q(user_id=user_id)
        return self.filter(shown)


class Comment(ReactionCounts, models.Model):
    post = models.ForeignKey("cms.Post", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.TextField(blank=True, editable=False)
    depth = models.PositiveIntegerField(default=0, editable=False)
    user = models.ForeignKey("cms.User", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="comments")
    author_name = models.CharField(max_length=245, blank=True)
    author_email = models.EmailField(max_length=100, blank=True)
    author_url = models.URLField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=16, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    notify_replies = models.BooleanField(
        default=False, help_text="E-mail the author when someone replies (they ticked it).")
    reply_count = models.PositiveIntegerField(default=0, editable=False,
                                              help_text="Approved direct replies.")
    descendant_count = models.PositiveIntegerField(default=0, editable=False,
                                                   help_text="Approved replies at every depth.")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["post", "path"]
        indexes = [
            models.Index(fields=["post", "path"]),
            models.Index(fields=["parent", "path"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["author_email", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")),
                                   name="comment_not_own_parent"),
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values), name="comment_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} on {self.post_id}: {self.body[:40]}"

    @property
    def display_name(self) -> str:
        if self.user_id and self.user:
            return str(self.user)
        return self.author_name

    @property
    def is_placeholder(self) -> bool:
        """Removed, yet kept in the thread so the approved replies under it keep their place."""
        return self.status != CommentStatus.APPROVED

    def ancestor_ids(self) -> list[int]:
        segments = [self.path[i:i + PATH_SEGMENT] for i in range(0, len(self.path), PATH_SEGMENT)]
        return [int(segment) for segment in segments[:-1]]
