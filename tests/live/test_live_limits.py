"""The WebSocket endpoint's authentication, origins and limits, against uvicorn serving
config.asgi (tests/support/live.py): each limit is a setting, and each is exercised here."""

import json
import socket

import pytest
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from cms.models import Post, Role
from schema.core.ids import encode_global_id
from tests.conftest import make_user
from tests.live.test_subscriptions import ADD, REACT, UPDATE_POST, bearer
from tests.support import factories
from tests.support.live import ACTIVITY, LiveClient, ThreadServer, free_port, graphql

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def server():
    with ThreadServer() as running:
        yield running


@pytest.fixture
def post():
    return factories.published_post(make_user("ann", Role.AUTHOR))


def gid(post) -> dict:
    return {"id": encode_global_id("Post", post.pk)}


def test_subscriptions_per_connection_are_limited(server, settings, post):
    settings.HEARTH_LIVE_SUBSCRIPTIONS_PER_CONNECTION = 2
    client = LiveClient(server.ws)
    client.subscribe(variables=gid(post))
    client.subscribe(variables=gid(post))
    third = client.subscribe(variables=gid(post))
    message = client.receive()
    assert message["id"] == third and message["type"] == "error"
    assert message["payload"][0]["message"] == "Subscription limit reached"


def test_subscriptions_per_ip_are_limited_across_connections(server, settings, post):
    settings.HEARTH_LIVE_SUBSCRIPTIONS_PER_IP = 2
    first, second = LiveClient(server.ws), LiveClient(server.ws)
    one = first.subscribe(variables=gid(post))
    second.subscribe(variables=gid(post))
    third = second.subscribe(variables=gid(post))
    message = second.receive()
    assert message["id"] == third and message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    # A subscription that ends gives its place back.
    first.send({"id": one, "type": "complete"})
    fourth = second.subscribe(variables=gid(post))
    graphql(server.http, REACT, gid(post) | {"id": encode_global_id("Post", post.pk)},
            headers=bearer(post.author))
    seen = {second.receive()["id"] for _ in range(2)}
    assert seen == {"1", fourth}


def test_subscriptions_per_ip_are_still_limited_when_redis_is_down(server, settings, post):
    """The places are leased in the rate limits' Redis; when it does not answer, this process
    counts them itself: the limit never fails open."""
    settings.HEARTH_RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nobody there
    settings.HEARTH_LIVE_SUBSCRIPTIONS_PER_IP = 1
    client = LiveClient(server.ws)
    client.subscribe(variables=gid(post))
    refused = client.subscribe(variables=gid(post))
    message = client.receive()
    assert message["id"] == refused and message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_a_message_over_the_size_limit_closes_the_connection(server, settings, post):
    settings.HEARTH_LIVE_MAX_MESSAGE_BYTES = 1000
    client = LiveClient(server.ws)
    client.subscribe(query=ACTIVITY + " " * 1000, variables=gid(post))
    assert client.closed() == (1009, "Message too big (HEARTH_LIVE_MAX_MESSAGE_BYTES)")


def test_a_connection_that_never_initialises_is_closed(server, settings):
    settings.HEARTH_LIVE_INIT_TIMEOUT_SECONDS = 1
    client = LiveClient(server.ws, init=False)
    assert client.closed() == (4408, "Connection initialisation timeout")


def test_a_connection_without_a_subscription_is_closed_when_idle(server, settings, post):
    settings.HEARTH_LIVE_IDLE_SECONDS = 1
    client = LiveClient(server.ws)
    assert client.closed() == (4408, "Idle: no subscription")


def test_a_client_that_leaves_pings_unanswered_is_closed(server, settings, post):
    settings.HEARTH_LIVE_PING_SECONDS = settings.HEARTH_LIVE_PING_TIMEOUT_SECONDS = 1
    silent = LiveClient(server.ws)
    silent.subscribe(variables=gid(post))
    assert json.loads(silent.socket.recv(timeout=10)) == {"type": "ping"}
    assert silent.closed() == (4408, "Ping timeout")
    # One that answers keeps its subscription, ping after ping.
    answering = LiveClient(server.ws)
    answering.subscribe(variables=gid(post))
    for _ in range(3):
        assert json.loads(answering.socket.recv(timeout=10)) == {"type": "ping"}
        answering.send({"type": "pong"})
    graphql(server.http, REACT, {"id": encode_global_id("Post", post.pk)},
            headers=bearer(post.author))
    assert answering.receive()["payload"]["data"]["postActivity"]["kind"] == "REACTIONS_CHANGED"


