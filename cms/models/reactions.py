from django.db import models
from django.db.models import Q


class ReactionKind(models.TextChoices):
    LIKE = "like"
    LOVE = "love"
    HUG = "hug"
    LAUGH = "laugh"
    WOW = "wow"
    SAD = "sad"
    CELEBRATE = "celebrate"


KINDS = tuple(ReactionKind.values)
COUNT_FIELDS = tuple(f"reactions_{kind}" for kind in KINDS)


def count_field(kind: str) -> str:
    return f"reactions_{kind}"


class ReactionCounts(models.Model):
    """Stored per-kind reaction counts, changed with F() in the transaction that writes the row."""

    reactions_like = models.PositiveIntegerField(default=0, editable=False)
    reactions_love = models.PositiveIntegerField(default=0, editable=False)
    reactions_hug = models.PositiveIntegerField(default=0, editable=False)
    reactions_laugh = models.PositiveIntegerField(default=0, editable=False)
    reactions_wow = models.PositiveIntegerField(default=0, editable=False)
    reactions_sad = models.PositiveIntegerField(default=0, editable=False)
    reactions_celebrate = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def reaction_counts(self) -> dict[str, int]:
        return {kind: getattr(self, field) for kind, field in zip(KINDS, COUNT_FIELDS, strict=True)}


# Reactions whose reactor is listed: an account's, not given privately.
LISTED = Q(user__isnull=False, is_private=False)


class Reaction(models.Model):
    """One reactor's reaction of one kind to a post or a comment."""

    post = models.ForeignKey("cms.Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="reactions")
    comment = models.ForeignKey("cms.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="reactions")
    kind = models.CharField(max_length=16, choices=ReactionKind.choices, default=ReactionKind.LIKE)
    user = models.ForeignKey("cms.User", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="reactions")
    visitor_key = models.CharField(max_length=64, null=True, blank=True,
                                   help_text="An anonymous visitor's id from a signed token.")
    is_private = models.BooleanField(default=False,
                                     help_text="Counted, but the reactor is not listed among "
                                               "the subject's reactors.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="reaction_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(visitor_key__isnull=True))
                | (Q(user__isnull=True) & Q(visitor_key__isnull=False)),
                name="reaction_exactly_one_reactor",
            ),
            models.CheckConstraint(condition=Q(kind__in=ReactionKind.values), name="reaction_kind"),
            models.UniqueConstraint(
                fields=["post", "user", "kind"],
                condition=Q(post__isnull=False, user__isnull=False),
                name="reaction_unique_user_post",
            ),
            models.UniqueConstraint(
                fields=["post", "visitor_key", "kind"],
                condition=Q(post__isnull=False, visitor_key__isnull=False),
                name="reaction_unique_visitor_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "kind"],
                condition=Q(comment__isnull=False, user__isnull=False),
                name="reaction_unique_user_comment",
            ),
            models.UniqueConstraint(
                fields=["comment", "visitor_key", "kind"],
                condition=Q(comment__isnull=False, visitor_key__isnull=False),
                name="reaction_unique_visitor_comment",
            ),
        ]
        # A viewer's own reactions are read by reactor: without this, every page read by a
        # visitor scans the whole table (user_id has its foreign key's index).
        indexes = [
            models.Index(fields=["visitor_key"], condition=Q(visitor_key__isnull=False),
                         name="reaction_visitor"),
            # A subject's reactors, newest first (ReactionSummary.reactors).
            models.Index(fields=["post", "-created_at"], condition=LISTED,
                         name="reaction_listed_post"),
            models.Index(fields=["comment", "-created_at"], condition=LISTED,
                         name="reaction_listed_comment"),
        ]

    def __str__(self) -> str:
        subject = "post" if self.post_id else "comment"
        return f"{self.kind} on {subject} {self.post_id or self.comment_id}"
