from django.db import models
from django.db.models import Q
from django.utils import timezone

from cms.models.reactions import ReactionCounts


class PostStatus(models.TextChoices):
    """Stored states. SCHEDULED is not stored: it is PUBLISHED with `published_at` ahead."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The "post is live" rule, written once: published, and its time has come. `is_live` and
# `is_scheduled` split the published posts at `now` in SQL; `Post.is_live` is the same rule for
# a post in hand (tests/cms/test_policies_and_selectors.py checks the three agree). Who sees which
# posts is cms/policies.py's.
# A post in the trash is neither live nor scheduled, whatever its status.
def is_live(now=None) -> Q:
    return Q(status=PostStatus.PUBLISHED, published_at__lte=now or timezone.now(),
             trashed_at__isnull=True)


def is_scheduled(now=None) -> Q:
    return Q(status=PostStatus.PUBLISHED, published_at__gt=now or timezone.now(),
             trashed_at__isnull=True)


class PostQuerySet(models.QuerySet):
    def live(self, now=None):
        """Posts the public may read."""
        return self.filter(is_live(now))

    def live_or_written_by(self, author_id: int, now=None):
        return self.filter(is_live(now) | Q(author_id=author_id))

    def not_trashed(self):
        return self.filter(trashed_at__isnull=True)


class Post(ReactionCounts, models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown: the preview beside the editor shows "
                                                   "it as the site will.")
    html = models.TextField(blank=True, editable=False, help_text="Rendered and sanitized body.")
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey("cms.User", on_delete=models.PROTECT, related_name="posts")
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    comments_open = models.BooleanField(default=True)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    thread_count = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Comments the thread shows: approved ones and placeholders above them.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    trashed_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the post went to the trash; purged HEARTH_TRASH_DAYS later.")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=PostStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now=None) -> bool:
        return (self.status == PostStatus.PUBLISHED and self.trashed_at is None
                and self.published_at <= (now or timezone.now()))

    @property
    def public_status(self) -> str:
        """The contract's status: DRAFT, SCHEDULED, PUBLISHED or ARCHIVED."""
        if (self.status == PostStatus.PUBLISHED and self.trashed_at is None
                and not self.is_live()):
            return "SCHEDULED"
        return self.status.upper()
