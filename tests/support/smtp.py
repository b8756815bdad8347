"""A real SMTP server for the tests (aiosmtpd, in a thread of the test process, on a free port):
it receives what Hearth sends through Django's SMTP backend and keeps each message parsed.

Use the `mailbox` fixture (registered in tests/conftest.py): it empties the server and points
Django's e-mail settings at it for one test. `mailbox.refuse[address] = "550 5.1.1 No such user"`
makes the server refuse a recipient; `mailbox.fail_times[address] = 2` refuses it with a
temporary 451 twice, then accepts it.
"""

import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Received:
    """One delivered message: the envelope and the parsed message (email.policy.default)."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def __getitem__(self, header: str):
        return self.message[header]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content().replace("\r\n",
                                                                                      "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content().replace("\r\n",
                                                                                     "\n")

    @property
    def links(self) -> list[str]:
        """The URLs in the plain-text part, in order."""
        return LINK.findall(self.text)


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    fail_times: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            if address in self.refuse:
                return self.refuse[address]
            if self.fail_times.get(address, 0) > 0:
                self.fail_times[address] -= 1
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class _FreePortController(Controller):
    """aiosmtpd's Controller on a port the operating system picks (it would need a fixed one)."""

    def _create_server(self):
        sock = socket.socket()
        sock.bind((self.hostname, 0))
        self.port = sock.getsockname()[1]
        return self.loop.create_server(self._factory_invoker, sock=sock, ssl=self.ssl_context)


class SmtpServer:
    def __init__(self):
        self.handler = _Handler()
        self.controller = _FreePortController(self.handler, hostname="127.0.0.1")

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def refuse(self) -> dict[str, str]:
        return self.handler.refuse

    @property
    def fail_times(self) -> dict[str, int]:
        return self.handler.fail_times

    def to(self, address: str) -> list[Received]:
        """The messages delivered to `address`."""
        return [m for m in self.received if address in m.rcpt_tos]

    def reset(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()
            self.handler.refuse.clear()
            self.handler.fail_times.clear()


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server, settings) -> SmtpServer:
    """The SMTP server, emptied, with Django sending to it over SMTP for this test."""
    smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    return smtp_server


def outbox() -> list:
    """Django's test outbox (locmem) once the worker has run: mail is queued in the outbox
    (cms/mail.py) and sent only by the worker, never by the request."""
    from django.core import mail as django_mail

    from cms import mail

    mail.deliver_due()
    return django_mail.outbox
