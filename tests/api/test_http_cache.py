"""CDN caching of public reads (answers from the result cache too), and automatic persisted
queries."""

import hashlib
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.services.previews import preview_token_create
from tests.conftest import make_user
from tests.support.factories import comment, draft_post, published_post
from tests.support.redis_servers import RedisServer

POST_QUERY = "query($slug: String!) { post(slug: $slug) { title commentCount } }"
THREAD_QUERY = ("query($slug: String!) { post(slug: $slug) { title thread { edges { node { body "
                "} } } } }")
LIST_QUERY = "{ posts(first: 5) { edges { node { title } } } }"


@pytest.fixture
def author(db):
    from cms.models import Role

    return make_user("ann", Role.AUTHOR)


def get(query: str, variables: dict | None = None, headers: dict | None = None,
        extensions: dict | None = None, client: Client | None = None):
    params = {"query": query} if query is not None else {}
    if variables:
        params["variables"] = json.dumps(variables)
    if extensions:
        params["extensions"] = json.dumps(extensions)
    return (client or Client()).get("/graphql/", params, headers=headers or {})


def tags(response) -> set[str]:
    return set(response["Cache-Tag"].split(","))


def test_an_anonymous_get_is_publicly_cacheable_with_tags(author, settings):
    settings.HEARTH_CDN_MAX_AGE = 120
    post = published_post(author)

    response = get(POST_QUERY, {"slug": post.slug})

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
    assert response["ETag"].startswith('"')
    assert tags(response) == {f"post:{post.pk}", f"post-comments:{post.pk}"}
    assert set(response["Surrogate-Key"].split(" ")) == tags(response)
    assert "X-Visitor-Token" in response["Vary"] and "Authorization" in response["Vary"]


def test_a_thread_is_tagged_with_its_comments(author):
    post = published_post(author)
    comment(post, user=author)

    response = get(THREAD_QUERY, {"slug": post.slug})

    assert tags(response) == {f"post:{post.pk}", f"post-comments:{post.pk}"}


def test_lists_and_misses_are_tagged_posts(author):
    published_post(author)

    listing = get(LIST_QUERY)
    missing = get(POST_QUERY, {"slug": "no-such-post"})

    assert tags(listing) == {"posts"}
    assert tags(missing) == {"posts"}


