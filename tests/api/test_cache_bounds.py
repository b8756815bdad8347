"""What callers can make Hearth store is bounded, per caller and in total; a cache that is full or
down never turns a read or a committed write into an error. Each test has Redis servers of its
own (tests/support/redis_servers.py): one for the caches, one for the rate-limit counters and
quotas."""

import hashlib
import json
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms import cache_guard, ratelimit
from cms.models import Comment, CommentStatus, Role
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post
from tests.support.redis_servers import RedisServer
from tests.support.writes import gid

THREAD = """query($slug: String!) { post(slug: $slug) { title
  thread { edges { node { body } } } } }"""
MODERATE = """mutation($id: ID!, $status: CommentStatus!) {
  moderateComment(input: {id: $id, status: $status}) { comment { status } errors { code } } }"""


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory):
    caches = RedisServer(tmp_path_factory.mktemp("cache"), maxmemory="4mb").start()
    limits = RedisServer(tmp_path_factory.mktemp("limits")).start()
    yield caches, limits
    caches.stop()
    limits.stop()


@pytest.fixture(autouse=True)
def shared_caches(settings, redis_servers):
    caches, limits = redis_servers
    for server in redis_servers:
        server.empty()
    settings.CACHES = {"default": caches.cache_settings(), "ratelimit": limits.cache_settings()}
    settings.HEARTH_RESULT_CACHE_SECONDS = 300
    ratelimit._fallback.clear()
    cache_guard._last_warned.clear()
    return caches


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1,
                               "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}


def register(query: str, ip: str = "198.51.100.1"):
    return Client().post("/graphql/", {"query": query, "extensions": persisted(query)},
                         content_type="application/json", REMOTE_ADDR=ip)


def known(query: str) -> bool:
    response = Client().get("/graphql/", {"extensions": json.dumps(persisted(query))})
    assert response.status_code == 200
    errors = response.json().get("errors") or []
    return not any(e.get("extensions", {}).get("code") == "PERSISTED_QUERY_NOT_FOUND"
                   for e in errors)


def read(query: str, ip: str = "198.51.100.1", variables: dict | None = None) -> dict:
    response = Client().post("/graphql/", {"query": query, "variables": variables or {}},
                             content_type="application/json", REMOTE_ADDR=ip)
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def runs_sql(query: str, ip: str = "198.51.100.1") -> bool:
    with CaptureQueriesContext(connection) as queries:
        read(query, ip)
    return len(queries) > 0


def same_size_queries(n: int) -> list[str]:
    return [f"{{ posts(first: {10 + i}) {{ totalCount }} }}" for i in range(n)]


def entry_bytes(query: str) -> int:
    return len("hearth:apq:") + 64 + len(query.encode())


# Persisted queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "{ posts { ",                                               # does not parse
    "{ noSuchField }",                                          # does not validate
    "query { posts { totalCount } } query { viewer { id } }",   # two anonymous operations
    "{ " + " ".join(f"a{n}: __typename" for n in range(100)) + " }",  # over the alias limit
])
def test_a_query_that_is_not_executed_is_not_registered(db, query):
    response = register(query)
    assert "errors" in response.json()
    assert not known(query)


def test_a_query_that_ran_is_registered_for_its_life_only(db, settings, shared_caches):
    settings.HEARTH_PERSISTED_QUERY_SECONDS = 600
    query = "{ posts { totalCount } }"
    assert register(query).json() == {"data": {"posts": {"totalCount": 0}}}
    assert known(query)
    [key] = shared_caches.client.keys("*hearth:apq:*")
    assert 0 < shared_caches.client.ttl(key) <= 600


def test_registrations_are_bounded_per_caller(db, settings):
    settings.HEARTH_RESULT_CACHE_SECONDS = 0  # a cached answer runs nothing, registers nothing
    first, second, third = same_size_queries(3)
    settings.HEARTH_PERSISTED_QUERY_CALLER_BYTES = 2 * entry_bytes(first)
    for query in (first, second, third):
        assert "errors" not in register(query).json()  # over quota the query still runs
    assert known(first) and known(second)
    assert not known(third)
    register(third, ip="198.51.100.2")  # another caller has its own quota
    assert known(third)


def test_registrations_are_bounded_in_total(db, settings):
    settings.HEARTH_RESULT_CACHE_SECONDS = 0
    queries = same_size_queries(3)
    settings.HEARTH_PERSISTED_QUERY_TOTAL_BYTES = 2 * entry_bytes(queries[0])
    for n, query in enumerate(queries):
        register(query, ip=f"198.51.100.{n + 1}")
    assert [known(query) for query in queries] == [True, True, False]


# Result cache ---------------------------------------------------------------------------------


