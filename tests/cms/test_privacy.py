"""Personal data: a guest's export and erasure through the link mailed to them (received by the
tests' SMTP server and followed), a signed-in reader's through GraphQL, an administrator's in the
admin; comments anonymised or removed as the site chooses, every stored count exact after."""

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from cms.mail import deliver_due
from cms.models import Comment, CommentStatus, MailOptOut, Post, Reaction, Subscriber
from cms.services.comments import comment_create, comment_moderate
from cms.services.privacy import personal_data_request
from cms.services.reactions import reaction_add
from tests.conftest import GraphQLClient
from tests.support.counts import assert_counts_exact
from tests.support.factories import comment, published_post

EMAIL = "pat@example.org"


@pytest.fixture
def pats_data(users):
    """Pat's guest comments (one approved with approved replies under it, one held), Pat's
    subscription and opt-out, and someone else's comment that must stay untouched."""
    post = published_post(users["author"])
    editor = users["editor"]

    def by_pat(body, parent=None):
        return comment_create(actor=None, post=post, parent=parent, body=body,
                              author_name="Pat", author_email=EMAIL, ip_address="192.0.2.44",
                              user_agent="PatBrowser/1", notify_replies=True)

    first = comment_moderate(actor=editor, comment=by_pat("First words."),
                             status=CommentStatus.APPROVED)
    reply = comment(post, parent=first, moderator=editor)
    comment(post, parent=reply, moderator=editor)
    by_pat("Second words.")  # approved at once: the address has an approved comment
    held_post = published_post(users["other_author"])
    held = comment_create(actor=None, post=held_post, body="Held words.", author_name="Pat",
                          author_email=EMAIL, ip_address="192.0.2.44")
    held = comment_moderate(actor=editor, comment=held, status=CommentStatus.PENDING)
    other = comment(post, moderator=editor)
    reaction_add(subject=other, kind="like", user=users["subscriber"])
    Subscriber.objects.create(email=EMAIL)
    MailOptOut.objects.create(email=EMAIL, scope="moderation")
    return {"post": post, "first": first, "other": other}


def link_in_mail(mailbox, action: str) -> str:
    personal_data_request(email=EMAIL.upper(), action=action, ip="192.0.2.44")
    deliver_due()
    [message] = [m for m in mailbox.to(EMAIL) if "personal data" in m["Subject"]]
    link = next(link for link in message.links if f"/privacy/{action}/" in link)
    assert f'href="{link}"' in message.html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailbox.reset()
    return urlsplit(link).path


