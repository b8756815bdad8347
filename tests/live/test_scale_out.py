"""Many processes, one truth (issue 14): two uvicorn processes on two ports sharing one PostgreSQL
database and one Redis (both the test's own: a new database on the machine's PostgreSQL, whatever
DATABASE_URL the suite runs with, and a redis-server on a free port), and haproxy in front of
them. A write through one process reaches a subscriber of the other; the result cache, persisted
queries and rate limits are shared; counts stay exact with writers on both."""

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.live.test_concurrency import LiveDatabase, free_port
from tests.support.live import LiveClient
from tests.support.redis_servers import RedisServer

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RATE_LIMIT = 50
SUBSCRIPTIONS_PER_IP = 3

SEED = """
import json
from django.contrib.auth.models import Group
from strawberry.relay import GlobalID
from cms.models import User
from cms.services.comments import comment_create
from cms.services.posts import post_create, post_publish
from cms.services.tokens import token_create

def user(name, role):
    account = User.objects.create_user(name, email=f"{name}@example.com", password=None)
    account.groups.add(Group.objects.get(name=role))
    return account

author, editor = user("scale-author", "author"), user("scale-editor", "editor")
readers = [user(f"scale-reader-{n}", "subscriber") for n in range(2)]
post = post_publish(actor=author, post=post_create(actor=author, title="Scale", body="Hi."))
comment = comment_create(actor=author, post=post, body="First")
print("SEED " + json.dumps({
    "post": str(GlobalID("Post", str(post.pk))), "slug": post.slug,
    "comment": str(GlobalID("Comment", str(comment.pk))),
    "tokens": {account.username: token_create(user=account)[1]
               for account in (author, editor, *readers)},
}))
"""

ADD = """mutation($input: AddCommentInput!) { addComment(input: $input) {
  comment { id status } errors { code } } }"""
REACT = """mutation($id: ID!, $kind: ReactionKind!) { react(input: {subjectId: $id, kind: $kind}) {
  errors { code } } }"""
UNREACT = REACT.replace("react(input", "unreact(input")
COUNT = "query($slug: String!) { post(slug: $slug) { commentCount } }"


