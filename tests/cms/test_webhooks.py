"""Publish webhooks, delivered to a real HTTP receiver on localhost (which needs
HEARTH_WEBHOOK_ALLOW_PRIVATE: the default refuses it, see test_webhooks_ssrf.py)."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cms.models import Role, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from cms.models.webhooks import DeliveryStatus
from cms.services.comments import comment_moderate
from cms.services.posts import post_publish, post_update
from cms.webhooks import deliver_due, verify
from tests.conftest import make_user
from tests.support.factories import comment, draft_post, published_post


class Receiver:
    """A local HTTP server that records requests and answers with the queued status codes
    (then 200), `reply_headers` and `reply_body`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.reply_headers: dict[str, str] = {}
        self.reply_body = b"ok"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "body": body,
                                          "headers": {k.lower(): v for k, v in
                                                      self.headers.items()}})
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                for name, value in {**receiver.reply_headers,
                                    "Content-Length": str(len(receiver.reply_body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(receiver.reply_body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver(allow_private):
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def editor(db):
    return make_user("eddie", Role.EDITOR)


def make_endpoint(url, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, **fields)


def make_due() -> None:
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())


def test_publishing_sends_a_signed_event(receiver, editor):
    endpoint = make_endpoint(receiver.url, events=["post.published"])
    post = draft_post(editor)
    post_publish(actor=editor, post=post)

    assert deliver_due() == 1

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert request["headers"]["webhook-id"].startswith("msg_")
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    assert request["headers"]["content-type"] == "application/json"
    event = json.loads(request["body"])
    assert event["type"] == "post.published"
    assert event["data"] == {"id": post.pk, "slug": post.slug, "status": "PUBLISHED",
                             "post": post.pk, "cacheTags": [f"post:{post.pk}", "posts"]}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.delivered_at is not None


def test_signing_matches_the_standard_webhooks_reference_vector():
    from cms.webhooks import sign

    signature = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                     1614265330, b'{"test": 2432232314}')

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_tampered_body_or_wrong_secret_does_not_verify(receiver, editor):
    endpoint = make_endpoint(receiver.url)
    post_publish(actor=editor, post=draft_post(editor))
    deliver_due()
    request = receiver.requests[0]

    assert not verify(endpoint.secret, request["headers"], request["body"] + b" ")
    other = WebhookEndpoint(url=receiver.url)  # a fresh random secret
    assert not verify(other.secret, request["headers"], request["body"])


def test_the_official_standard_webhooks_library_verifies_a_delivery(receiver, editor):
    from standardwebhooks import Webhook

    endpoint = make_endpoint(receiver.url)
    post_publish(actor=editor, post=draft_post(editor))
    deliver_due()
    request = receiver.requests[0]

    event = Webhook(endpoint.secret).verify(request["body"], request["headers"])

    assert event["type"] == "post.published"


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_a_replay_outside_five_minutes_does_not_verify(age):
    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    from cms.webhooks import sign

    secret, body = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", b'{"type":"post.published"}'
    stamp = int(time.time()) - age
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(stamp),
               "webhook-signature": sign(secret, "msg_1", stamp, body)}

    assert not verify(secret, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
    fresh = int(time.time()) - 60
    headers.update({"webhook-timestamp": str(fresh),
                    "webhook-signature": sign(secret, "msg_1", fresh, body)})
    assert verify(secret, headers, body)


def test_malformed_signature_headers_do_not_verify():
    secret, body = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", b"{}"
    now = str(int(time.time()))

    assert not verify(secret, {"webhook-id": "msg_1", "webhook-timestamp": now,
                               "webhook-signature": "v1"}, body)
    assert not verify(secret, {"webhook-id": "msg_1", "webhook-timestamp": "soon",
                               "webhook-signature": "v1,AAAA"}, body)
    assert not verify(secret, {"webhook-id": "msg_1", "webhook-timestamp": now}, body)


def test_only_subscribed_active_endpoints_get_an_event(receiver, editor):
    make_endpoint(receiver.url + "/published", events=["post.published"])
    make_endpoint(receiver.url + "/updated", events=["post.updated"])
    make_endpoint(receiver.url + "/everything", events=[])
    make_endpoint(receiver.url + "/inactive", events=[], active=False)

    post_publish(actor=editor, post=draft_post(editor))
    deliver_due()

    assert sorted(r["path"] for r in receiver.requests) == ["/hook/everything", "/hook/published"]


def test_internal_events_are_not_sent(receiver, editor):
    make_endpoint(receiver.url)
    post = published_post(editor)
    WebhookDelivery.objects.all().delete()
    from cms.services.reactions import reaction_add

    reaction_add(subject=post, kind="like", visitor_key="v" * 32)

    assert WebhookDelivery.objects.count() == 0


def test_comment_events_name_the_post(receiver, editor):
    make_endpoint(receiver.url, events=["comment.created", "comment.approved"])
    post = published_post(editor)
    held = comment(post, status="pending")
    comment_moderate(actor=editor, comment=held, status="approved")
    deliver_due()

    events = sorted((json.loads(r["body"]) for r in receiver.requests),
                    key=lambda e: e["type"])
    assert [e["type"] for e in events] == ["comment.approved", "comment.created"]
    assert events[0]["data"] == {"id": held.pk, "post": post.pk, "status": "APPROVED",
                                 "postSlug": post.slug,
                                 "cacheTags": [f"post-comments:{post.pk}", "posts"]}
    assert events[1]["data"]["cacheTags"] == [f"post-comments:{post.pk}"]


def test_removing_an_approved_comment_is_announced(receiver, editor):
    make_endpoint(receiver.url, events=["comment.removed"])
    post = published_post(editor)
    shown = comment(post, user=editor)
    comment_moderate(actor=editor, comment=shown, status="spam")
    comment_moderate(actor=editor, comment=shown, status="trash")  # already out: no event
    deliver_due()

    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["type"] for e in events] == ["comment.removed"]
    assert events[0]["data"]["cacheTags"] == [f"post-comments:{post.pk}", "posts"]


def test_a_rolled_back_write_enqueues_nothing(receiver, editor):
    make_endpoint(receiver.url)
    post = draft_post(editor)

    with pytest.raises(RuntimeError), transaction.atomic():
        post_publish(actor=editor, post=post)
        raise RuntimeError("the request failed after the service ran")

    assert WebhookDelivery.objects.count() == 0
    assert deliver_due() == 0
    assert receiver.requests == []


def test_a_500_is_retried_until_it_succeeds(receiver, editor):
    make_endpoint(receiver.url)
    receiver.statuses = [500, 503]
    post_publish(actor=editor, post=draft_post(editor))

    deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.PENDING, 1, 500)
    assert deliver_due() == 0  # not due yet
    make_due()
    deliver_due()
    make_due()
    deliver_due()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 3)
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1  # one message id across retries


