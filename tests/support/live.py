"""Live subscriptions from the outside: a graphql-transport-ws client over a real WebSocket
(the `websockets` library), an HTTP GraphQL client, and uvicorn serving config.asgi in a thread
of the test process (so it shares the test's database and settings)."""

import json
import socket
import threading
import time
import urllib.request

import uvicorn
from django.db import connection
from django.db.backends.signals import connection_created
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ACTIVITY = """subscription($id: ID!) { postActivity(postId: $id) {
  kind comment { id status body author { name } moderation { email } }
  post { id title commentCount reactions { total } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _readers_take_no_table_locks(sender, connection, **kwargs) -> None:
    """The test database on SQLite is a shared-cache memory database, which locks tables between
    connections and fails at once (SQLITE_LOCKED) instead of waiting as a file database does;
    with the server's threads reading while a request writes, readers must take no table lock."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


class ThreadServer:
    """uvicorn in a thread, serving the ASGI application on a free port."""

    def __init__(self):
        from config.asgi import application

        self.port = free_port()
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ThreadServer":
        connection_created.connect(_readers_take_no_table_locks)
        if connection.connection is not None:
            _readers_take_no_table_locks(None, connection)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        connection_created.disconnect(_readers_take_no_table_locks)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql/"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql/"


def graphql(url: str, query: str, variables: dict | None = None,
            headers: dict | None = None) -> dict:
    request = urllib.request.Request(  # noqa: S310 - a local test URL
        url, data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


class LiveClient:
    """One graphql-transport-ws connection."""

    def __init__(self, url: str, payload: dict | None = None, *, headers: dict | None = None,
                 origin: str | None = None, init: bool = True, **options):
        self.socket = connect(url, subprotocols=["graphql-transport-ws"],
                              additional_headers=headers, origin=origin, open_timeout=10,
                              **options)
        self.next_id = 0
        if init:
            self.send({"type": "connection_init", "payload": payload or {}})
            ack = self.receive()
            assert ack["type"] == "connection_ack", ack

    def send(self, message: dict) -> None:
        self.socket.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> dict:
        """The next message, answering the server's pings on the way."""
        while True:
            message = json.loads(self.socket.recv(timeout=timeout))
            if message["type"] == "ping":
                self.send({"type": "pong"})
                continue
            return message

    def subscribe(self, query: str = ACTIVITY, variables: dict | None = None) -> str:
        self.next_id += 1
        operation = str(self.next_id)
        self.send({"id": operation, "type": "subscribe",
                   "payload": {"query": query, "variables": variables or {}}})
        return operation

    def closed(self, timeout: float = 10) -> tuple[int | None, str]:
        """Read until the server closes: (code, reason)."""
        try:
            while True:
                self.socket.recv(timeout=timeout)
        except ConnectionClosed as closed:
            received = closed.rcvd
            return (received.code, received.reason) if received else (None, "")

    def close(self) -> None:
        self.socket.close()
