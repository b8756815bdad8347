"""Mutation rate limits per caller: anonymous callers per IP, signed-in ones per user, moderators
exempt; a refusal runs nothing and says when to come back. Checked on the local-memory cache and
on Redis (127.0.0.1:6379), each test with its own key prefix. A store that is down or full
never lets a flood through."""

import os
import subprocess
import sys
import time
import uuid

import pytest

from cms import ratelimit
from cms.models import Reaction
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.redis_servers import RedisServer
from tests.support.writes import REACT, gid

WINDOW = 3_600  # long, so a test never straddles two windows


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    prefix = f"hearth-test-{uuid.uuid4().hex}"
    if request.param == "redis":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:6379/0",
                                       "KEY_PREFIX": prefix}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": prefix}}
    settings.HEARTH_MUTATION_RATE_WINDOW_SECONDS = WINDOW
    return request.param


def react(client: GraphQLClient, subject, kind: str, ip: str = "198.51.100.1"):
    return client.client.post(
        "/graphql/", data={"query": REACT, "variables": {"input": {"subjectId": gid(subject),
                                                                   "kind": kind}}},
        content_type="application/json", headers=client.headers, REMOTE_ADDR=ip)


def assert_rate_limited(response) -> int:
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    retry_after = error["extensions"]["retryAfter"]
    assert 1 <= retry_after <= WINDOW
    assert response["Retry-After"] == str(retry_after)
    return retry_after


def test_hit_counts_within_a_window(backend):
    key = f"k-{uuid.uuid4().hex}"
    assert [ratelimit.hit(key, limit=3, window=WINDOW) for _ in range(3)] == [None] * 3
    retry_after = ratelimit.hit(key, limit=3, window=WINDOW)
    assert 1 <= retry_after <= WINDOW
    assert ratelimit.hit(f"other-{key}", limit=3, window=WINDOW) is None
    assert ratelimit.hit(f"cost-{key}", limit=3, window=WINDOW, cost=4) is not None


def test_anonymous_mutations_are_limited_per_ip(backend, settings, gql, users):
    settings.HEARTH_MUTATION_RATE_LIMIT = 2
    post = factories.published_post(users["author"])
    assert react(gql, post, "LIKE").status_code == 200
    assert react(gql, post, "LOVE").status_code == 200
    assert_rate_limited(react(gql, post, "HUG"))
    assert set(Reaction.objects.values_list("kind", flat=True)) == {"like", "love"}
    # Another address has its own allowance.
    assert react(gql, post, "HUG", ip="198.51.100.2").status_code == 200
    assert Reaction.objects.count() == 3


def test_queries_are_not_limited(backend, settings, gql, users):
    settings.HEARTH_MUTATION_RATE_LIMIT = 1
    for _ in range(5):
        gql.execute("{ posts { totalCount } }")


def test_signed_in_callers_are_limited_per_user(backend, settings, users):
    settings.HEARTH_MUTATION_RATE_LIMIT = 1
    post = factories.published_post(users["author"])
    alice = GraphQLClient().as_user(users["subscriber"])
    bob = GraphQLClient().as_user(users["contributor"])
    assert react(alice, post, "LIKE").status_code == 200
    assert_rate_limited(react(alice, post, "LOVE"))
    # Same address, other user: not affected.
    assert react(bob, post, "LIKE").status_code == 200
    assert Reaction.objects.count() == 2


def test_moderators_are_exempt(backend, settings, users):
    settings.HEARTH_MUTATION_RATE_LIMIT = 1
    post = factories.published_post(users["author"])
    editor = GraphQLClient().as_user(users["editor"])
    for kind in ("LIKE", "LOVE", "HUG", "WOW"):
        assert react(editor, post, kind).status_code == 200
    assert Reaction.objects.count() == 4


def test_every_top_level_mutation_field_counts(backend, settings, gql, users):
    settings.HEARTH_MUTATION_RATE_LIMIT = 2
    post = factories.published_post(users["author"])
    three = "mutation($id: ID!) { " + " ".join(
        f'{k.lower()}: react(input: {{subjectId: $id, kind: {k}}}) {{ errors {{ code }} }}'
        for k in ("LIKE", "LOVE", "HUG")) + " }"
    response = gql.client.post("/graphql/", {"query": three, "variables": {"id": gid(post)}},
                               content_type="application/json")
    assert_rate_limited(response)
    assert Reaction.objects.count() == 0