def test_backoff_grows_fourfold_then_gives_up(receiver, editor, settings):
    settings.HEARTH_WEBHOOK_BACKOFF_SECONDS = 10
    settings.HEARTH_WEBHOOK_MAX_ATTEMPTS = 5
    make_endpoint(receiver.url)
    receiver.statuses = [500] * 10
    post_publish(actor=editor, post=draft_post(editor))

    waits = []
    for _ in range(5):
        make_due()
        before = timezone.now()
        deliver_due()
        delivery = WebhookDelivery.objects.get()
        waits.append(round((delivery.next_attempt_at - before).total_seconds()))

    assert waits[:4] == [10, 40, 160, 640]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)
    assert WebhookAttempt.objects.count() == 5
    make_due()
    assert deliver_due() == 0  # a failed delivery is never retried


def test_a_dead_endpoint_never_blocks_the_write(editor, settings, allow_private):
    settings.HEARTH_WEBHOOK_TIMEOUT_SECONDS = 1
    dead = Receiver()
    url = dead.url
    dead.close()  # nothing listens on this port any more
    make_endpoint(url)

    post = published_post(editor)
    post = post_update(actor=editor, post=post, title="Still saved")
    deliver_due()

    post.refresh_from_db()
    assert post.title == "Still saved"
    delivery = WebhookDelivery.objects.filter(event="post.updated").get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "Error" in delivery.last_error


def test_a_slow_endpoint_times_out_and_is_retried(receiver, editor, settings):
    settings.HEARTH_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 2
    make_endpoint(receiver.url)
    post_publish(actor=editor, post=draft_post(editor))

    started = time.monotonic()
    deliver_due()

    assert time.monotonic() - started < 2
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error.lower()


def test_a_build_hook_gets_an_empty_post(receiver, editor):
    make_endpoint(receiver.url, build_hook=True)
    post_publish(actor=editor, post=draft_post(editor))

    deliver_due()

    assert receiver.requests[0]["body"] == b""
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_run_webhooks_once_drains_the_queue(receiver, editor):
    make_endpoint(receiver.url)
    post = draft_post(editor)
    post_publish(actor=editor, post=post)
    post_update(actor=editor, post=post, title="Again")

    call_command("run_webhooks", "--once")

    assert sorted(json.loads(r["body"])["type"] for r in receiver.requests) == [
        "post.published", "post.updated"]
    assert not WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()


def test_a_claimed_delivery_is_leased_away_from_other_workers(receiver, editor):
    from cms.webhooks import claim_due

    make_endpoint(receiver.url)
    post_publish(actor=editor, post=draft_post(editor))

    assert len(claim_due()) == 1
    assert claim_due() == []
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert len(claim_due()) == 1  # a worker that died leaves it to be retried


def test_the_api_enqueues_on_publish_and_a_refused_mutation_enqueues_nothing(receiver, users):
    from tests.conftest import GraphQLClient
    from tests.support.writes import PUBLISH_POST, gid

    make_endpoint(receiver.url)
    post = draft_post(users["contributor"])
    refused = GraphQLClient().as_user(users["contributor"]).execute(
        PUBLISH_POST, {"input": {"id": gid(post)}})
    assert refused["data"]["publishPost"]["errors"][0]["code"] == "FORBIDDEN"
    assert WebhookDelivery.objects.count() == 0

    GraphQLClient().as_user(users["editor"]).execute(PUBLISH_POST, {"input": {"id": gid(post)}})
    deliver_due()

    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["post.published"]
