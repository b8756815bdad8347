"""Publish webhooks: where to send events, and the persistent queue of what is to be sent.

A delivery row is written in the same transaction as the change it announces, so a rolled-back
write sends nothing; the `run_webhooks` worker drains the queue after commit.
"""

import base64
import secrets
import uuid

from django.db import models
from django.utils import timezone

# The events a site may subscribe to; the contract's publish events.
WEBHOOK_EVENTS = [
    "post.published",
    "post.updated",
    "post.unpublished",
    "post.deleted",
    "comment.created",
    "comment.approved",
    "comment.removed",  # no longer approved: spam, trash, deleted or held again
]
TEST_EVENT = "webhook.test"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500, help_text="Where events are POSTed.")
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True,
                              help_text="Events to send; none chosen means every event.")
    secret = models.CharField(max_length=100, default=new_secret,
                              help_text="Signs each request (Standard Webhooks, `whsec_...`).")
    build_hook = models.BooleanField(
        default=False, help_text="A build hook (Netlify, Vercel, Cloudflare Pages): POST an "
                                 "empty body instead of the signed JSON event.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.description or self.url

    def subscribes_to(self, event: str) -> bool:
        return not self.events or event in self.events


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: queued, retried with backoff, then succeeded or failed."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    message_id = models.CharField(max_length=64, unique=True, editable=False,
                                  default=new_message_id,
                                  help_text="The webhook-id header; the same on every retry.")
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, kept for the admin."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