def test_the_limit_is_shared_through_redis(settings):
    """Server processes with REDIS_URL count together: a second, separate Redis client sees the
    count the first one made."""
    from django.core.cache.backends.redis import RedisCache

    prefix = f"hearth-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0", "KEY_PREFIX": prefix}}
    assert ratelimit.hit("shared", limit=2, window=WINDOW) is None
    assert ratelimit.hit("shared", limit=2, window=WINDOW) is None
    other_process = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": prefix})
    start = int(time.time() // WINDOW) * WINDOW
    assert other_process.get(f"hearth:rate:shared:{start}") == 2
    other_process.incr(f"hearth:rate:shared:{start}")
    assert ratelimit.hit("shared", limit=3, window=WINDOW) is not None


@pytest.fixture
def fresh_fallback():
    ratelimit._fallback.clear()
    yield
    ratelimit._fallback.clear()


def test_an_unreachable_store_still_limits_in_each_process(settings, gql, users, fresh_fallback):
    """The store is down: the count goes on in this process's memory, never fails open."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.HEARTH_MUTATION_RATE_LIMIT = 1
    post = factories.published_post(users["author"])
    assert react(gql, post, "LIKE").status_code == 200
    assert_rate_limited(react(gql, post, "LOVE"))
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["like"]


def test_a_full_store_still_limits(settings, gql, users, tmp_path, fresh_fallback):
    """Redis at its maxmemory with `noeviction` refuses every write: still limited."""
    server = RedisServer(tmp_path, maxmemory="4mb", policy="noeviction").start()
    try:
        server.fill()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": "hearth-test-full"},
                           "ratelimit": server.cache_settings()}
        settings.HEARTH_MUTATION_RATE_LIMIT = 2
        post = factories.published_post(users["author"])
        assert react(gql, post, "LIKE").status_code == 200
        assert react(gql, post, "LOVE").status_code == 200
        assert_rate_limited(react(gql, post, "HUG"))
        assert Reaction.objects.count() == 2
    finally:
        server.stop()


def test_the_counters_can_have_a_redis_of_their_own():
    """HEARTH_RATELIMIT_REDIS_URL (default REDIS_URL) puts the counters in another Redis."""
    code = ("from django.conf import settings as s; "
            "print(s.CACHES['default']['LOCATION'], s.CACHES['ratelimit']['LOCATION'])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1",
           "REDIS_URL": "redis://cache:6379/0"}
    env.pop("HEARTH_RATELIMIT_REDIS_URL", None)
    shared = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                            env=env, capture_output=True, text=True, check=True)
    assert shared.stdout.split() == ["redis://cache:6379/0", "redis://cache:6379/0"]
    env["HEARTH_RATELIMIT_REDIS_URL"] = "redis://limits:6379/0"
    apart = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                           env=env, capture_output=True, text=True, check=True)
    assert apart.stdout.split() == ["redis://cache:6379/0", "redis://limits:6379/0"]


def test_a_flood_of_other_cache_entries_does_not_reset_the_counters(settings):
    """Anyone can add entries to the default cache (persisted queries, cached reads); when the
    local-memory cache is full it culls entries. The counters live in their own cache."""
    from django.core.cache import caches

    prefix = f"hearth-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": prefix},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": prefix + "-ratelimit", "OPTIONS": {"MAX_ENTRIES": 100_000}},
    }
    for _ in range(3):
        assert ratelimit.hit("flooder", limit=3, window=WINDOW) is None
    for n in range(1_000):
        caches["default"].set(f"junk-{n}", n)
    assert ratelimit.hit("flooder", limit=3, window=WINDOW) is not None


def test_production_settings_keep_counters_in_their_own_cache(settings):
    assert "ratelimit" in settings.CACHES
    assert settings.CACHES["ratelimit"].get("LOCATION") != settings.CACHES["default"].get(
        "LOCATION") or settings.CACHES["ratelimit"].get("KEY_PREFIX")
