"""E-mail: blog subscribers, addresses that asked for no more mail, and the outbox.

An outbox row is written in the same transaction as the change it tells of, so a rolled-back
write sends nothing; the worker (`manage.py run_webhooks`, cms/mail.py) renders and sends it
after commit, checking again that it should still go (a comment still approved, a post still
live, the address not unsubscribed).
"""

from django.db import models
from django.utils import timezone


class MailKind(models.TextChoices):
    CONFIRM_SUBSCRIPTION = "confirm_subscription"
    NEW_POST = "new_post"  # to one subscriber; with no address, the fan-out to all of them
    REPLY = "reply"  # to a commenter who asked to hear of replies
    NEW_COMMENT = "new_comment"  # to the post's author
    MODERATION = "moderation"  # to a moderator: a comment awaits moderation
    PERSONAL_DATA = "personal_data"  # a link to export or erase one's personal data
    # django-allauth's mails (verify the address, reset the password, ...): rendered in the
    # request that asked for them, kept in `data` until sent, then dropped (their links are keys)
    ACCOUNT = "account"


class MailStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # no longer due: the comment was removed, the address unsubscribed...
    FAILED = "failed"


class Subscriber(models.Model):
    """An address that confirmed it wants new posts by e-mail (double opt-in: a row exists only
    once the link in the confirmation message was followed)."""

    email = models.EmailField(max_length=254, unique=True)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return self.email


class MailOptOut(models.Model):
    """An address that unsubscribed from one kind of message (or from all of them)."""

    class Scope(models.TextChoices):
        ALL = "all"
        NEW_COMMENT = "new_comment"
        MODERATION = "moderation"

    email = models.EmailField(max_length=254)
    scope = models.CharField(max_length=32, choices=Scope.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "scope"],
                                               name="mail_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.email}: no {self.scope}"


class OutgoingMail(models.Model):
    """One message to one address, queued, retried with backoff, then sent, skipped or failed."""

    kind = models.CharField(max_length=32, choices=MailKind.choices)
    to_email = models.EmailField(max_length=254, blank=True)
    # One message per key, ever: a comment approved twice, a post published twice, a second
    # request within the hour send nothing more.
    key = models.CharField(max_length=400, unique=True)
    post = models.ForeignKey("cms.Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    comment = models.ForeignKey("cms.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=MailStatus.choices,
                              default=MailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing e-mail"
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["to_email"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email or 'every subscriber'}"


class PersonalData(Subscriber):
    """The admin's personal-data tool (cms/admin_privacy.py); no table of its own."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "personal data"
