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