def test_a_matching_if_none_match_gets_a_304(author):
    post = published_post(author)
    first = get(POST_QUERY, {"slug": post.slug})

    again = get(POST_QUERY, {"slug": post.slug}, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Tag"] == first["Cache-Tag"]


def test_a_changed_body_changes_the_etag(author):
    from cms.services.posts import post_update

    post = published_post(author)
    first = get(POST_QUERY, {"slug": post.slug})
    post_update(actor=author, post=post, title="A new title")

    again = get(POST_QUERY, {"slug": post.slug}, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_signed_in_callers_get_private_responses(author):
    from cms.services.tokens import token_create

    post = published_post(author)
    _, raw = token_create(user=author)

    response = get(POST_QUERY, {"slug": post.slug}, headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response and "Cache-Tag" not in response


def test_a_session_caller_gets_private_responses(author):
    post = published_post(author)
    client = Client()
    client.force_login(author)

    response = get(POST_QUERY, {"slug": post.slug}, client=client)

    assert response["Cache-Control"] == "private, no-store"


def test_visitor_token_callers_get_private_responses(author):
    from cms.visitors import new_visitor

    post = published_post(author)
    _, token = new_visitor()

    response = get(POST_QUERY, {"slug": post.slug}, headers={"X-Visitor-Token": token})

    assert response["Cache-Control"] == "private, no-store"


def test_posts_are_private(author):
    post = published_post(author)

    response = Client().post("/graphql/", {"query": POST_QUERY, "variables": {"slug": post.slug}},
                             content_type="application/json")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_errors_are_never_publicly_cached(db):
    response = get("{ post { title } }")

    assert response["Cache-Control"] == "private, no-store"


def test_an_executed_query_with_errors_is_private(db):
    response = get("{ posts(first: -1) { totalCount } }")

    assert response.status_code == 200 and response.json()["errors"]
    assert response["Cache-Control"] == "private, no-store"


TITLED_ERRORS = '"errors": [1]'


@pytest.mark.parametrize(("query", "data"), [
    ("{ errors: posts { totalCount } }", {"errors": {"totalCount": 1}}),
    ("{ posts { edges { node { title } } } }",
     {"posts": {"edges": [{"node": {"title": TITLED_ERRORS}}]}}),
])
def test_an_answer_showing_the_text_errors_without_errors_is_public(author, query, data):
    """Whether an answer has errors is the execution result's to say, not its bytes: a field
    aliased `errors`, or a post titled `"errors":`, is an answer like any other."""
    published_post(author, title=TITLED_ERRORS)

    response = get(query)

    assert response.json() == {"data": data}
    assert response["Cache-Control"].startswith("public")


def test_a_preview_is_private(author):
    post = draft_post(author)
    token, _ = preview_token_create(actor=author, post=post)

    response = get("query($s: String!, $t: String) { post(slug: $s, previewToken: $t) { title } }",
                   {"s": post.slug, "t": token})

    assert response.json()["data"]["post"]["title"] == post.title
    assert response["Cache-Control"] == "private, no-store"


# Automatic persisted queries ------------------------------------------------------------------


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1,
                               "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_an_unknown_hash_asks_for_the_query(author):
    post = published_post(author)

    response = get(None, {"slug": post.slug}, extensions=persisted(POST_QUERY))

    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert response["Cache-Control"] == "private, no-store"


def test_hash_and_query_register_then_the_hash_alone_works_over_get(author):
    post = published_post(author)
    registered = Client().post("/graphql/", {"query": POST_QUERY, "variables": {"slug": post.slug},
                                             "extensions": persisted(POST_QUERY)},
                               content_type="application/json")
    assert registered.json()["data"]["post"]["title"] == post.title

    response = get(None, {"slug": post.slug}, extensions=persisted(POST_QUERY))

    assert response.json() == {"data": {"post": {"title": post.title, "commentCount": 0}}}
    assert response["Cache-Control"].startswith("public")


def test_the_hash_alone_works_over_post(author):
    post = published_post(author)
    get(POST_QUERY, {"slug": post.slug}, extensions=persisted(POST_QUERY))

    response = Client().post("/graphql/", {"variables": {"slug": post.slug},
                                           "extensions": persisted(POST_QUERY)},
                             content_type="application/json")

    assert response.json()["data"]["post"]["title"] == post.title


def test_a_hash_that_does_not_match_the_query_is_refused(author):
    response = get(LIST_QUERY, extensions=persisted("{ viewer { slug } }"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    again = get(None, extensions=persisted("{ viewer { slug } }"))
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_an_unknown_version_is_refused(db):
    response = get(None, extensions={"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}})

    assert response.status_code == 400


def test_a_persisted_mutation_is_refused_over_get(author):
    mutation = 'mutation { createPost(input: {title: "x", body: "y"}) { errors { code } } }'
    get(mutation, extensions=persisted(mutation))  # refused, but registers nothing harmful

    response = get(None, extensions=persisted(mutation))

    assert response.status_code >= 400 or "errors" in response.json()
    from cms.models import Post

    assert not Post.objects.exists()


# Answers from the server-side result cache ----------------------------------------------------


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_cached_answer_has_the_headers_of_an_uncached_one(author, settings, redis_server,
                                                            method):
    redis_server.empty()
    settings.CACHES = {"default": redis_server.cache_settings(),
                       "ratelimit": redis_server.cache_settings(KEY_PREFIX="ratelimit")}
    settings.HEARTH_RESULT_CACHE_SECONDS = 300
    post = published_post(author)

    def ask():
        if method == "get":
            return get(POST_QUERY, {"slug": post.slug})
        return Client().post("/graphql/", {"query": POST_QUERY, "variables": {"slug": post.slug}},
                             content_type="application/json")

    uncached = ask()
    with CaptureQueriesContext(connection) as queries:
        cached = ask()

    assert len(queries) == 0  # served from the result cache
    assert cached.content == uncached.content
    assert {"Authorization", "Cookie", "X-Visitor-Token"} <= {
        v.strip() for v in uncached["Vary"].split(",")}
    assert dict(cached.items()) == dict(uncached.items())
