"""The benchmark compares like with like: on a small generated thread, the floor view, Hearth and
the strawberry-django schemas (naive and optimized) return the same comments in the same order,
and the floor's post page is Hearth's response to the letter; the floor's queries are compiled
once and bound to new values, its cached page is its page; contenders take turns and p99 needs
200 samples."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.datasets import build_thread, verify
from benchmarks.measure import MIN_SAMPLES, Client, r1, run_contenders


@pytest.fixture
def tiny(db, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    return build_thread("tiny", users=20)


def test_generated_counters_match_fresh_counts(tiny):
    verify()
    assert tiny.comment_count == 150


def test_floor_hearth_and_naive_read_the_same_thread(tiny):
    floor, hearth = r1(Client("F", None)), r1(Client("H", "/graphql/"))
    assert len(floor) == len(set(floor)) == 150
    assert floor == hearth
    first = Client("H", "/graphql/").run("r1", {"slug": tiny.slug, "after": None})
    assert first["data"]["post"]["thread"]["totalCount"] == 150
    assert r1(Client("N", "/naive/graphql/")) == hearth


def without_cursors(data):
    """The answer with every cursor taken out: strawberry-django and graphene page by offset,
    Hearth by keyset, so their cursors differ while the page is the same."""
    if isinstance(data, dict):
        return {k: without_cursors(v) for k, v in data.items() if k != "endCursor"}
    if isinstance(data, list):
        return [without_cursors(v) for v in data]
    return data


def test_optimized_strawberry_django_reads_what_hearth_reads_in_few_queries(tiny):
    optimized, hearth = Client("S", "/optimized/graphql/"), Client("H", "/graphql/")
    assert r1(optimized) == r1(hearth)
    for op, variables, most in [("small", {"slug": tiny.slug}, 1), ("r3", {}, 3),
                                ("r1", {"slug": tiny.slug, "after": None}, 4),
                                ("r2", {"slug": tiny.slug}, 9)]:
        with CaptureQueriesContext(connection) as queries:
            answer = optimized.run(op, variables)
        assert without_cursors(answer) == without_cursors(hearth.run(op, variables)), op
        assert len(queries) <= most, (op, [q["sql"][:200] for q in queries])


def test_floor_thread_page_and_post_page_equal_hearths(tiny):
    floor, hearth = Client("F", None), Client("H", "/graphql/")
    variables = {"slug": tiny.slug, "after": None}
    assert floor.run("r1", variables) == hearth.run("r1", variables)
    assert floor.run("r2", {"slug": tiny.slug}) == hearth.run("r2", {"slug": tiny.slug})


def test_floor_caches_its_page_only_where_hearth_caches_its_results(tiny, settings, tmp_path):
    floor = Client("F", None)
    page = floor.run("r2", {"slug": tiny.slug})
    with CaptureQueriesContext(connection) as queries:  # a cache per process: Hearth's is off
        assert floor.run("r2c", {"slug": tiny.slug}) == page
    assert len(queries) == 6
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path)}}
    from django.core.cache import cache

    cache.clear()
    assert floor.run("r2c", {"slug": tiny.slug}) == page
    with CaptureQueriesContext(connection) as queries:  # a shared cache: served from it
        assert floor.run("r2c", {"slug": tiny.slug}) == page
    assert len(queries) == 0


def test_floor_queries_are_compiled_once_and_bound_to_new_values(tiny):
    floor, hearth = Client("F", None), Client("H", "/graphql/")
    floor.run("r2", {"slug": tiny.slug})
    with CaptureQueriesContext(connection) as queries:
        missing = floor.run("small", {"slug": "no-such-post"})
    assert missing == {"data": {"post": None}}
    assert len(queries) == 1 and "no-such-post" in queries[0]["sql"]
    assert floor.run("small", {"slug": tiny.slug}) == hearth.run("small", {"slug": tiny.slug})


def test_contenders_take_turns_and_p99_needs_200_samples(tiny):
    clients = [Client("F", None), Client("H", "/graphql/")]
    figures = run_contenders(clients, ["small"], 0.0, rounds=3)
    for name in ("F", "H"):
        small = figures[name]["small"]
        assert small["reps"] >= MIN_SAMPLES and small["queries"] >= 1
        assert small["p99_ms"] is None  # fewer than P99_SAMPLES samples
