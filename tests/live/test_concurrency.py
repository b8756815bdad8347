"""Concurrency and crash tests against a real server process (marked `live`).

A fresh database (a temporary SQLite file, or a new PostgreSQL database when DATABASE_URL points
at PostgreSQL), migrated and seeded in subprocesses, served by gunicorn with several workers and
threads; 16 clients write at once, and a checker compares every stored count with a fresh
COUNT(*). The crash test kills the server with SIGKILL mid-load and starts it again."""

import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Generous bounds on waits for a condition, for a loaded 2-core machine: never a fixed time.
STARTUP_SECONDS = 120
LOAD_SECONDS = 120

SEED = """
import json
from django.contrib.auth.models import Group
from strawberry.relay import GlobalID
from cms.models import User
from cms.services.comments import comment_create
from cms.services.posts import post_create, post_publish
from cms.services.tokens import token_create

def gid(kind, obj):
    return str(GlobalID(kind, str(obj.pk)))

author = User.objects.create_user("live-author", email="author@example.com", password=None)
author.groups.add(Group.objects.get(name="author"))
post = post_publish(actor=author, post=post_create(actor=author, title="Live", body="Hi."))
readers = []
for n in range(4):
    user = User.objects.create_user(f"live-reader-{n}", email=f"r{n}@example.com", password=None)
    user.groups.add(Group.objects.get(name="subscriber"))
    readers.append(user)
comments = [comment_create(actor=readers[n], post=post, body=f"Seed {n}") for n in range(3)]
print("SEED " + json.dumps({
    "post": gid("Post", post), "comments": [gid("Comment", c) for c in comments],
    "tokens": [token_create(user=user)[1] for user in readers],
}))
"""

CHECK = """
import json
from django.db import connection
from django.db.models import Count
from cms.models import Comment, Post, Reaction
from cms.models.reactions import ReactionKind, count_field

problems = []
approved = Comment.objects.filter(status="approved")
for post in Post.objects.all():
    if post.comment_count != approved.filter(post=post).count():
        problems.append(f"post {post.pk} comment_count {post.comment_count}")
for comment in Comment.objects.all():
    replies = approved.filter(parent=comment).count()
    below = approved.filter(post=comment.post_id, path__startswith=comment.path).exclude(
        pk=comment.pk).count()
    if (comment.reply_count, comment.descendant_count) != (replies, below):
        problems.append(f"comment {comment.pk} counts {comment.reply_count}/"
                        f"{comment.descendant_count}, really {replies}/{below}")
for model, field in ((Post, "post"), (Comment, "comment")):
    for subject in model.objects.all():
        for kind in ReactionKind.values:
            real = Reaction.objects.filter(**{field: subject}, kind=kind).count()
            if getattr(subject, count_field(kind)) != real:
                problems.append(f"{field} {subject.pk} {kind} {getattr(subject, count_field(kind))}"
                                f" != {real}")
twice = (Reaction.objects.values("post", "comment", "user", "visitor_key", "kind")
         .annotate(n=Count("id")).filter(n__gt=1).count())
if twice:
    problems.append(f"{twice} duplicated reactions")
integrity = None
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
print("CHECK " + json.dumps({
    "problems": problems, "integrity": integrity,
    "bodies": list(Comment.objects.filter(body__startswith="live-").values_list("body", flat=True)),
    "reactions": Reaction.objects.count(),
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveDatabase:
    """A fresh database for one test module; `env` is what every subprocess runs with."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.admin_url = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            self.vendor = "postgresql"
            self.name = f"hearth_live_{uuid.uuid4().hex[:12]}"
            self.admin_url = url
            self.url = urlunparse(urlparse(url)._replace(path="/" + self.name))
        else:
            self.vendor = "sqlite"
            self.url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("HEARTH_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            DATABASE_URL=self.url, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="0",
            HEARTH_COMMENT_FLOOD_SECONDS="0", HEARTH_MUTATION_RATE_LIMIT="1000000",
            HEARTH_MAX_BODY_BYTES="262144",
            DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1",
        )

    def create(self, seed: str = SEED) -> dict:
        """Create and migrate the database, then run `seed`, which prints "SEED <json>"."""
        if self.admin_url:
            self._admin(f'CREATE DATABASE "{self.name}"')
        self.manage("migrate", "--noinput")
        return json.loads(self.shell(seed, "SEED "))

    def drop(self) -> None:
        if self.admin_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, code: str, prefix: str) -> str:
        out = self.manage("shell", "-c", code)
        return next(line for line in out.splitlines() if line.startswith(prefix))[len(prefix):]

    def check(self) -> dict:
        return json.loads(self.shell(CHECK, "CHECK "))


