"""The e-mail mutations over HTTP: notifyReplies, subscribe (one answer whatever the address),
confirmSubscription and unsubscribe with the tokens of the received messages, and the per-caller
limit on every mutation that makes Hearth send mail. Messages go to the tests' SMTP server."""

import secrets
from urllib.parse import urlsplit

import pytest

from cms.mail import deliver_due
from cms.models import CommentStatus, Subscriber
from schema import schema
from tests.support.factories import comment, published_post
from tests.support.writes import gid

ADD_COMMENT = """mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id status } errors { code field } } }"""
SUBSCRIBE = "mutation($email: String!) { subscribe(email: $email) { ok errors { code field } } }"
CONFIRM = "mutation($t: String!) { confirmSubscription(token: $t) { ok errors { code field } } }"
UNSUBSCRIBE = "mutation($t: String!) { unsubscribe(token: $t) { ok errors { code field } } }"
REQUEST_DATA = """mutation($email: String!, $action: PersonalDataAction!) {
  requestPersonalData(email: $email, action: $action) { ok errors { code field } } }"""


def token_of(link: str) -> str:
    return urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]


def test_subscribe_answers_alike_for_known_and_unknown_addresses(gql, mailbox):
    Subscriber.objects.create(email="known@example.org")
    known = gql.execute(SUBSCRIBE, {"email": "known@example.org"})["data"]["subscribe"]
    new = gql.execute(SUBSCRIBE, {"email": "new@example.org"})["data"]["subscribe"]
    assert known == new == {"ok": True, "errors": []}
    deliver_due()
    assert [m.rcpt_tos for m in mailbox.received] == [["new@example.org"]]
    bad = gql.execute(SUBSCRIBE, {"email": "not an address"})["data"]["subscribe"]
    assert bad == {"ok": False, "errors": [{"code": "INVALID", "field": "email"}]}


def test_confirm_and_unsubscribe_with_the_tokens_of_the_messages(gql, mailbox, users):
    gql.execute(SUBSCRIBE, {"email": "reader@example.org"})
    deliver_due()
    [message] = mailbox.received
    confirm = token_of(next(link for link in message.links if "/mail/confirm/" in link))
    assert gql.execute(CONFIRM, {"t": confirm})["data"]["confirmSubscription"]["ok"] is True
    assert Subscriber.objects.filter(email="reader@example.org").exists()
    forged = gql.execute(CONFIRM, {"t": confirm[:-2] + "xx"})["data"]["confirmSubscription"]
    assert forged == {"ok": False, "errors": [{"code": "INVALID", "field": "token"}]}

    mailbox.reset()
    published_post(users["author"])
    deliver_due()
    deliver_due()
    [message] = mailbox.received
    token = token_of(message["List-Unsubscribe"].strip().strip("<>"))
    assert gql.execute(UNSUBSCRIBE, {"t": token})["data"]["unsubscribe"]["ok"] is True
    assert not Subscriber.objects.exists()
    assert gql.execute(UNSUBSCRIBE, {"t": "nonsense"})["data"]["unsubscribe"]["errors"] == [
        {"code": "INVALID", "field": "token"}]


def test_no_query_reveals_who_is_subscribed():
    query_fields = schema._schema.query_type.fields
    assert not [name for name in query_fields if "subscri" in name.lower()]
    assert schema._schema.get_type("Subscriber") is None


def test_notify_replies_over_graphql_mails_the_guest_on_a_reply(gql, mailbox, users):
    post = published_post(users["author"])
    parent = comment(post, moderator=users["editor"])
    result = gql.execute(ADD_COMMENT, {"input": {
        "postId": gid(post), "parentId": gid(parent), "body": "Tell me more.",
        "authorName": "Quinn", "authorEmail": "quinn@example.org", "notifyReplies": True}})
    assert result["data"]["addComment"]["errors"] == []
    asked = parent.children.get()
    assert asked.notify_replies is True and asked.status == CommentStatus.PENDING
    from cms.services.comments import comment_moderate

    comment_moderate(actor=users["editor"], comment=asked, status=CommentStatus.APPROVED)
    comment(post, parent=asked, moderator=users["editor"])
    mailbox.reset()
    deliver_due()
    assert len(mailbox.to("quinn@example.org")) == 1


@pytest.mark.parametrize("mutation", ["subscribe", "requestPersonalData", "addComment"])
def test_every_mutation_that_sends_mail_is_limited_per_caller(gql, mailbox, users, settings,
                                                              mutation):
    settings.HEARTH_MAIL_REQUEST_LIMIT = 3
    post = published_post(users["author"])
    net = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}"  # counters outlive a test

    def send(n: int, ip: str) -> dict:
        email = f"reader{n}@example.org"
        query, variables = {
            "subscribe": (SUBSCRIBE, {"email": email}),
            "requestPersonalData": (REQUEST_DATA, {"email": email, "action": "EXPORT"}),
            "addComment": (ADD_COMMENT, {"input": {
                "postId": gid(post), "body": f"Comment {n}", "authorName": "R",
                "authorEmail": email, "notifyReplies": True}}),
        }[mutation]
        response = gql.client.post("/graphql/", {"query": query, "variables": variables},
                                   content_type="application/json", REMOTE_ADDR=ip)
        return next(iter(response.json()["data"].values()))

    for n in range(3):
        assert send(n, f"{net}.1")["errors"] == []
    refused = send(3, f"{net}.1")
    assert refused["errors"] == [{"code": "RATE_LIMITED",
                                  "field": "notifyReplies" if mutation == "addComment"
                                  else "email"}]
    assert send(4, f"{net}.2")["errors"] == []  # another caller has its own quota
    deliver_due()
    assert "reader3@example.org" not in {m.rcpt_tos[0] for m in mailbox.received}
    settings.HEARTH_MAIL_REQUEST_TOTAL_LIMIT = 0  # everyone's quota, spent
    assert send(5, f"{net}.3")["errors"][0]["code"] == "RATE_LIMITED"
