"""E-mail notifications, queued by the services and sent by the worker to a real SMTP server
(tests/support/smtp.py), each message received, parsed and its links followed."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cms.mail import deliver_due
from cms.models import CommentStatus, MailStatus, OutgoingMail, Subscriber
from cms.services.comments import comment_create, comment_moderate
from cms.services.mail import subscription_request
from cms.services.posts import post_create, post_publish, post_unpublish
from tests.support.factories import comment, published_post

REPLIER_IP = "198.51.100.77"


def guest_comment(post, *, email, parent=None, notify=False, ip="203.0.113.9", name="Guest"):
    words = f"Words from {name}, {email.split('@')[0]}."
    return comment_create(actor=None, post=post, parent=parent, body=words,
                          author_name=name, author_email=email, ip_address=ip,
                          notify_replies=notify)


def approve(c, users):
    return comment_moderate(actor=users["editor"], comment=c, status=CommentStatus.APPROVED)


def path_of(url: str) -> str:
    return urlsplit(url).path


def assert_unsubscribable(message) -> str:
    """Both parts and the RFC 8058 headers carry the same signed unsubscribe link; returns it."""
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mail/unsubscribe/" in url
    assert url in message.text
    assert f'href="{url}"' in message.html
    return url


@pytest.fixture
def post(users):
    return published_post(users["author"])


@pytest.fixture
def thread(post, users):
    """A guest's approved comment that asked to hear of replies."""
    parent = approve(guest_comment(post, email="asker@example.org", notify=True), users)
    deliver_due()
    return parent