def postgres_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return os.environ.get("HEARTH_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


class AsgiServer:
    """uvicorn serving config.asgi, one process, its access log in `log`."""

    def __init__(self, env: dict, log: Path, port: int | None = None):
        self.env, self.log, self.port = env, log, port or free_port()
        self.process = None

    def start(self) -> "AsgiServer":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
                 "--port", str(self.port), "--ws", "websockets-sansio", "--log-level", "info",
                 "--no-use-colors"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        wait_until_serving(self.port, self.process, self.log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql/"

    def posts_served(self) -> int:
        return self.log.read_text(errors="replace").count('"POST /graphql/ HTTP/1.1" 200')


def wait_until_serving(port: int, process, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, {"query": "{ __typename }"})[0] == 200:
                return
        except OSError:
            pass
        assert process.poll() is None, log.read_text(errors="replace")
        time.sleep(0.1)
    raise AssertionError("the server did not start: " + log.read_text(errors="replace"))


def request(port: int, payload: dict, token: str | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", "/graphql/", json.dumps(payload), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def run(port: int, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    status, body = request(port, {"query": query, "variables": variables or {}}, token)
    assert status == 200 and "errors" not in body, body
    return body["data"]


class HAProxy:
    """haproxy from Debian in front of the servers: HTTP balanced request by request,
    WebSocket upgrades passed through (`timeout tunnel`)."""

    def __init__(self, directory: Path, ports: list[int]):
        self.port = free_port()
        self.config = directory / "haproxy.cfg"
        servers = "\n".join(f"  server s{n} 127.0.0.1:{port}" for n, port in enumerate(ports))
        self.config.write_text(f"""global
  maxconn 512
defaults
  mode http
  option http-server-close
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
frontend hearth
  bind 127.0.0.1:{self.port}
  default_backend hearth
backend hearth
  balance roundrobin
  option forwardfor
{servers}
""")
        self.log = directory / "haproxy.log"
        self.process = None

    def start(self) -> "HAProxy":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(["haproxy", "-db", "-f", str(self.config)],
                                            stdout=log, stderr=log, start_new_session=True)
        wait_until_serving(self.port, self.process, self.log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import psycopg

    tmp = tmp_path_factory.mktemp("scale")
    admin_url = postgres_admin_url()
    try:
        psycopg.connect(admin_url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at {admin_url}: {error}")
    database = LiveDatabase(tmp)
    database.vendor, database.admin_url = "postgresql", admin_url
    database.name = f"hearth_scale_{uuid.uuid4().hex[:12]}"
    database.url = urlunparse(urlparse(admin_url)._replace(path="/" + database.name))
    redis_server = RedisServer(tmp).start()
    database.env.update(
        DATABASE_URL=database.url, REDIS_URL=redis_server.url,
        HEARTH_RESULT_CACHE_SECONDS="60", HEARTH_MUTATION_RATE_LIMIT=str(RATE_LIMIT),
        HEARTH_MUTATION_RATE_WINDOW_SECONDS="3600", HEARTH_COMMENT_EDIT_WINDOW_SECONDS="3600",
        HEARTH_LIVE_SUBSCRIPTIONS_PER_IP=str(SUBSCRIPTIONS_PER_IP),
    )
    servers = []
    try:
        seed = database.create(SEED)
        servers = [AsgiServer(database.env, tmp / f"{name}.log").start() for name in "ab"]
        database.redis = redis_server
        yield database, seed, servers
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        database.drop()


def test_a_comment_posted_through_one_process_reaches_a_subscriber_of_the_other(cluster):
    database, seed, (a, b) = cluster
    subscriber = LiveClient(b.ws)
    subscriber.subscribe(variables={"id": seed["post"]})
    started = time.monotonic()
    run(a.port, ADD, {"input": {"postId": seed["post"], "body": "Through A"}},
        seed["tokens"]["scale-author"])
    message = subscriber.receive()
    elapsed = time.monotonic() - started
    print(f"\naddComment through A to the message on B: {elapsed * 1000:.0f} ms")
    activity = message["payload"]["data"]["postActivity"]
    assert (activity["kind"], activity["comment"]["body"]) == ("COMMENT_ADDED", "Through A")
    subscriber.close()


def test_the_result_cache_is_shared_and_never_stale(cluster):
    """Anonymous reads are cached in Redis; a write through A purges them for B too."""
    database, seed, (a, b) = cluster
    for n in range(3):
        before = run(b.port, COUNT, {"slug": seed["slug"]})["post"]["commentCount"]
        assert run(b.port, COUNT, {"slug": seed["slug"]})["post"]["commentCount"] == before
        run(a.port, ADD, {"input": {"postId": seed["post"], "body": f"Cache {n}"}},
            seed["tokens"]["scale-author"])
        for server in (b, a):
            assert run(server.port, COUNT, {"slug": seed["slug"]})["post"]["commentCount"] \
                == before + 1


def test_persisted_queries_are_shared(cluster):
    database, seed, (a, b) = cluster
    query = "{ posts(first: 1) { totalCount } }"
    persisted = {"persistedQuery": {"version": 1,
                                    "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    status, body = request(b.port, {"extensions": persisted})
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert request(a.port, {"query": query, "extensions": persisted})[0] == 200
    status, body = request(b.port, {"extensions": persisted})
    assert status == 200 and body["data"]["posts"]["totalCount"] == 1


def test_alternating_processes_cannot_double_a_rate_limit(cluster):
    """HEARTH_MUTATION_RATE_LIMIT anonymous mutations per IP, counted in Redis: alternating A
    and B, exactly the limit get through."""
    database, seed, (a, b) = cluster
    statuses = [request(server.port, {"query": UNREACT, "variables": {
        "id": seed["post"], "kind": "LIKE"}})[0] for _ in range(RATE_LIMIT) for server in (a, b)]
    assert statuses.count(200) == RATE_LIMIT
    assert statuses.count(429) == RATE_LIMIT


def test_counts_stay_exact_with_concurrent_writers_on_both(cluster):
    database, seed, (a, b) = cluster
    tokens = seed["tokens"]
    writers = [(a, tokens["scale-author"]), (b, tokens["scale-editor"]),
               (a, tokens["scale-reader-0"]), (b, tokens["scale-reader-1"])]
    failures = []

    def write(server, token, n):
        try:
            for round_ in range(8):
                run(server.port, ADD, {"input": {"postId": seed["post"],
                                                 "body": f"writer {n} round {round_}"}}, token)
                for subject in (seed["post"], seed["comment"]):
                    mutation = REACT if round_ % 2 == 0 else UNREACT
                    run(server.port, mutation, {"id": subject, "kind": "LOVE"}, token)
                    run(server.port, REACT, {"id": subject, "kind": "WOW"}, token)
        except AssertionError as error:
            failures.append(str(error))

    threads = [threading.Thread(target=write, args=(server, token, n))
               for n, (server, token) in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    check = database.check()
    assert check["problems"] == []
    counts = {run(server.port, COUNT, {"slug": seed["slug"]})["post"]["commentCount"]
              for server in (a, b)}
    assert len(counts) == 1


def test_through_haproxy_every_process_publishes_to_a_subscriber(cluster, tmp_path):
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed (`make test` installs it when run as root)")
    database, seed, (a, b) = cluster
    proxy = HAProxy(tmp_path, [a.port, b.port]).start()
    try:
        served = [server.posts_served() for server in (a, b)]
        subscriber = LiveClient(f"ws://127.0.0.1:{proxy.port}/graphql/")
        subscriber.subscribe(variables={"id": seed["post"]})
        bodies = [f"Through the proxy {n}" for n in range(4)]
        for body in bodies:
            run(proxy.port, ADD, {"input": {"postId": seed["post"], "body": body}},
                seed["tokens"]["scale-editor"])
        received = [subscriber.receive()["payload"]["data"]["postActivity"]["comment"]["body"]
                    for _ in bodies]
        assert received == bodies
        # Both processes took writes (round robin).
        assert all(server.posts_served() > count for server, count in zip((a, b), served))
        subscriber.close()
    finally:
        proxy.stop()


def test_subscriptions_per_ip_are_counted_across_processes(cluster):
    """HEARTH_LIVE_SUBSCRIPTIONS_PER_IP places, leased in Redis: taken on A and B alike."""
    database, seed, (a, b) = cluster
    places = database.redis.client
    deadline = time.monotonic() + 10  # earlier tests' subscribers give their places back
    while places.zcard("hearth:live:ip:127.0.0.1") and time.monotonic() < deadline:
        time.sleep(0.05)
    on_a = LiveClient(a.ws)
    on_b = LiveClient(b.ws)

    def taken(count: int) -> None:
        while places.zcard("hearth:live:ip:127.0.0.1") != count:
            assert time.monotonic() < deadline + 10
            time.sleep(0.02)

    first = on_a.subscribe(variables={"id": seed["post"]})
    taken(1)
    on_a.subscribe(variables={"id": seed["post"]})
    taken(2)
    on_b.subscribe(variables={"id": seed["post"]})
    taken(3)
    refused = on_b.subscribe(variables={"id": seed["post"]})
    message = on_b.receive()
    assert message["id"] == refused and message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    on_a.send({"id": first, "type": "complete"})
    taken(2)
    again = on_b.subscribe(variables={"id": seed["post"]})
    run(a.port, ADD, {"input": {"postId": seed["post"], "body": "Placed"}},
        seed["tokens"]["scale-author"])
    assert {on_b.receive()["id"], on_b.receive()["id"]} == {"1", again}
    on_a.close()
    on_b.close()
