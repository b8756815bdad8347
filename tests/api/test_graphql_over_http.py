"""GraphQL over HTTP (the GraphQL-over-HTTP draft specification): the media type negotiated from
Accept, each status for each kind of request and media type, GET and HEAD, and trusted documents
(`documentId`, and the trusted-only mode).

`application/graphql-response+json` (GRJ below): a request that fails before execution gets a
4xx and a body without `data`; an executed one a 200 with `data`. `application/json` (legacy,
and what a request without Accept gets): as before, 200 for anything GraphQL itself refuses."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import Comment, CommentStatus, Role
from schema.http import persisted
from tests.conftest import make_user
from tests.support.factories import published_post
from tests.support.redis_servers import RedisServer
from tests.support.writes import gid

GRJ = "application/graphql-response+json"
JSON = "application/json"
COUNT = "{ posts { totalCount } }"
ADD_COMMENT = """mutation Add($id: ID!) { addComment(input: {postId: $id, body: "Hello",
  authorName: "Guest", authorEmail: "guest@example.org"}) { errors { code } } }"""


def post(body, accept=None, content_type="application/json", **headers):
    if accept is not None:
        headers["Accept"] = accept
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return Client().generic("POST", "/graphql/", data, content_type=content_type,
                            headers=headers)


def get(params, accept=JSON, method="GET", **headers):
    if accept is not None:
        headers["Accept"] = accept
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return getattr(Client(), method.lower())("/graphql/", encoded, headers=headers)


def media(response) -> str:
    return response["Content-Type"].split(";")[0].strip()


def refused(response, status: int, accept: str = GRJ) -> dict:
    """A response refusing the request before execution: `status`, the media type asked for,
    errors with messages and (for GRJ) no `data`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["errors"] and all(error["message"] for error in body["errors"])
    if accept == GRJ:
        assert media(response) == GRJ
        assert response["Content-Type"] == f"{GRJ}; charset=utf-8"
        assert "data" not in body
    else:
        assert media(response) == JSON
    return body


@pytest.fixture
def blog(db):
    author = make_user("author", Role.AUTHOR)
    return {"author": author, "post": published_post(author, title="Hello")}


# Accept ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "expected"), [
    (None, JSON),
    ("", JSON),
    (JSON, JSON),
    (GRJ, GRJ),
    (f"{GRJ}; charset=utf-8, {JSON}; charset=utf-8", GRJ),  # what the spec recommends
    (f"{GRJ},{JSON};q=0.9", GRJ),  # Apollo Client
    (f"{JSON}, {GRJ}", JSON),  # equal q: the first listed
    (f"{JSON};q=0.5, {GRJ}", GRJ),
    (f"{GRJ};q=0.4, {JSON};q=0.8", JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    (f"application/*;q=0.5, {GRJ}", GRJ),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),  # a browser
    (f"{JSON};q=0, */*", GRJ),  # JSON refused outright, anything else welcome
    (f"{GRJ}; charset=UTF-8", GRJ),
    (f"{GRJ}; charset=latin-1, {JSON}", JSON),  # only UTF-8 is served
    ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRJ),
])
def test_the_media_type_follows_accept(accept, expected):
    for response in (post({"query": COUNT}, accept=accept),
                     get({"query": COUNT}, accept=accept or None)):
        assert response.status_code == 200, (accept, response.content)
        assert media(response) == expected
        assert response.json() == {"data": {"posts": {"totalCount": 0}}}
        assert "Accept" in response["Vary"]


@pytest.mark.parametrize("accept", [
    "text/plain", "application/xml", f"{JSON};q=0", f"{GRJ};q=0, {JSON};q=0", "image/*",
    f"{GRJ}; charset=latin-1", "text/html",
])
def test_nothing_acceptable_is_406_and_runs_nothing(blog, accept):
    response = post({"query": ADD_COMMENT, "variables": {"id": gid(blog["post"])}},
                    accept=accept)
    assert response.status_code == 406, response.content
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    assert Comment.objects.count() == 0
    assert get({"query": COUNT}, accept=accept).status_code == 406


@pytest.mark.django_db
def test_a_browser_still_gets_the_playground():
    response = Client().get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


# POST --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
@pytest.mark.parametrize("body", [
    b"NONSENSE", b'{"query":', b"[]", b'[{"query": "{ __typename }"}]', b"5",
    b"{}", b'{"qeury": "{ __typename }"}', b'{"query": null}',
    b'{"query": 7}', b'{"query": {"a": 1}}', b'{"query": ["{ __typename }"]}',
    b'{"query": "query Q($i: Int!) { posts(first: $i) { totalCount } }", "variables": [7]}',
    b'{"query": "{ __typename }", "variables": "{}"}',
    b'{"query": "{ __typename }", "operationName": 7}',
    b'{"query": "{ __typename }", "extensions": 7}',
])
def test_a_request_that_is_not_well_formed_is_400(body, accept):
    refused(post(body, accept=accept), 400, accept)