def test_an_answer_over_the_byte_cap_is_not_stored(db, settings):
    small, large = "{ posts { totalCount } }", "{ posts { totalCount edges { cursor } } }"
    published_post(make_user("ann", Role.AUTHOR))
    settings.HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES = len(json.dumps(
        {"data": read(small)}, separators=(",", ":")))
    forget_everything()
    read(small), read(large)
    assert not runs_sql(small)
    assert runs_sql(large)


def test_stores_are_bounded_per_caller(db, settings, shared_caches):
    one, two, three = same_size_queries(3)
    read(one)
    settings.HEARTH_RESULT_CACHE_CALLER_BYTES = 2 * stored_bytes(shared_caches)
    forget_everything()
    for query in (one, two, three):
        read(query)
    assert [runs_sql(query) for query in (one, two, three)] == [False, False, True]
    read(three, ip="198.51.100.2")  # another caller has its own quota
    assert not runs_sql(three)


def test_stores_are_bounded_in_total(db, settings, shared_caches):
    queries = same_size_queries(3)
    read(queries[0])
    settings.HEARTH_RESULT_CACHE_TOTAL_BYTES = 2 * stored_bytes(shared_caches)
    forget_everything()
    for n, query in enumerate(queries):
        read(query, ip=f"198.51.100.{n + 1}")
    assert [runs_sql(query) for query in queries] == [False, False, True]


def stored_bytes(server) -> int:
    """What the one entry in the result cache counted against the quotas: key, answer, tags."""
    from django.core.cache import cache

    [stored] = server.client.keys("*hearth:result:*")
    key = stored.decode().split(":", 2)[2]  # Django's ":<version>:" prefix off
    entry = cache.get(key)
    return len(key) + len(entry["body"]) + sum(len(t) + len(v) for t, v in entry["tags"].items())


def forget_everything() -> None:
    """Empty the caches and the quotas' counts (of reads that measured something)."""
    from django.core.cache import caches

    caches["ratelimit"].clear()
    caches["default"].clear()


# A full or unreachable cache ------------------------------------------------------------------


def assert_degrades(caplog):
    """Reads, persisted queries and a committed write all answer as usual; no read is stale."""
    editor = make_user("eddie", Role.EDITOR)
    post = published_post(make_user("ann", Role.AUTHOR))
    comment(post, user=editor, body="First!")
    held = comment(post, body="Held back", status=CommentStatus.PENDING)
    page = {"slug": post.slug}

    def bodies():
        return [e["node"]["body"] for e in read(THREAD, variables=page)["post"]["thread"]["edges"]]

    assert bodies() == ["First!"]
    assert bodies() == ["First!"]
    moderated = GraphQLClient().as_user(editor).execute(
        MODERATE, {"id": gid(held), "status": "APPROVED"})
    assert moderated["data"]["moderateComment"] == {"comment": {"status": "APPROVED"},
                                                    "errors": []}
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.APPROVED
    assert bodies() == ["First!", "Held back"]
    assert bodies() == ["First!", "Held back"]
    query = "{ posts { totalCount } }"
    assert register(query).json()["data"] == read(query) == {"posts": {"totalCount": 2}}
    warnings = [r for r in caplog.records if r.getMessage().startswith("Cache unavailable")]
    assert warnings  # it says so...
    assert len(warnings) == len({r.getMessage() for r in warnings})  # ...once per kind


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_cache_turns_no_read_or_committed_write_into_an_error(shared_caches, caplog):
    caplog.set_level(logging.WARNING, logger="hearth")
    post = published_post(make_user("early", Role.AUTHOR))
    read(THREAD, variables={"slug": post.slug})  # entries and versions stored before it fills
    shared_caches.fill()
    assert_degrades(caplog)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unreachable_cache_turns_no_read_or_committed_write_into_an_error(settings, caplog):
    caplog.set_level(logging.WARNING, logger="hearth")
    published_post(make_user("early", Role.AUTHOR))
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0"}}
    assert_degrades(caplog)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_cache_never_serves_an_answer_older_than_a_committed_write(shared_caches):
    """The bump after the write is refused (full): the versions are deleted instead, so the entry
    of before the write never matches again."""
    editor = make_user("eddie", Role.EDITOR)
    post = published_post(make_user("ann", Role.AUTHOR))
    comment(post, user=editor, body="First!")
    held = comment(post, body="Held back", status=CommentStatus.PENDING)
    page = {"slug": post.slug}
    edges = read(THREAD, variables=page)["post"]["thread"]["edges"]
    assert len(edges) == 1
    assert not runs_sql_with(THREAD, page)  # served from the cache
    shared_caches.fill()
    GraphQLClient().as_user(editor).execute(MODERATE, {"id": gid(held), "status": "APPROVED"})
    assert len(read(THREAD, variables=page)["post"]["thread"]["edges"]) == 2


def runs_sql_with(query: str, variables: dict) -> bool:
    with CaptureQueriesContext(connection) as queries:
        read(query, variables=variables)
    return len(queries) > 0