class Server:
    """gunicorn, several processes and threads, in its own process group. Its log has a line
    `ACCESS <pid> <status>` per request, naming the worker that answered."""

    def __init__(self, database: LiveDatabase, log: Path, workers: int = 3):
        self.database = database
        self.port = free_port()
        self.log = log
        self.workers = workers
        self.process = None

    def start(self) -> "Server":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "config.wsgi:application", "--bind",
                 f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                 "--worker-class", "gthread", "--threads", "4", "--timeout", "30", "--preload",
                 "--no-control-socket", "--access-logfile", "-",
                 "--access-logformat", "ACCESS %(p)s %(s)s"],
                cwd=ROOT, env=self.database.env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                status, _ = self.request({"query": "{ __typename }"})
                if status == 200:
                    return self
            except OSError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.1)
        raise AssertionError("the server did not start: " + self.log.read_text())

    def request(self, payload: dict, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("POST", "/graphql/", json.dumps(payload),
                               {"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def stop(self) -> None:
        """A clean stop: SIGTERM to the master, which lets its workers finish."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def crash(self) -> None:
        """kill -9 of the master and every worker, mid-request."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


# The load -------------------------------------------------------------------------------------

ADD_COMMENT = """mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id status } errors { code } } }"""
REACT = """mutation($input: ReactInput!) {
  react(input: $input) { visitorToken errors { code } } }"""
UNREACT = """mutation($input: ReactInput!) { unreact(input: $input) { errors { code } } }"""
KINDS = ["LIKE", "LOVE", "WOW"]


def wait_until(condition, seconds: float) -> bool:
    """Whether `condition()` came true within `seconds` (checked every 50 ms)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class Load:
    """16 clients writing at once. Every addComment has a unique body, so the check can tell
    acknowledged, refused and unknown (connection lost in a crash) comments apart."""

    def __init__(self, server: Server, seed: dict):
        self.server = server
        self.seed = seed
        self.lock = threading.Lock()
        self.acknowledged: set[str] = set()
        self.refused: set[str] = set()
        self.unknown: set[str] = set()
        self.failures: list[str] = []
        self.subjects = [seed["post"], *seed["comments"]]
        self.parents = list(seed["comments"])
        self.requests = 0
        self.visitors = [self.new_visitor() for _ in range(3)]
        self.tag = uuid.uuid4().hex[:8]

    def new_visitor(self) -> str:
        status, text = self.server.request({"query": REACT, "variables": {
            "input": {"subjectId": self.seed["post"], "kind": "HUG"}}})
        assert status == 200, text
        return json.loads(text)["data"]["react"]["visitorToken"]

    def send(self, query: str, variables: dict, headers: dict) -> dict | None:
        """The response body, or None when the connection failed (the server is down)."""
        try:
            status, text = self.server.request({"query": query, "variables": variables}, headers)
        except (OSError, http.client.HTTPException):  # the server went down mid-request
            return None
        with self.lock:
            self.requests += 1
            if status >= 500 or "database is locked" in text or "Unexpected error" in text:
                self.failures.append(f"{status}: {text[:300]}")
        try:
            return json.loads(text)
        except ValueError:
            with self.lock:
                self.failures.append(f"not JSON ({status}): {text[:300]}")
            return {}

    def comment(self, rng: random.Random) -> None:
        body = f"live-{self.tag}-{uuid.uuid4().hex}"
        guest = rng.random() < 0.3
        data = {"postId": self.seed["post"], "body": body}
        headers = {}
        if guest:
            data.update(authorName="Guest", authorEmail=f"{uuid.uuid4().hex[:8]}@example.org")
        else:
            headers["Authorization"] = "Bearer " + rng.choice(self.seed["tokens"])
        if rng.random() < 0.6:
            with self.lock:
                data["parentId"] = rng.choice(self.parents)
        result = self.send(ADD_COMMENT, {"input": data}, headers)
        with self.lock:
            if result is None:
                self.unknown.add(body)
                return
            payload = (result.get("data") or {}).get("addComment") or {}
            if payload.get("comment") and not payload.get("errors"):
                self.acknowledged.add(body)
                if payload["comment"]["status"] == "APPROVED":
                    self.parents.append(payload["comment"]["id"])
                    self.subjects.append(payload["comment"]["id"])
            else:
                self.refused.add(body)

    def reaction(self, rng: random.Random, document: str) -> None:
        with self.lock:
            subject = rng.choice(self.subjects)
        if rng.random() < 0.5:
            headers = {"X-Visitor-Token": rng.choice(self.visitors)}
        else:
            headers = {"Authorization": "Bearer " + rng.choice(self.seed["tokens"])}
        self.send(document, {"input": {"subjectId": subject, "kind": rng.choice(KINDS)}},
                  headers)

    def client(self, number: int, barrier: threading.Barrier, done: threading.Event) -> None:
        rng = random.Random(number)
        # All at once: the same visitor reacting to the same subject with the same kind.
        barrier.wait()
        self.send(REACT, {"input": {"subjectId": self.seed["post"], "kind": "CELEBRATE"}},
                  {"X-Visitor-Token": self.visitors[0]})
        while not done.is_set():
            roll = rng.random()
            if roll < 0.4:
                self.comment(rng)
            elif roll < 0.75:
                self.reaction(rng, REACT)
            else:
                self.reaction(rng, UNREACT)

    def run(self, seconds: float, clients: int = 16, during=None, enough: int = 10) -> None:
        """`clients` threads writing for `seconds`, and on until `enough` comments were
        acknowledged (a loaded machine answers slowly), or, with `during` (called meanwhile, as
        a crash), until it has returned; never more than LOAD_SECONDS."""
        barrier = threading.Barrier(clients)
        done = threading.Event()
        threads = [threading.Thread(target=self.client, args=(n, barrier, done))
                   for n in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        if during is not None:
            during()
        wait_until(lambda: time.monotonic() > started + seconds and (
            during is not None or len(self.acknowledged) >= enough), LOAD_SECONDS)
        done.set()
        for thread in threads:
            thread.join()


def assert_consistent(database: LiveDatabase, load: Load, *, crashed: bool = False) -> dict:
    state = database.check()
    assert state["problems"] == [], state["problems"]
    bodies = {body for body in state["bodies"] if body.startswith(f"live-{load.tag}-")}
    assert load.acknowledged <= bodies, load.acknowledged - bodies
    assert not (load.refused & bodies)
    # Only a request cut off by the crash may have written a comment nobody heard about.
    assert bodies - load.acknowledged <= (load.unknown if crashed else set())
    if database.vendor == "sqlite":
        assert state["integrity"] == "ok"
    return state


def assert_chunked_bodies_are_read_up_to_the_limit(server: Server) -> None:
    """Transfer-Encoding: chunked, no Content-Length: gunicorn de-chunks, the view stops reading
    at DATA_UPLOAD_MAX_MEMORY_SIZE (HEARTH_MAX_BODY_BYTES, 256 KB here)."""
    small = json.dumps({"query": "{ __typename }"}).encode()
    big = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * 300_000}}).encode()
    for body, status in ((small, 200), (big, 413)):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        chunks = (body[i:i + 1000] for i in range(0, len(body), 1000))
        connection.request("POST", "/graphql/", chunks, {"Content-Type": "application/json"},
                           encode_chunked=True)
        response = connection.getresponse()
        assert response.status == status
        assert json.loads(response.read())["errors" if status != 200 else "data"]
        connection.close()


# The tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    database = LiveDatabase(tmp_path_factory.mktemp("live"))
    try:
        seed = database.create()
        yield database, seed
    finally:
        database.drop()


@pytest.mark.live
def test_sixteen_concurrent_writers_keep_every_count_exact(live, tmp_path):
    database, seed = live
    server = Server(database, tmp_path / "server.log").start()
    try:
        assert_chunked_bodies_are_read_up_to_the_limit(server)
        load = Load(server, seed)
        load.run(seconds=3)
    finally:
        server.stop()
    assert load.failures == [], load.failures[:5]
    assert load.acknowledged
    assert not load.unknown
    assert "database is locked" not in server.log_text()
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
    state = assert_consistent(database, load)
    assert state["reactions"] > 0


@pytest.mark.live
def test_kill_9_mid_load_loses_nothing_acknowledged(live, tmp_path):
    database, seed = live
    server = Server(database, tmp_path / "server.log").start()
    load = Load(server, seed)

    def crash_midway():
        # Once writes are being acknowledged, however slowly the machine answers: mid-load.
        wait_until(lambda: len(load.acknowledged) >= 10, LOAD_SECONDS)
        server.crash()

    try:
        load.run(seconds=3, during=crash_midway)
    finally:
        if server.process.poll() is None:
            server.crash()
    assert load.failures == [], load.failures[:5]
    assert load.acknowledged
    assert_consistent(database, load, crashed=True)
    # It starts again on the same database and keeps working.
    restarted = Server(database, tmp_path / "restarted.log").start()
    try:
        after = Load(restarted, seed)
        after.run(seconds=1, clients=4, enough=3)
    finally:
        restarted.stop()
    assert after.failures == [] and after.acknowledged
    assert_consistent(database, after)
