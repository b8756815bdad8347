from django.db import models
from django.db.models import Q
from django.utils import timezone

from cms.models.loading import LoadsWithoutInit
from cms.models.reactions import ReactionCounts


class PostStatus(models.TextChoices):
    """Stored states. SCHEDULED is not stored: it is PUBLISHED with `published_at` ahead."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TagQuerySet(models.QuerySet):
    def visible_to(self, user, now=None):
        """Tags of a post `user` may read; a tag only drafts carry could name an unpublished
        story."""
        posts = Post.objects.visible_to(user, now).filter(tags=models.OuterRef("pk"))
        return self.filter(models.Exists(posts))


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def is_live(now=None) -> Q:
    """Published, and its time has come."""
    return Q(status=PostStatus.PUBLISHED, published_at__lte=now or timezone.now())


class PostQuerySet(models.QuerySet):
    def live(self, now=None):
        """Posts the public may read."""
        return self.filter(is_live(now))

    def visible_to(self, user, now=None):
        """Every post `user` may read. The one place post visibility is decided."""
        if user is not None and user.is_authenticated and user.is_active:
            if user.is_moderator:
                return self.all()
            return self.filter(is_live(now) | Q(author_id=user.pk))
        return self.live(now)


class Post(LoadsWithoutInit, ReactionCounts, models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
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

    @property
    def public_status(self) -> str:
        """The contract's status: DRAFT, SCHEDULED, PUBLISHED or ARCHIVED."""
        if self.status == PostStatus.PUBLISHED and self.published_at > timezone.now():
            return "SCHEDULED"
        return self.status.upper()
