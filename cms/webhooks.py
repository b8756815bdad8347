"""Publish webhooks: enqueue inside the write's transaction, deliver from the `run_webhooks` worker.

Requests are signed per Standard Webhooks (https://www.standardwebhooks.com): headers
`webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, keyed with the base64 part of the endpoint's `whsec_` secret;
signed and verified with the official `standardwebhooks` library.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cms import events
from cms.models import Post
from cms.models.webhooks import (
    WEBHOOK_EVENTS,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger("hearth")
USER_AGENT = "Hearth-Webhooks/1"


# Enqueueing ------------------------------------------------------------------------------------


def enqueue(event: str, post_id: int, payload: dict) -> list[WebhookDelivery]:
    """The `cms.events` listener: one delivery row per active endpoint subscribed to `event`,
    written in the caller's transaction."""
    if event not in WEBHOOK_EVENTS:
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.subscribes_to(event)]
    if not endpoints:
        return []
    data = {**payload, "post": post_id, "cacheTags": purge_tags(event, post_id)}
    if event.startswith("comment."):
        data["postSlug"] = Post.objects.filter(pk=post_id).values_list("slug", flat=True).first()
    return enqueue_for(endpoints, event, data)


def purge_tags(event: str, post_id: int) -> list[str]:
    """The CDN cache tags (see `schema.http_cache`) an event makes stale."""
    if event == "comment.created":  # held or not, the count moves only with comment.approved
        return [f"post-comments:{post_id}"]
    if event in {"comment.approved", "comment.removed"}:  # lists show comment counts
        return [f"post-comments:{post_id}", "posts"]
    return [f"post:{post_id}", "posts"]


def enqueue_for(endpoints, event: str, data: dict) -> list[WebhookDelivery]:
    body = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, payload=body) for endpoint in endpoints]
    )


def register() -> None:
    events.listen(enqueue)


# Signing ---------------------------------------------------------------------------------------


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return Webhook(secret).sign(message_id, moment, body.decode())


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (an example, used by the tests): the official Standard Webhooks
    library accepts a matching v1 signature only within 5 minutes of its `webhook-timestamp`, so
    a captured request replayed later is refused."""
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except (WebhookVerificationError, ValueError):  # ValueError: a malformed header
        return False
    return True


# Delivering ------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 4x base, 16x base, ..."""
    return timedelta(seconds=settings.HEARTH_WEBHOOK_BACKOFF_SECONDS * 4 ** (attempts - 1))


def claim_due(limit: int = 20) -> list[WebhookDelivery]:
    """Take due deliveries and lease them: their next attempt moves past the request timeout, so
    another worker skips them, and a worker that dies mid-request leaves them to be retried."""
    now = timezone.now()
    with transaction.atomic():
        due = (WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING,
                                              next_attempt_at__lte=now, endpoint__active=True)
               .select_related("endpoint").order_by("next_attempt_at", "id"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due[:limit])
        busy = (settings.HEARTH_WEBHOOK_TIMEOUT_SECONDS + 1) * len(claimed) + 30
        lease = now + timedelta(seconds=busy)  # long enough to send the whole batch
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=lease)
    return claimed


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is a non-2xx answer like any other


_opener = urllib.request.build_opener(_NoRedirects)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code, response body, error) of one request."""
    body = b"" if endpoint.build_hook else json.dumps(delivery.payload,
                                                      separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, body),
    }
    if not endpoint.url.lower().startswith(("http://", "https://")):
        return None, "", "Only http:// and https:// URLs are called."
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        endpoint.url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.HEARTH_WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(1000).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(1000).decode(errors="replace"), f"HTTP {error.code}"
    except Exception as error:  # noqa: BLE001 - any failure is logged and retried
        return None, "", f"{type(error).__name__}: {error}"[:1000]


def attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """Send `delivery` once, log the attempt, and schedule a retry or settle it."""
    endpoint = delivery.endpoint
    started = time.monotonic()
    status_code, response_body, error = _post(endpoint, delivery)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = "" if succeeded else error
    logger.info("Webhook %s to %s, attempt %d: %s", delivery.event, endpoint.url,
                delivery.attempts, status_code or error)
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
    elif delivery.attempts >= settings.HEARTH_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        logger.warning("Webhook %s to %s failed for good: %s", delivery.event, endpoint.url, error)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    with transaction.atomic():
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status",
                                     "delivered_at", "next_attempt_at", "updated_at"])
        return WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, attempted_at=now,
            status_code=status_code, error=error, response_body=response_body,
            duration_ms=duration_ms)


def retry_now(deliveries) -> int:
    """Queue unsucceeded deliveries for one more attempt now (the admin's "Retry now")."""
    return deliveries.exclude(status=DeliveryStatus.SUCCEEDED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())


def deliver_due(limit: int = 20) -> int:
    """Attempt every due delivery, batch by batch. Returns how many attempts were made."""
    made = 0
    while batch := claim_due(limit):
        for delivery in batch:
            attempt(delivery)
            made += 1
    return made
