"""Webhook destinations: loopback, private, link-local, multicast and reserved addresses are
refused after DNS resolution, at send time, unless HEARTH_WEBHOOK_ALLOW_PRIVATE is on; the
address checked is the address connected to; answers are kept as a short excerpt."""

import socket
import ssl
import subprocess
import threading

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.models import Role, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from cms.models.webhooks import DeliveryStatus
from cms.services.posts import post_publish
from cms.webhooks import (
    RESPONSE_EXCERPT_CHARS,
    RefusedDestination,
    deliver_due,
    is_public_address,
    resolve,
)
from tests.cms.test_webhooks import Receiver
from tests.conftest import make_user
from tests.support.factories import draft_post

PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def editor(db):
    return make_user("eddie", Role.EDITOR)


@pytest.fixture
def fake_dns(monkeypatch):
    """Names ending in `.example` resolve to the addresses listed in `fake_dns[name]` (one list
    per lookup, the last repeated); every lookup is recorded in `fake_dns["lookups"]`."""
    answers: dict = {"lookups": []}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if not str(host).endswith(".example"):
            return real(host, port, *args, **kwargs)
        answers["lookups"].append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def publish_to(url: str, editor) -> WebhookDelivery:
    WebhookEndpoint.objects.create(url=url)
    post_publish(actor=editor, post=draft_post(editor))
    return WebhookDelivery.objects.get()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_local_receiver_is_not_called_by_default(receiver, editor, host):
    url = receiver.url.replace("127.0.0.1", host)
    delivery = publish_to(url, editor)

    assert deliver_due() == 1

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.FAILED, 1, None)  # refused once, not retried
    assert delivery.last_error.startswith(f"Refused: {host} resolves to 127.0.0.1, not a public")
    assert "HEARTH_WEBHOOK_ALLOW_PRIVATE" in delivery.last_error
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == 0


def test_the_setting_lets_a_local_receiver_be_called(receiver, editor, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    delivery = publish_to(receiver.url, editor)

    deliver_due()

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://[fe80::1]/",
    "http://10.0.0.5/", "http://172.16.0.1/", "http://192.168.1.1:8080/",  # RFC 1918
    "http://100.64.0.1/",  # shared address space
    "http://[fd00::1]/", "http://[fc00::1]/",  # unique local
    "http://127.0.0.2/", "http://[::1]/", "http://localhost/", "http://LOCALHOST:8000/",
    "http://2130706433/", "http://0x7f.1/",  # 127.0.0.1 spelt as a number
    "http://0.0.0.0/", "http://[::]/",  # unspecified
    "http://224.0.0.1/", "http://[ff02::1]/",  # multicast
    "http://240.0.0.1/", "http://255.255.255.255/",  # reserved, broadcast
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",  # IPv4-mapped
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "ftp://93.184.215.14/", "file:///etc/passwd",
])
def test_non_public_destinations_are_refused(url, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(RefusedDestination):
        resolve(url)


@pytest.mark.parametrize("address", [
    "93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
])
def test_public_addresses_pass_the_check(address):
    assert is_public_address(address)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.100.1.1",
    "0.0.0.0", "224.0.0.251", "239.255.255.250", "240.0.0.1", "::1", "::", "fe80::1", "fd12::1",
    "ff05::2", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2002:a00:1::", "64:ff9b::7f00:1",
])
def test_non_public_addresses_fail_the_check(address):
    assert not is_public_address(address)


def test_a_name_resolving_to_public_addresses_passes(fake_dns):
    fake_dns["hooks.example"] = [[PUBLIC_IP, "2606:4700:4700::1111"]]

    destination = resolve("https://hooks.example/api/revalidate?site=1")

    assert destination.addresses == [PUBLIC_IP, "2606:4700:4700::1111"]
    assert (destination.host, destination.port, destination.target) == (
        "hooks.example", 443, "/api/revalidate?site=1")


def test_one_private_address_among_public_ones_refuses_the_name(fake_dns):
    fake_dns["mixed.example"] = [[PUBLIC_IP, "10.0.0.7"]]

    with pytest.raises(RefusedDestination, match="mixed.example resolves to 10.0.0.7"):
        resolve("https://mixed.example/hook")


def test_the_checked_address_is_the_one_connected_to(receiver, editor, fake_dns, monkeypatch):
    """DNS rebinding: the name answers a public address to the check, then 127.0.0.1."""
    fake_dns["rebind.example"] = [[PUBLIC_IP], ["127.0.0.1"]]
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("no route in the test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    port = receiver.server.server_port
    delivery = publish_to(f"http://rebind.example:{port}/hook", editor)

    deliver_due()

    assert fake_dns["lookups"] == ["rebind.example"]  # resolved once
    assert connected == [(PUBLIC_IP, port)]
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # a network failure is retried
    assert "ConnectionRefusedError" in delivery.last_error


def test_the_request_names_the_host_of_the_url(receiver, editor, fake_dns, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    fake_dns["hook.example"] = [["127.0.0.1"]]
    port = receiver.server.server_port
    publish_to(f"http://hook.example:{port}/hook?x=1", editor)

    deliver_due()

    [request] = receiver.requests
    assert request["path"] == "/hook?x=1"
    assert request["headers"]["host"] == f"hook.example:{port}"


def test_a_redirect_is_not_followed(receiver, editor, settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    elsewhere = Receiver()
    try:
        receiver.statuses = [302]
        receiver.reply_headers = {"Location": elsewhere.url}
        delivery = publish_to(receiver.url, editor)

        deliver_due()

        assert len(receiver.requests) == 1
        assert elsewhere.requests == []
    finally:
        elsewhere.close()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING, 302, "HTTP 302")


def test_only_a_short_excerpt_of_the_answer_is_kept_and_shown_escaped(receiver, editor,
                                                                      settings):
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    receiver.statuses = [500]
    receiver.reply_body = b"<script>alert(1)</script>\x00\x1b[31m" + b"secret " * 10_000
    delivery = publish_to(receiver.url, editor)

    deliver_due()

    attempt = WebhookAttempt.objects.get()
    assert len(attempt.response_body) == RESPONSE_EXCERPT_CHARS
    assert attempt.response_body.startswith("<script>alert(1)</script>\ufffd\ufffd[31msecret ")
    admin = Client()
    admin.force_login(make_user("ada", Role.ADMINISTRATOR, is_staff=True))
    for page in [reverse("admin:cms_webhookdelivery_change", args=[delivery.pk]),
                 reverse("admin:cms_webhookattempt_change", args=[attempt.pk])]:
        html = admin.get(page).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html


def test_https_sends_the_url_name_for_sni_and_checks_the_certificate(editor, fake_dns, settings,
                                                                     tmp_path):
    """TLS goes to the checked address, named as in the URL; a certificate no CA signed fails."""
    settings.HEARTH_WEBHOOK_ALLOW_PRIVATE = True
    fake_dns["tls.example"] = [["127.0.0.1"]]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=tls.example", "-keyout", tmp_path / "key.pem",
                    "-out", tmp_path / "cert.pem"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    names = []
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one():
        conn, _ = listener.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except ssl.SSLError:
            pass  # the client refuses the self-signed certificate
        finally:
            conn.close()

    server = threading.Thread(target=serve_one, daemon=True)
    server.start()
    port = listener.getsockname()[1]
    delivery = publish_to(f"https://tls.example:{port}/hook", editor)

    deliver_due()
    server.join(5)
    listener.close()

    assert names == ["tls.example"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