def test_a_guest_exports_everything_through_the_mailed_link(mailbox, pats_data):
    response = Client().get(link_in_mail(mailbox, "export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert sorted(c["body"] for c in data["comments"]) == [
        "First words.", "Held words.", "Second words."]
    assert {c["ipAddress"] for c in data["comments"]} == {"192.0.2.44"}
    assert {c["authorEmail"] for c in data["comments"]} == {EMAIL}
    assert [s["email"] for s in data["subscriptions"]["newPosts"]] == [EMAIL]
    assert data["subscriptions"]["optedOut"] == [{"email": EMAIL, "scope": "moderation"}]
    assert len(data["subscriptions"]["replyNotifications"]) == 2
    assert "Comment number" not in response.content.decode()  # nobody else's comments


def test_a_forged_or_wrong_link_gives_nothing(mailbox, pats_data):
    path = link_in_mail(mailbox, "export")
    assert Client().get(path[:-3] + "xx/").status_code == 400
    erase = path.replace("/privacy/export/", "/privacy/erase/")  # an export token cannot erase
    assert Client().post(erase).status_code == 400
    assert Comment.objects.filter(author_email=EMAIL).count() == 3


@pytest.mark.parametrize("mode", ["anonymize", "remove"])
def test_a_guest_erases_everything_through_the_mailed_link(mailbox, pats_data, settings, mode):
    settings.HEARTH_PRIVACY_ERASE_COMMENTS = mode
    post, first = pats_data["post"], pats_data["first"]
    path = link_in_mail(mailbox, "erase")
    browser = Client(enforce_csrf_checks=True)
    assert b'method="post"' in browser.get(path).content
    assert Comment.objects.filter(author_email=EMAIL).count() == 3  # a GET only asks
    assert browser.post(path).status_code == 200

    assert not Comment.objects.filter(author_email=EMAIL).exists()
    assert not Comment.objects.filter(ip_address="192.0.2.44").exists()
    assert not Subscriber.objects.filter(email=EMAIL).exists()
    assert not MailOptOut.objects.filter(email=EMAIL).exists()
    first.refresh_from_db()
    assert first.author_name == "Anonymous" and first.user_agent == ""
    assert first.notify_replies is False
    post.refresh_from_db()
    if mode == "anonymize":
        assert first.status == CommentStatus.APPROVED and first.body == "First words."
        assert post.comment_count == 5
    else:
        assert first.status == CommentStatus.TRASH and first.body == ""
        assert post.comment_count == 3  # Pat's two approved comments left, the replies stayed
        assert post.thread_count == 4  # the first stays as a placeholder above its replies
    other = pats_data["other"]
    assert Comment.objects.get(pk=other.pk).author_name == other.author_name
    assert_counts_exact()


def test_a_signed_in_reader_exports_and_erases_their_account_data(users, settings):
    settings.HEARTH_PRIVACY_ERASE_COMMENTS = "remove"
    reader = users["subscriber"]
    post = published_post(users["author"])
    mine = comment(post, user=reader)
    liked = comment(post, user=users["editor"])
    reaction_add(subject=liked, kind="love", user=reader)
    reaction_add(subject=post, kind="like", user=reader)
    reaction_add(subject=post, kind="like", user=users["editor"])
    client = GraphQLClient().as_user(reader)
    exported = client.execute("mutation { exportPersonalData { data errors { code } } }")
    data = exported["data"]["exportPersonalData"]["data"]
    assert [c["id"] for c in data["comments"]] == [mine.pk]
    assert sorted(r["kind"] for r in data["reactions"]) == ["like", "love"]
    assert [a["username"] for a in data["accounts"]] == [reader.username]

    erased = client.execute("mutation { erasePersonalData { ok errors { code } } }")
    assert erased["data"]["erasePersonalData"] == {"ok": True, "errors": []}
    assert not Reaction.objects.filter(user=reader).exists()
    assert not Comment.objects.filter(user=reader).exists()
    post.refresh_from_db()
    assert post.comment_count == 1 and post.reaction_counts()["like"] == 1
    assert_counts_exact()


def test_an_anonymous_caller_needs_a_link(gql):
    answer = gql.execute("mutation { erasePersonalData { ok errors { code } } }")
    assert answer["data"]["erasePersonalData"] == {
        "ok": False, "errors": [{"code": "UNAUTHENTICATED"}]}


def test_an_administrator_exports_and_erases_from_the_admin(pats_data, users):
    from tests.conftest import make_user

    admin_user = make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin_user)
    url = "/admin/cms/personaldata/"
    assert browser.get(url).status_code == 200
    export = browser.post(url, {"email": EMAIL, "action": "export"})
    assert len(json.loads(export.content)["comments"]) == 3
    asked = browser.post(url, {"email": EMAIL, "action": "erase"})
    assert b"Erase 3 comment(s)" in asked.content
    assert Comment.objects.filter(author_email=EMAIL).count() == 3
    browser.post(url, {"email": EMAIL, "action": "erase", "confirmed": "yes"})
    assert not Comment.objects.filter(author_email=EMAIL).exists()
    assert_counts_exact()
    editor = Client()
    editor.force_login(users["editor"])
    assert editor.get(url).status_code in (302, 403)  # administrators only
    assert Post.objects.exists()
