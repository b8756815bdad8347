"""Publish webhooks: enqueue inside the write's transaction, deliver from the `run_webhooks` worker.

Requests are signed per Standard Webhooks (https://www.standardwebhooks.com): headers
`webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, keyed with the base64 part of the endpoint's `whsec_` secret;
signed and verified with the official `standardwebhooks` library.
"""

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cms.models import Comment, Post
from cms.models.webhooks import (
    WEBHOOK_EVENTS,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger("hearth")
USER_AGENT = "Hearth-Webhooks/1"
RESPONSE_EXCERPT_CHARS = 200  # of an endpoint's answer, kept for the admin
ERROR_EXCERPT_CHARS = 500


# Enqueueing ------------------------------------------------------------------------------------


def enqueue_post_event(post: Post, event: str) -> list[WebhookDelivery]:
    """Announce `event` (one of WEBHOOK_EVENTS) about `post`: one delivery row per active
    endpoint subscribed to it, written in the caller's transaction, so a write that rolls back
    sends nothing."""
    return _enqueue(event, post.pk, {"id": post.pk, "slug": post.slug,
                                     "status": post.public_status})


def enqueue_comment_event(comment: Comment, event: str) -> list[WebhookDelivery]:
    """As `enqueue_post_event`, for a comment; the event names its post."""
    return _enqueue(event, comment.post_id, {"id": comment.pk, "post": comment.post_id,
                                             "status": comment.status.upper()})


def _enqueue(event: str, post_id: int, payload: dict) -> list[WebhookDelivery]:
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"{event!r} is not a webhook event.")
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.subscribes_to(event)]
    if not endpoints:
        return []
    data = {**payload, "post": post_id, "cacheTags": purge_tags(event, post_id)}
    if event.startswith("comment."):
        data["postSlug"] = Post.objects.filter(pk=post_id).values_list("slug", flat=True).first()
    return enqueue_for(endpoints, event, data)


def purge_tags(event: str, post_id: int) -> list[str]:
    """The CDN cache tags (see `schema.http.http_cache`) an event makes stale."""
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


# Destinations ----------------------------------------------------------------------------------


class RefusedDestination(Exception):
    """A URL Hearth does not call. Retrying cannot help until the endpoint is changed."""


def is_public_address(address: str) -> bool:
    """Whether `address` is a public unicast address: not loopback, private (RFC 1918,
    fc00::/7, 100.64/10), link-local, multicast, unspecified or reserved, nor an IPv4-mapped or
    6to4 IPv6 form of one."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


@dataclass(frozen=True)
class Destination:
    https: bool
    host: str
    port: int
    target: str  # path and query
    addresses: list[str]  # what `host` resolved to, each checked


def resolve(url: str) -> Destination:
    """Look up `url`'s host once and check every address it resolves to (unless
    HEARTH_WEBHOOK_ALLOW_PRIVATE). Raises RefusedDestination, or OSError when the lookup fails."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RefusedDestination("Only http:// and https:// URLs are called.")
    https = parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as error:
        raise RefusedDestination(f"Bad port: {error}") from None
    found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.HEARTH_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public_address(address):
                raise RefusedDestination(
                    f"{parts.hostname} resolves to {address}, not a public address (loopback, "
                    "private, link-local, multicast or reserved); Hearth does not call those "
                    "unless HEARTH_WEBHOOK_ALLOW_PRIVATE is on.")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(https, parts.hostname, port, target, addresses)


def _open_socket(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A connection to the first of `addresses` that answers: the checked addresses, never a
    second lookup of the name, which DNS rebinding could point elsewhere."""
    failure = OSError("No address to connect to.")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.addresses = destination.addresses

    def connect(self):
        self.sock = _open_socket(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address, with the URL's host name for SNI and the certificate check."""

    def __init__(self, destination: Destination, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=self.tls)
        self.addresses = destination.addresses

    def connect(self):
        sock = _open_socket(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def excerpt(text: bytes | str, limit: int = RESPONSE_EXCERPT_CHARS) -> str:
    """The first `limit` characters of what an endpoint (or an error) said, control characters
    replaced: stored as plain text, which the admin shows escaped."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in text[:limit])


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


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code, response excerpt, error) of one request. Redirects are not followed: a 3xx
    is a non-2xx answer like any other. Raises RefusedDestination."""
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
    timeout = settings.HEARTH_WEBHOOK_TIMEOUT_SECONDS
    try:
        destination = resolve(endpoint.url)
        pinned = _PinnedHTTPSConnection if destination.https else _PinnedHTTPConnection
        client = pinned(destination, timeout)
        try:
            client.request("POST", destination.target, body=body, headers=headers)
            response = client.getresponse()
            answer = excerpt(response.read(4 * RESPONSE_EXCERPT_CHARS))
        finally:
            client.close()
    except RefusedDestination:
        raise
    except Exception as error:  # noqa: BLE001 - any failure is logged and retried
        return None, "", excerpt(f"{type(error).__name__}: {error}", ERROR_EXCERPT_CHARS)
    error = "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    return response.status, answer, error


def attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """Send `delivery` once, log the attempt, and schedule a retry or settle it."""
    endpoint = delivery.endpoint
    started = time.monotonic()
    try:
        status_code, response_body, error = _post(endpoint, delivery)
        refused = False
    except RefusedDestination as reason:
        status_code, response_body, error, refused = None, "", f"Refused: {reason}", True
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
    elif refused or delivery.attempts >= settings.HEARTH_WEBHOOK_MAX_ATTEMPTS:
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
