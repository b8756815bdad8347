"""Account e-mails (django-allauth's: verify the address, reset the password) go through the
outbox like every other message: queued in the request's transaction, never sent by it; the
worker (`manage.py run_webhooks`) sends them over SMTP to the tests' server, with the
unsubscribe headers, and forgets their one-time links once sent."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.models import MailKind, MailStatus, OutgoingMail, User
from tests.api.test_account_mutations import (
    PASSWORD,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    VERIFY,
    Browser,
    _site_links,  # noqa: F401 - an autouse fixture
    sign_up,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def worker() -> None:
    call_command("run_webhooks", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115


def key_in(received, name: str) -> str:
    (link,) = [link for link in received.links if link.startswith("https://blog.example/")]
    return parse_qs(urlparse(link).query)[name][0]


def test_sign_up_queues_the_link_the_worker_sends_and_following_it_verifies(mailbox):
    browser = Browser()
    assert sign_up(browser, displayName="Rita Reader")["errors"] == []
    assert mailbox.received == []  # nothing sent inside the request
    (queued,) = OutgoingMail.objects.all()
    assert (queued.kind, queued.to_email, queued.status) == (MailKind.ACCOUNT,
                                                             "rita@example.com",
                                                             MailStatus.PENDING)
    worker()
    (received,) = mailbox.to("rita@example.com")
    assert received["Subject"].startswith("[Hearth] ")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mail/unsubscribe/" in received["List-Unsubscribe"]
    assert "/mail/unsubscribe/" in received.text
    unsubscribe = received["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in received.text and f'href="{unsubscribe}"' in received.html
    assert 'href="https://blog.example/' in received.html  # the text's link, clickable
    queued.refresh_from_db()
    assert queued.status == MailStatus.SENT and queued.data == {}  # the key is not kept

    assert browser.run(VERIFY, {"key": key_in(received, "verify")})["errors"] == []
    assert User.objects.get(email="rita@example.com").emailaddress_set.get().verified
    signed_in = Browser().run(SIGN_IN, {"input": {"email": "rita@example.com",
                                                  "password": PASSWORD}})
    assert signed_in["viewer"]["displayName"] == "Rita Reader"


def test_a_password_reset_is_queued_sent_by_the_worker_and_its_link_sets_the_password(mailbox):
    assert sign_up(Browser())["errors"] == []
    worker()
    Browser().run(VERIFY, {"key": key_in(mailbox.to("rita@example.com")[0], "verify")})
    mailbox.reset()

    assert Browser().run(REQUEST_RESET, {"email": "rita@example.com"})["errors"] == []
    assert mailbox.received == []
    worker()
    (received,) = mailbox.to("rita@example.com")
    new_password = "new-" + PASSWORD
    reset = Browser().run(RESET, {"input": {"key": key_in(received, "reset"),
                                            "password": new_password}})
    assert reset["errors"] == []
    signed_in = Browser().run(SIGN_IN, {"input": {"email": "rita@example.com",
                                                  "password": new_password}})
    assert signed_in["viewer"] is not None


def test_a_failing_address_is_retried_by_the_worker_and_holds_no_other_back(mailbox):
    mailbox.fail_times["rita@example.com"] = 1
    assert sign_up(Browser())["errors"] == []
    assert sign_up(Browser(), email="sam@example.com")["errors"] == []
    worker()
    assert mailbox.to("rita@example.com") == [] and len(mailbox.to("sam@example.com")) == 1
    retried = OutgoingMail.objects.get(to_email="rita@example.com")
    assert (retried.status, retried.attempts) == (MailStatus.PENDING, 1)
    assert retried.data["subject"]  # kept until sent
    OutgoingMail.objects.filter(pk=retried.pk).update(next_attempt_at=timezone.now())  # later
    worker()
    assert len(mailbox.to("rita@example.com")) == 1


def test_the_admin_shows_a_queued_account_mail_without_its_one_time_link(mailbox):
    assert sign_up(Browser())["errors"] == []
    (queued,) = OutgoingMail.objects.all()
    link = next(word for word in queued.data["text"].split() if "verify=" in word)
    admin = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/cms/outgoingmail/{queued.pk}/change/")
    assert page.status_code == 200 and b"rita@example.com" in page.content
    assert link.split("verify=")[1].encode() not in page.content


def test_unsubscribing_from_everything_never_holds_back_a_password_reset(mailbox, client):
    assert sign_up(Browser())["errors"] == []
    worker()
    (received,) = mailbox.to("rita@example.com")
    Browser().run(VERIFY, {"key": key_in(received, "verify")})
    unsubscribe = received["List-Unsubscribe"].strip().strip("<>")
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    mailbox.reset()

    assert Browser().run(REQUEST_RESET, {"email": "rita@example.com"})["errors"] == []
    worker()
    (reset_mail,) = mailbox.to("rita@example.com")  # an account mail: sent all the same
    assert key_in(reset_mail, "reset")