@pytest.mark.django_db
def test_a_post_without_json_content_type_is_415():
    refused(post(b'{"query": "{ __typename }"}', accept=GRJ, content_type="text/plain"), 415)


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "variables"), [
    ("{", None),  # parse error
    ("{ posts { totalCount ", None),
    ("{ noSuchField }", None),  # validation error
    ("{ posts { edges { node { title(x: 1) } } } }", None),
    ("query Q($n: Int!) { posts(first: $n) { totalCount } }", {"n": "many"}),  # coercion
    ("query Q($n: Int!) { posts(first: $n) { totalCount } }", None),  # missing variable
    ("{ a: __typename " + " ".join(f"b{i}: __typename" for i in range(40)) + " }", None),  # limit
])
def test_a_document_that_fails_before_execution(query, variables):
    body = {"query": query, "variables": variables}
    refused(post(body, accept=GRJ), 400)
    # application/json as before: 200, with `data: null`
    legacy = post(body)
    assert legacy.status_code == 200
    assert media(legacy) == JSON
    assert legacy.json()["data"] is None and legacy.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_field_errors_during_execution_are_200_with_data(accept):
    response = post({"query": "{ posts(first: -1) { totalCount } viewer { id } }"},
                    accept=accept)
    assert response.status_code == 200
    assert media(response) == accept
    body = response.json()
    assert "data" in body and body["errors"][0]["path"] == ["posts"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_several_operations_need_an_operation_name(accept):
    document = "query A { posts { totalCount } } query B { __typename }"
    for unnamed in (post({"query": document}, accept=accept),
                    get({"query": document}, accept=accept)):
        if accept == GRJ:
            error = refused(unnamed, 400)["errors"][0]
        else:  # a request GraphQL refuses: 200 with `data: null`, as before
            assert unnamed.status_code == 200 and unnamed.json()["data"] is None
            error = unnamed.json()["errors"][0]
        assert "operationName" in error["message"]
        assert error["extensions"]["code"] == "OPERATION_NAME_REQUIRED"
    refused(post({"query": document, "operationName": "C"}, accept=accept), 400, accept)
    chosen = post({"query": document, "operationName": "B"}, accept=accept)
    assert chosen.status_code == 200
    assert chosen.json() == {"data": {"__typename": "Query"}}


@pytest.mark.django_db
def test_a_mutation_over_post_runs(blog):
    response = post({"query": ADD_COMMENT, "variables": {"id": gid(blog["post"])}}, accept=GRJ)
    assert response.status_code == 200 and media(response) == GRJ
    assert response.json() == {"data": {"addComment": {"errors": []}}}
    assert Comment.objects.get().status == CommentStatus.PENDING


# GET and HEAD ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_get_runs_a_query_publicly_cacheable(accept):
    response = get({"query": COUNT}, accept=accept)
    assert response.status_code == 200 and media(response) == accept
    assert response["Cache-Control"].startswith("public")
    other = get({"query": COUNT}, accept=JSON if accept == GRJ else GRJ)
    assert other["ETag"] != response["ETag"]  # one per media type


@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_a_mutation_over_get_is_405_and_not_run(blog, accept):
    variables = {"id": gid(blog["post"])}
    response = get({"query": ADD_COMMENT, "variables": variables}, accept=accept)
    refused(response, 405, accept)
    assert response["Allow"] == "POST"
    document = "query Q { __typename } " + ADD_COMMENT
    chosen = get({"query": document, "operationName": "Add", "variables": variables},
                 accept=accept)
    refused(chosen, 405, accept)
    assert get({"query": document, "operationName": "Q"}, accept=accept).status_code == 200
    assert Comment.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_get_without_a_query_or_with_bad_parameters_is_400(accept):
    refused(get({}, accept=accept), 400, accept)
    refused(get({"query": COUNT, "variables": "[1]"}, accept=accept), 400, accept)
    refused(get({"query": COUNT, "extensions": "nope"}, accept=accept), 400, accept)


@pytest.mark.django_db
def test_an_empty_operation_name_over_get_means_none():
    response = get({"query": COUNT, "operationName": ""}, accept=GRJ)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_head_is_get_without_the_body(accept):
    full = get({"query": COUNT}, accept=accept)
    head = get({"query": COUNT}, accept=accept, method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Cache-Control", "ETag", "Vary"):
        assert head[header] == full[header]
    assert int(head["Content-Length"]) == len(full.content)


def test_head_never_runs_a_mutation(blog):
    response = get({"query": ADD_COMMENT, "variables": {"id": gid(blog["post"])}},
                   method="HEAD")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert Comment.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(method):
    response = Client().generic(method, "/graphql/", json.dumps({"query": COUNT}),
                                content_type="application/json", headers={"Accept": GRJ})
    refused(response, 405)
    assert response["Allow"] == "GET, HEAD, POST"


# Result cache ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def test_a_cached_read_keeps_the_media_type_asked_for(blog, settings, redis_server):
    redis_server.client.flushall()
    settings.CACHES = {"default": redis_server.cache_settings(),
                       "ratelimit": redis_server.cache_settings(KEY_PREFIX="ratelimit")}
    settings.HEARTH_RESULT_CACHE_SECONDS = 300
    first = get({"query": COUNT}, accept=GRJ)
    with CaptureQueriesContext(connection) as queries:
        again = get({"query": COUNT}, accept=GRJ)
        legacy = get({"query": COUNT}, accept=JSON)
    assert len(queries) == 0
    assert media(again) == GRJ and again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert media(legacy) == JSON and legacy.content == first.content


# Trusted documents -----------------------------------------------------------------------------

TITLES = "query Titles { posts(first: 5) { edges { node { title } } } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def trusted(blog, tmp_path):
    """A persisted-documents.json as graphql-codegen's client preset writes it, loaded (and
    nothing remembered from another test's)."""
    persisted._trusted.clear()
    documents = {f"sha256:{sha256(text)}": text for text in (TITLES, ADD_COMMENT)}
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(documents))
    call_command("load_trusted_documents", str(path), stdout=None)
    return blog


TITLES_DATA = {"data": {"posts": {"edges": [{"node": {"title": "Hello"}}]}}}


@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_a_known_document_id_runs_over_post_and_get(trusted, accept):
    document_id = f"sha256:{sha256(TITLES)}"
    response = post({"documentId": document_id}, accept=accept)
    assert response.status_code == 200 and response.json() == TITLES_DATA
    response = get({"documentId": document_id}, accept=accept)
    assert response.status_code == 200 and response.json() == TITLES_DATA
    assert response["Cache-Control"].startswith("public")
    bare = post({"documentId": sha256(TITLES), "operationName": "Titles"}, accept=accept)
    assert bare.json() == TITLES_DATA


def test_a_trusted_mutation_runs_over_post_only(trusted):
    document_id = f"sha256:{sha256(ADD_COMMENT)}"
    variables = {"id": gid(trusted["post"])}
    refused(get({"documentId": document_id, "variables": variables}, accept=GRJ), 405)
    assert Comment.objects.count() == 0
    response = post({"documentId": document_id, "variables": variables}, accept=GRJ)
    assert response.json() == {"data": {"addComment": {"errors": []}}}
    assert Comment.objects.count() == 1


def test_an_unknown_document_id(trusted):
    unknown = {"documentId": f"sha256:{sha256('{ __typename }')}"}
    body = refused(post(unknown, accept=GRJ), 404)
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    legacy = post(unknown)
    assert legacy.status_code == 200
    assert legacy.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    refused(get({"documentId": "nonsense"}, accept=GRJ), 404)


@pytest.mark.parametrize("body", [
    {"documentId": 5}, {"documentId": ["sha256:00"]},
    {"documentId": f"sha256:{sha256(TITLES)}", "query": TITLES},
])
def test_a_bad_document_id_request_is_400(trusted, body):
    refused(post(body, accept=GRJ), 400)


def test_the_apollo_hash_finds_trusted_documents_too(trusted):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(TITLES)}}
    assert get({"extensions": extensions}).json() == TITLES_DATA


