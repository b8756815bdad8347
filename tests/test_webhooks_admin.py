"""Webhooks in the admin: endpoints edited, deliveries and attempts visible."""

from django.test import Client
from django.urls import reverse

from cms.models import Role, WebhookDelivery, WebhookEndpoint
from cms.models.webhooks import TEST_EVENT, DeliveryStatus
from cms.webhooks import enqueue_for
from tests.conftest import make_user


def admin_client(db) -> Client:
    client = Client()
    client.force_login(make_user("ada", Role.ADMINISTRATOR, is_staff=True))
    return client


def test_an_administrator_adds_an_endpoint_with_chosen_events(db):
    client = admin_client(db)
    response = client.post(reverse("admin:cms_webhookendpoint_add"), {
        "url": "https://example.com/hooks/hearth", "description": "Site rebuild",
        "events": ["post.published", "post.deleted"], "active": "on"})

    assert response.status_code == 302, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["post.published", "post.deleted"]
    assert endpoint.secret.startswith("whsec_")
    page = client.get(reverse("admin:cms_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()
    assert "whsec_" not in client.get(reverse("admin:cms_webhookendpoint_add")).content.decode()


def test_send_test_event_queues_a_delivery(db):
    client = admin_client(db)
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/hook")
    client.post(reverse("admin:cms_webhookendpoint_changelist"),
                {"action": "send_test_event", "_selected_action": [endpoint.pk]})

    assert WebhookDelivery.objects.get().event == TEST_EVENT


def test_deliveries_and_their_attempts_are_visible(db):
    from cms.models import WebhookAttempt

    client = admin_client(db)
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/hook")
    [delivery] = enqueue_for([endpoint], "post.published", {"id": 1})
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=502,
                                  error="HTTP 502")

    listing = client.get(reverse("admin:cms_webhookdelivery_changelist"))
    page = client.get(reverse("admin:cms_webhookdelivery_change", args=[delivery.pk]))

    assert listing.status_code == page.status_code == 200
    assert "post.published" in listing.content.decode()
    assert "HTTP 502" in page.content.decode()


def test_retry_now_requeues_a_failed_delivery(db):
    client = admin_client(db)
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/hook")
    [delivery] = enqueue_for([endpoint], "post.published", {"id": 1})
    WebhookDelivery.objects.update(status=DeliveryStatus.FAILED)

    client.post(reverse("admin:cms_webhookdelivery_changelist"),
                {"action": "retry", "_selected_action": [delivery.pk]})

    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
