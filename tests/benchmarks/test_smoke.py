"""The benchmark compares like with like: on a small generated thread, the floor view, Hearth and
the naive strawberry-django schema return the same comments in the same order, and the floor's
post page is Hearth's response to the letter."""

import pytest

from benchmarks.datasets import build_thread, verify
from benchmarks.measure import Client, r1


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


def test_floor_thread_page_and_post_page_equal_hearths(tiny):
    floor, hearth = Client("F", None), Client("H", "/graphql/")
    variables = {"slug": tiny.slug, "after": None}
    assert floor.run("r1", variables) == hearth.run("r1", variables)
    assert floor.run("r2", {"slug": tiny.slug}) == hearth.run("r2", {"slug": tiny.slug})