@pytest.fixture
def trusted_only(trusted, settings):
    settings.HEARTH_TRUSTED_DOCUMENTS_ONLY = True
    return trusted


@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_trusted_only_refuses_ad_hoc_documents(trusted_only, accept):
    variables = {"id": gid(trusted_only["post"])}
    for response in (post({"query": ADD_COMMENT, "variables": variables}, accept=accept),
                     post({"query": TITLES}, accept=accept),
                     get({"query": COUNT}, accept=accept)):
        body = refused(response, 403, accept)
        assert body["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        assert "documentId" in body["errors"][0]["message"]
    assert Comment.objects.count() == 0


def test_trusted_only_runs_trusted_documents(trusted_only):
    assert post({"documentId": f"sha256:{sha256(TITLES)}"}, accept=GRJ).json() == TITLES_DATA
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(TITLES)}}
    assert get({"extensions": extensions}).json() == TITLES_DATA


def test_trusted_only_registers_no_automatic_persisted_query(trusted_only):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(COUNT)}}
    refused(post({"query": COUNT, "extensions": extensions}, accept=GRJ), 403)
    body = refused(get({"extensions": extensions}, accept=GRJ), 404)
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


# Refusals outside GraphQL, in application/graphql-response+json: still no `data`, never 2xx ----


@pytest.mark.django_db
def test_a_bad_token_is_401_without_data():
    body = refused(post({"query": COUNT}, accept=GRJ, Authorization="Bearer nope"), 401)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_an_oversized_body_is_413_without_data(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    refused(post({"query": COUNT, "variables": {"pad": "x" * 200}}, accept=GRJ), 413)


def test_a_rate_limited_mutation_is_429_without_data(blog, settings):
    settings.HEARTH_MUTATION_RATE_LIMIT = 1
    settings.CACHES = {**settings.CACHES, "ratelimit": {  # counts of this test's own
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "grj-429"}}
    body = json.dumps({"query": ADD_COMMENT, "variables": {"id": gid(blog["post"])}})

    def send():
        return Client().generic("POST", "/graphql/", body, content_type="application/json",
                                headers={"Accept": GRJ}, REMOTE_ADDR="192.0.2.77")

    assert send().status_code == 200
    response = send()
    refused(response, 429)
    assert response["Retry-After"]
    assert Comment.objects.count() == 1
