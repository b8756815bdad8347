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


def kept_documents() -> set[str]:
    from schema.core import document_cache

    return {key[1] for key in document_cache.cache.entries if key[0] == "parse"}


def test_a_document_over_its_share_of_the_budget_runs_but_is_not_kept(db, settings):
    from schema.core import document_cache

    settings.HEARTH_DOCUMENT_CACHE_BYTES = 16 * 50_000  # entries up to 50,000 bytes
    small = "{ posts { totalCount } }"
    large = "{ posts { totalCount } " + "__typename " * 100 + "}"  # ~100 tokens: ~70,000 bytes
    for query in (small, large):
        assert GraphQLClient().execute(query)["data"]["posts"]["totalCount"] == 0
    assert small in kept_documents()
    assert large not in kept_documents()
    assert document_cache.cache.size <= settings.HEARTH_DOCUMENT_CACHE_BYTES


def test_unique_hostile_documents_keep_the_cache_within_its_budget(db, settings):
    """The issue's shape: unique 4 KB documents of 2,000 tokens (~1 MB each when kept)."""
    from schema.core import document_cache

    settings.HEARTH_DOCUMENT_CACHE_BYTES = 2_000_000
    client = GraphQLClient()
    for i in range(30):
        body = client.execute(f"{{ __typename(x: [{' 1' * 1_990}]) }} # {i}", allow_errors=True)
        assert body["data"] is None
    for i in range(300):
        body = client.execute(f"{{ posts {{ totalCount }} }} # {i}")
        assert body["data"]["posts"]["totalCount"] == 0
    cache = document_cache.cache
    assert cache.size <= settings.HEARTH_DOCUMENT_CACHE_BYTES
    assert cache.size == sum(size for _, size in cache.entries.values())
    assert "{ posts { totalCount } } # 299" in kept_documents()
    assert not any("[ 1 1" in query for query in kept_documents())


def test_the_estimate_covers_what_a_parsed_document_really_holds():
    """Each shape of 2,000-token document, measured with tracemalloc, is estimated above what
    it holds (its text included)."""
    import gc
    import tracemalloc

    from graphql import get_introspection_query, parse

    from schema.core.document_cache import Parsed

    shapes = [
        "{ __typename(x: [" + " 1" * 1_990 + "]) }",
        "{" + " __typename" * 1_990 + " }",
        "{" + " viewer { id }" * 490 + " }",
        "{ __typename(x: [" + ' {a: 1}' * 390 + "]) }",
        "{ __typename(x: [" + ' "é€😀"' * 1_990 + "]) }",
        "query(" + " ".join(f"$v{i}: Int" for i in range(490)) + ") { __typename }",
        "{ __typename }" + "\n# comment" * 1_990,
        '{ __typename(x: "' + "😀" * 50_000 + '") }',
        get_introspection_query(descriptions=True),
        "{ posts { totalCount } }",
    ]
    for shape in shapes:
        gc.collect()
        tracemalloc.start()
        query = "".join(list(shape))  # a fresh copy of the text, counted like a request's
        document = parse(query, max_tokens=2_000)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert Parsed(query, document).size >= held, shape[:40]


def test_concurrent_use_keeps_the_byte_count_exact():
    import threading

    from schema.core.document_cache import ByteBoundedLRU

    cache = ByteBoundedLRU(lambda: 100_000)

    def work(worker: int) -> None:
        for i in range(2_000):
            cache.put((worker, i % 300), i, 100 + i % 5_000)
            cache.get((worker, (i * 7) % 300))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.size == sum(size for _, size in cache.entries.values())
    assert cache.size <= 100_000


def test_a_large_persisted_query_runs_but_is_not_registered(db, settings):
    import hashlib

    from django.core.cache import cache

    from schema.http import persisted

    settings.HEARTH_MAX_CACHED_QUERY_CHARS = 200
    padded = "{ posts { totalCount } } #" + "x" * 500
    sha = hashlib.sha256(padded.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    response = GraphQLClient().client.post(
        "/graphql/", {"query": padded, "extensions": extensions}, content_type="application/json")
    assert response.json()["data"]["posts"]["totalCount"] == 0
    assert cache.get(persisted.CACHE_PREFIX + sha) is None


def test_a_lowered_budget_evicts_down_to_it_on_the_next_document(db, settings):
    from schema.core import document_cache

    settings.HEARTH_DOCUMENT_CACHE_BYTES = 8 * 1024 * 1024
    client = GraphQLClient()
    for i in range(20):
        client.execute(f"{{ posts {{ totalCount }} }} # {i}")
    assert document_cache.cache.size > 100_000
    settings.HEARTH_DOCUMENT_CACHE_BYTES = 16 * 5_000  # the next document is too large to keep
    client.execute("{ posts { totalCount } " + "__typename " * 50 + "}")
    assert document_cache.cache.size <= settings.HEARTH_DOCUMENT_CACHE_BYTES
