"""Remembered validation never lets a query past a limit it would fail now."""

from tests.conftest import GraphQLClient

QUERY = ("query($n: Int) { posts(first: $n) { edges { node {"
         " comments(first: 100) { totalCount } } } } }")


def test_the_same_query_is_measured_again_for_other_variables(db, settings):
    settings.HEARTH_MAX_NODES = 1_000
    client = GraphQLClient()
    assert "errors" not in client.execute(QUERY, {"n": 5})  # 5 + 500 nodes
    refused = client.execute(QUERY, {"n": 50}, allow_errors=True)  # 50 + 5,000 nodes
    assert refused["errors"][0]["extensions"]["limit"] == "nodes"


def test_a_changed_limit_applies_to_a_query_validated_before(db, settings):
    client = GraphQLClient()
    assert "errors" not in client.execute(QUERY, {"n": 5})
    settings.HEARTH_MAX_NODES = 100
    refused = client.execute(QUERY, {"n": 5}, allow_errors=True)
    assert refused["errors"][0]["extensions"]["limit"] == "nodes"


def test_an_invalid_query_stays_invalid(db):
    client = GraphQLClient()
    for _ in range(2):
        body = client.execute("{ posts { nope } }", allow_errors=True)
        assert "nope" in body["errors"][0]["message"]


def test_a_large_query_is_not_remembered(db, settings):
    from schema import document_cache

    settings.HEARTH_MAX_CACHED_QUERY_CHARS = 200
    before = document_cache._cached_parse.cache_info().currsize
    padded = "{ posts { totalCount } } #" + "x" * 500
    body = GraphQLClient().execute(padded)
    assert body["data"]["posts"]["totalCount"] == 0
    assert document_cache._cached_parse.cache_info().currsize == before
    assert not any(key[0] == padded for key in document_cache._validations)


def test_a_large_persisted_query_runs_but_is_not_registered(db, settings):
    import hashlib

    from django.core.cache import cache

    from schema import persisted

    settings.HEARTH_MAX_CACHED_QUERY_CHARS = 200
    padded = "{ posts { totalCount } } #" + "x" * 500
    sha = hashlib.sha256(padded.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    response = GraphQLClient().client.post(
        "/graphql/", {"query": padded, "extensions": extensions}, content_type="application/json")
    assert response.json()["data"]["posts"]["totalCount"] == 0
    assert cache.get(persisted.CACHE_PREFIX + sha) is None