def test_a_reply_reaches_the_commenter_who_asked_without_the_repliers_address(
        mailbox, thread, post, users):
    reply = approve(guest_comment(post, parent=thread, email="replier@example.net",
                                  ip=REPLIER_IP, name="Rita"), users)
    mailbox.reset()
    deliver_due()
    [message] = mailbox.to("asker@example.org")
    assert "Rita replied" in message["Subject"]
    assert reply.body in message.text and reply.html in message.html
    assert f"#comment-{reply.pk}" in message.text
    raw = message.message.as_string()
    assert "replier@example.net" not in raw and REPLIER_IP not in raw
    assert message["Reply-To"] is None
    url = assert_unsubscribable(message)
    # One-click unsubscribe: a POST without cookie or CSRF token, as a mail client sends it.
    response = Client(enforce_csrf_checks=True).post(
        path_of(url), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.notify_replies is False
    approve(guest_comment(post, parent=thread, email="second@example.net"), users)
    mailbox.reset()
    deliver_due()
    assert mailbox.to("asker@example.org") == []


def test_nothing_is_sent_for_held_spam_or_removed_replies_nor_to_oneself(
        mailbox, thread, post, users):
    held = guest_comment(post, parent=thread, email="new@example.net")
    assert held.status == CommentStatus.PENDING
    spam = comment_moderate(actor=users["editor"], status=CommentStatus.SPAM,
                            comment=guest_comment(post, parent=thread, email="spam@example.net"))
    removed = approve(guest_comment(post, parent=thread, email="gone@example.net"), users)
    comment_moderate(actor=users["editor"], comment=removed, status=CommentStatus.TRASH)
    own = guest_comment(post, parent=thread, email="asker@example.org")  # approved: known address
    assert own.status == CommentStatus.APPROVED and spam.status == CommentStatus.SPAM
    mailbox.reset()
    deliver_due()
    assert mailbox.to("asker@example.org") == []
    skipped = OutgoingMail.objects.get(key=f"reply:{removed.pk}")
    assert skipped.status == MailStatus.SKIPPED
    # The post's author hears of the approved comment only; moderators of the held one only
    # (the spam was moderated before the worker got to it).
    (to_author,) = mailbox.to("ann@example.com")
    assert "Words from Guest, asker." in to_author.text
    for moderator in ("ada@example.com", "eddie@example.com"):
        (notice,) = mailbox.to(moderator)
        assert "Words from Guest, new." in notice.text
    assert not [m for m in mailbox.received
                if "Words from Guest, spam." in m.text or "Words from Guest, gone." in m.text]


def test_the_post_author_hears_of_approved_comments_and_moderators_of_held_ones(
        mailbox, post, users):
    held = guest_comment(post, email="first@example.net", name="Fiona")
    deliver_due()
    for moderator in ("ada@example.com", "eddie@example.com"):
        [message] = mailbox.to(moderator)
        assert "Please moderate" in message["Subject"] and held.body in message.text
        assert f"/admin/cms/comment/{held.pk}/change/" in message.text
        assert "first@example.net" not in message.message.as_string()
        assert_unsubscribable(message)
    assert mailbox.to("ann@example.com") == []
    mailbox.reset()
    approve(held, users)
    comment(post, user=users["author"])  # the author's own comment: no message to them
    deliver_due()
    [message] = mailbox.to("ann@example.com")
    assert "New comment" in message["Subject"] and "Fiona commented" in message.text
    assert_unsubscribable(message)
    assert [m.rcpt_tos for m in mailbox.received] == [["ann@example.com"]]


def test_a_moderation_notice_is_skipped_once_the_comment_was_moderated(mailbox, post, users):
    held = guest_comment(post, email="late@example.net")
    approve(held, users)
    deliver_due()
    assert mailbox.to("eddie@example.com") == []


def test_subscribe_confirm_and_receive_new_posts_once(mailbox, users, settings):
    settings.HEARTH_PUBLIC_URL = "http://testserver"
    subscription_request(email="Reader@Example.org", ip="203.0.113.1")
    subscription_request(email="reader@example.org", ip="203.0.113.1")  # within the hour
    assert Subscriber.objects.count() == 0  # double opt-in: nothing until confirmed
    deliver_due()
    [message] = mailbox.to("reader@example.org")
    assert "Confirm your subscription" in message["Subject"]
    assert_unsubscribable(message)
    confirm = next(link for link in message.links if "/mail/confirm/" in link)
    assert f'href="{confirm}"' in message.html
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path_of(confirm))
    assert page.status_code == 200 and b'method="post"' in page.content
    assert Subscriber.objects.count() == 0  # a link scanner's GET confirms nothing
    assert browser.post(path_of(confirm)).status_code == 200
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["reader@example.org"]

    mailbox.reset()
    post = published_post(users["author"], title="Sourdough at altitude", excerpt="Lower, longer.")
    post_publish(actor=users["author"], post=post)  # published again: no second message
    deliver_due()
    deliver_due()
    [message] = mailbox.to("reader@example.org")
    assert "Sourdough at altitude" in message["Subject"]
    assert "Lower, longer." in message.text and "/posts/sourdough-at-altitude" in message.text
    url = assert_unsubscribable(message)
    assert browser.get(path_of(url)).status_code == 200
    assert Subscriber.objects.exists()  # GET only asks
    assert browser.post(path_of(url), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscriber.objects.exists()
    mailbox.reset()
    published_post(users["author"])
    deliver_due()
    deliver_due()
    assert mailbox.received == []


def test_a_scheduled_post_is_announced_when_it_goes_live_and_not_if_withdrawn(mailbox, users):
    Subscriber.objects.create(email="reader@example.org")
    author = users["author"]
    later = post_create(actor=author, title="Later", body="Soon.")
    post_publish(actor=author, post=later, publish_at=timezone.now() + timedelta(hours=1))
    withdrawn = post_create(actor=author, title="Withdrawn", body="Never.")
    post_publish(actor=author, post=withdrawn, publish_at=timezone.now() + timedelta(hours=1))
    post_unpublish(actor=author, post=withdrawn)
    deliver_due()
    assert mailbox.received == []
    an_hour_on = timezone.now() - timedelta(hours=1, seconds=1)  # as if the hour had passed
    type(later).objects.filter(pk__in=[later.pk, withdrawn.pk]).update(
        published_at=an_hour_on)
    OutgoingMail.objects.update(next_attempt_at=an_hour_on)
    deliver_due()
    deliver_due()
    assert [m["Subject"] for m in mailbox.received] == [f"[Hearth] New post: {later.title}"]
    assert OutgoingMail.objects.get(key=f"new_post:{withdrawn.pk}").status == MailStatus.SKIPPED


def test_a_failing_address_is_retried_with_backoff_and_blocks_no_other(mailbox, users, settings):
    settings.HEARTH_MAIL_MAX_ATTEMPTS = 3
    for n in range(4):
        Subscriber.objects.create(email=f"reader{n}@example.org")
    mailbox.refuse["reader0@example.org"] = "550 5.1.1 No such user"
    mailbox.fail_times["reader1@example.org"] = 1
    mailbox.fail_times["reader2@example.org"] = 10
    post = published_post(users["author"])
    deliver_due()
    deliver_due()
    assert [m.rcpt_tos for m in mailbox.received] == [["reader3@example.org"]]
    rows = {m.to_email: m for m in OutgoingMail.objects.filter(post=post).exclude(to_email="")}
    assert rows["reader0@example.org"].status == MailStatus.FAILED  # refused for good: no retry
    assert rows["reader0@example.org"].attempts == 1
    assert "550" in rows["reader0@example.org"].last_error
    retried = rows["reader1@example.org"]
    assert retried.status == MailStatus.PENDING and retried.attempts == 1
    assert retried.next_attempt_at > timezone.now() + timedelta(seconds=50)  # backoff
    for _ in range(3):  # as if every backoff had passed
        OutgoingMail.objects.filter(status=MailStatus.PENDING).update(
            next_attempt_at=timezone.now())
        deliver_due()
    rows = {m.to_email: m for m in OutgoingMail.objects.filter(post=post).exclude(to_email="")}
    assert rows["reader1@example.org"].status == MailStatus.SENT
    assert rows["reader2@example.org"].status == MailStatus.FAILED
    assert rows["reader2@example.org"].attempts == 3
    assert sorted(r[0] for r in (m.rcpt_tos for m in mailbox.received)) == [
        "reader1@example.org", "reader3@example.org"]


def test_a_write_that_rolls_back_queues_no_mail(mailbox, thread, post, users):
    before = OutgoingMail.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(guest_comment(post, parent=thread, email="x@example.net"), users)
        raise RuntimeError
    assert OutgoingMail.objects.count() == before


def test_the_worker_sends_through_the_run_webhooks_command(mailbox, thread, post, users):
    from django.core.management import call_command

    approve(guest_comment(post, parent=thread, email="y@example.net"), users)
    call_command("run_webhooks", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mailbox.to("asker@example.org")) == 1