def test_a_slow_reader_is_dropped_and_the_others_get_every_event(server, settings):
    """A subscriber that stops reading: its events wait in a queue of HEARTH_LIVE_SEND_QUEUE;
    when it is full the connection is dropped. The fast subscriber and the writer go on."""
    settings.HEARTH_LIVE_SEND_QUEUE = 2
    author = make_user("ann", Role.AUTHOR)
    post = factories.published_post(author)
    Post.objects.filter(pk=post.pk).update(body="x" * 190_000)
    query = "subscription($id: ID!) { postActivity(postId: $id) { kind post { body } } }"
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    slow = LiveClient(server.ws, sock=sock, max_queue=1, compression=None)
    fast = LiveClient(server.ws)
    for client in (slow, fast):
        client.subscribe(query=query, variables=gid(post))
    writes = 60
    for _ in range(writes // 2):
        for mutation in (REACT, REACT.replace("react(", "unreact(")):
            graphql(server.http, mutation, gid(post) | {"id": encode_global_id("Post", post.pk)},
                    headers=bearer(author))
    kinds = [fast.receive()["payload"]["data"]["postActivity"]["kind"] for _ in range(writes)]
    assert kinds == ["REACTIONS_CHANGED"] * writes
    received = 0
    code = None
    try:
        while True:
            message = slow.receive(timeout=30)
            received += message["type"] == "next"
    except Exception as closed:  # noqa: BLE001 - the connection ends, with its close frame or not
        code = getattr(getattr(closed, "rcvd", None), "code", None)
    assert received < writes
    assert code in (1008, None)


def test_query_limits_apply_to_subscription_documents(server, settings, post):
    settings.HEARTH_MAX_QUERY_DEPTH = 2
    client = LiveClient(server.ws)
    operation = client.subscribe(variables=gid(post))
    message = client.receive()
    assert message["id"] == operation and message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_queries_and_mutations_go_over_http(server, post):
    client = LiveClient(server.ws)
    operation = client.subscribe(query="{ posts { totalCount } }")
    message = client.receive()
    assert message["id"] == operation
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST"


def test_a_bad_token_or_visitor_token_is_refused(server):
    for payload in ({"authorization": "Bearer nope"}, {"authorization": "Basic x"},
                    {"visitorToken": "forged"}):
        client = LiveClient(server.ws, init=False)
        client.send({"type": "connection_init", "payload": payload})
        assert client.closed() == (4403, "Forbidden"), payload


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def pending_comment_seen(server, post, headers: dict, origin: str | None, body: str) -> bool:
    """Whether a subscriber with these handshake headers sees a pending comment (moderators
    do, anonymous callers do not)."""
    client = LiveClient(server.ws, headers=headers, origin=origin)
    client.subscribe(variables=gid(post))
    graphql(server.http, ADD, {"input": {"postId": encode_global_id("Post", post.pk),
                                         "body": body, "authorName": "G",
                                         "authorEmail": "g@example.com"}})
    graphql(server.http, UPDATE_POST, {"id": encode_global_id("Post", post.pk), "title": body},
            headers=bearer(post.author))
    first = client.receive()["payload"]["data"]["postActivity"]
    client.close()
    return first["kind"] == "COMMENT_ADDED"


def test_the_session_cookie_counts_from_an_allowed_origin_only(server, settings, post):
    settings.CORS_ALLOWED_ORIGINS = ["http://blog.example"]
    editor = make_user("eddie", Role.EDITOR)
    cookie = {"Cookie": session_cookie(editor)}
    assert pending_comment_seen(server, post, cookie, "http://blog.example", "One")
    assert pending_comment_seen(server, post, cookie, None, "Two")  # not a browser
    with pytest.raises(InvalidStatus) as refused:
        connect(server.ws, subprotocols=["graphql-transport-ws"], origin="http://evil.example",
                additional_headers=cookie)
    assert refused.value.response.status_code == 403
    # With `*`, any origin may connect, but not with the browser's session.
    settings.CORS_ALLOW_ALL_ORIGINS = True
    assert not pending_comment_seen(server, post, cookie, "http://evil.example", "Three")
