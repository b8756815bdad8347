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


def test_an_endpoint_at_a_private_address_is_refused_with_a_form_error(db, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = False
    client = admin_client(db)
    add = reverse("admin:cms_webhookendpoint_add")

    for url in ["http://169.254.169.254/latest/meta-data/", "http://localhost:8000/hook",
                "http://[::ffff:10.0.0.1]/hook"]:
        response = client.post(add, {"url": url, "active": "on"})
        assert response.status_code == 200
        assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()

    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    response = client.post(add, {"url": "http://localhost:8000/hook", "active": "on"})
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "http://localhost:8000/hook"


def test_changing_an_endpoint_to_a_private_address_is_refused(db, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = False
    client = admin_client(db)
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/hook")

    response = client.post(reverse("admin:cms_webhookendpoint_change", args=[endpoint.pk]),
                           {"url": "http://10.0.0.5/hook", "active": "on"})

    assert "10.0.0.5 resolves to 10.0.0.5, not a public address" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://example.com/hook"
