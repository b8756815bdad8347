"""No stale read after a write, whichever worker answers (marked `live`).

gunicorn with 2 workers, as the README deploys it: without REDIS_URL (each worker has its own
memory cache, so the server-side result cache stays off) and with REDIS_URL (shared, so it is on).
Anonymous readers read a post until both workers have answered (and cached it); one request
unpublishes it; then every read, from either worker, shows it gone; republished, it is back."""

import json
import re
import threading

import pytest

from tests.live.test_concurrency import LiveDatabase, Server
from tests.support.redis_servers import RedisServer

SEED = """
import json
from django.contrib.auth.models import Group
from strawberry.relay import GlobalID
from cms.models import User
from cms.services.posts import post_create, post_publish
from cms.services.tokens import token_create

author = User.objects.create_user("workers-author", email="wa@example.com", password=None)
author.groups.add(Group.objects.get(name="author"))
post = post_publish(actor=author, post=post_create(actor=author, title="On both", body="Hi."))
print("SEED " + json.dumps({"post": str(GlobalID("Post", str(post.pk))), "slug": post.slug,
                            "token": token_create(user=author)[1]}))
"""

READ = "query($slug: String!) { post(slug: $slug) { title status } }"
UNPUBLISH = "mutation($id: ID!) { unpublishPost(id: $id) { post { status } errors { code } } }"
PUBLISH = """mutation($id: ID!) { publishPost(input: {id: $id}) {
  post { status } errors { code } } }"""


def answering_workers(server: Server, since: int) -> set[str]:
    """The pids of the workers that answered a request logged after byte `since`."""
    text = server.log.read_bytes()[since:].decode(errors="replace")
    return set(re.findall(r"^ACCESS <(\d+)>", text, re.MULTILINE))


def read_from_both_workers(server: Server, slug: str) -> list:
    """Anonymous reads, 8 at a time, until both workers have answered some: every answer."""
    since = server.log.stat().st_size
    answers, lock = [], threading.Lock()

    def reader():
        for _ in range(5):
            status, text = server.request({"query": READ, "variables": {"slug": slug}})
            assert status == 200, text
            with lock:
                answers.append(json.loads(text)["data"]["post"])

    for _ in range(20):
        threads = [threading.Thread(target=reader) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(answering_workers(server, since)) == 2:
            return answers
    raise AssertionError("one worker answered every read")


def write(server: Server, seed: dict, document: str) -> str:
    status, text = server.request({"query": document, "variables": {"id": seed["post"]}},
                                  {"Authorization": "Bearer " + seed["token"]})
    assert status == 200, text
    payload = next(iter(json.loads(text)["data"].values()))
    assert payload["errors"] == []
    return payload["post"]["status"]


@pytest.fixture(params=["memory", "redis"])
def gunicorn_two_workers(request, tmp_path):
    database = LiveDatabase(tmp_path)
    redis_server = None
    if request.param == "redis":
        redis_server = RedisServer(tmp_path).start()
        database.env["REDIS_URL"] = redis_server.url
    server = None
    try:
        seed = database.create(SEED)
        server = Server(database, tmp_path / "server.log", workers=2).start()
        yield server, seed
    finally:
        if server is not None:
            server.stop()
        if redis_server is not None:
            redis_server.stop()
        database.drop()


@pytest.mark.live
def test_no_worker_serves_a_post_after_it_is_unpublished(gunicorn_two_workers):
    server, seed = gunicorn_two_workers
    shown = {"title": "On both", "status": "PUBLISHED"}
    assert all(post == shown for post in read_from_both_workers(server, seed["slug"]))

    assert write(server, seed, UNPUBLISH) == "DRAFT"
    assert all(post is None for post in read_from_both_workers(server, seed["slug"]))

    assert write(server, seed, PUBLISH) == "PUBLISHED"
    assert all(post == shown for post in read_from_both_workers(server, seed["slug"]))
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
