"""The tests' SMTP server (tests/support/smtp.py) receives what Django's SMTP backend sends."""

import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection


def send(to: str) -> None:
    message = EmailMultiAlternatives("Hello", "Plain https://example.com/a", "hearth@example.com",
                                     [to])
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.send()


def test_the_server_receives_and_parses_both_parts(mailbox):
    send("reader@example.org")
    [received] = mailbox.to("reader@example.org")
    assert received["Subject"] == "Hello"
    assert received.text.strip() == "Plain https://example.com/a"
    assert received.html.strip() == "<p>HTML</p>"
    assert received.links == ["https://example.com/a"]


def test_the_server_refuses_and_fails_addresses_on_request(mailbox):
    mailbox.refuse["gone@example.org"] = "550 5.1.1 No such user"
    mailbox.fail_times["busy@example.org"] = 1
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send("gone@example.org")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send("busy@example.org")
    send("busy@example.org")
    assert [m.rcpt_tos for m in mailbox.received] == [["busy@example.org"]]
    get_connection().close()
