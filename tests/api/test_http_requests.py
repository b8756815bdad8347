"""Request limits at /graphql/: JSON POSTs only, bounded bodies, no batching, GET for queries only.
Every refusal is a 4xx with a JSON `{"errors": [{"message": ...}]}` body, never a 500."""

import hashlib
import io
import json

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client, RequestFactory

from cms.models import Comment, Reaction
from schema.http.views import graphql_view
from tests.support import factories

QUERY = json.dumps({"query": "{ posts { totalCount } }"}).encode()


def json_error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["message"]
    assert "Traceback" not in response.content.decode()
    return body["errors"][0]["message"]


def post(body: bytes, content_type: str = "application/json", **extra):
    return Client().generic("POST", "/graphql/", body, content_type=content_type, **extra)


@pytest.mark.django_db
def test_a_plain_json_post_works():
    response = post(QUERY)
    assert response.status_code == 200
    assert response.json() == {"data": {"posts": {"totalCount": 0}}}


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded",
    "application/graphql", "application/xml", "", "application/json-seq",
])  # multipart/form-data is an upload: tests/api/test_images.py
def test_other_content_types_are_refused(content_type):
    json_error(post(QUERY, content_type), 415)


@pytest.mark.django_db
def test_json_with_a_charset_is_fine():
    assert post(QUERY, "application/json; charset=utf-8").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    b" ", b"{", b"{'query': 1}", b"nul", b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000,
    b'{"query": "{ posts { totalCount } }", "variables": {"n": ' + b"9" * 5_000 + b"}}",
    b"5", b'"a string"', b"null", b"true",
    b'{"query": 5}', b'{"query": "{ viewer { id } }", "variables": [1]}',
    b'{"query": "{ viewer { id } }", "variables": "{}"}',
    b'{"query": "{ viewer { id } }", "operationName": 7}',
    b'{"query": "{ viewer { id } }", "extensions": 7}',
    b'{"variables": {}}',
])
def test_malformed_bodies_get_400_json(body):
    json_error(post(body), 400)


@pytest.mark.django_db
def test_batching_is_off():
    body = json.dumps([{"query": "{ posts { totalCount } }"}] * 2).encode()
    assert "one operation" in json_error(post(body), 400)


@pytest.mark.django_db
def test_oversized_body_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"query": "{ posts { totalCount } }", "variables": {"x": "a" * 2_000}})
    json_error(post(body.encode()), 413)
    assert post(QUERY).status_code == 200


@pytest.mark.django_db
def test_default_body_limit_is_one_megabyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    body = json.dumps({"query": "{ posts { totalCount } }", "variables": {"x": "a" * 1_100_000}})
    json_error(post(body.encode()), 413)


def chunked_request(body: bytes) -> WSGIRequest:
    """What gunicorn hands Django for `Transfer-Encoding: chunked`: no Content-Length, the
    de-chunked body in wsgi.input, and wsgi.input_terminated."""
    environ = RequestFactory().generic("POST", "/graphql/", body,
                                       content_type="application/json").META
    del environ["CONTENT_LENGTH"]
    environ.update({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True})
    return WSGIRequest(environ)


@pytest.mark.django_db
def test_chunked_body_without_content_length_is_read_only_up_to_the_limit(settings):
    """A server that de-chunks (gunicorn) passes no Content-Length and sets
    wsgi.input_terminated; the view reads at most the limit plus one byte."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    big = json.dumps({"query": "{ posts { totalCount } }", "variables": {"x": "a" * 5_000}})
    for body, status in ((big.encode(), 413), (QUERY, 200)):
        request = chunked_request(body)
        response = graphql_view(request)
        assert response.status_code == status, response.content
        assert json.loads(response.content)


@pytest.mark.django_db
def test_bad_content_length_is_400():
    response = Client().generic("POST", "/graphql/", QUERY, content_type="application/json",
                                CONTENT_LENGTH="12abc")
    json_error(response, 400)


@pytest.mark.django_db
def test_other_methods_are_405():
    for method in ("PUT", "DELETE", "PATCH"):
        json_error(Client().generic(method, "/graphql/", QUERY, content_type="application/json"),
                   405)


@pytest.mark.django_db
def test_get_runs_queries():
    response = Client().get("/graphql/", {"query": "{ posts { totalCount } }"})
    assert response.json() == {"data": {"posts": {"totalCount": 0}}}


def test_a_mutation_over_get_is_refused_and_not_run(users):
    post_ = factories.published_post(users["author"])
    mutation = """mutation($id: ID!) { addComment(input: {postId: $id, body: "via GET",
        authorName: "G", authorEmail: "g@example.org"}) { errors { code } } }"""
    from tests.support.writes import gid

    variables = json.dumps({"id": gid(post_)})
    response = Client().get("/graphql/", {"query": mutation, "variables": variables})
    assert "mutation" in json_error(response, 405).lower()  # the GraphQL-over-HTTP spec's status
    assert response["Allow"] == "POST"
    react = 'mutation { react(input: {subjectId: "ID"}) { errors { code } } }'
    react = react.replace("ID", gid(post_))
    json_error(Client().get("/graphql/", {"query": react}), 405)
    assert Comment.objects.count() == 0
    assert Reaction.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("variables", ["[1]", "5", "{", '"x"', '{"s": "\\u0000"}'])
def test_bad_get_variables_are_400(variables):
    response = Client().get("/graphql/", {"query": "{ posts { totalCount } }",
                                          "variables": variables})
    json_error(response, 400)


@pytest.mark.django_db
def test_unknown_operation_name_is_400():
    body = json.dumps({"query": "query A { posts { totalCount } }", "operationName": "B"})
    json_error(post(body.encode()), 400)


@pytest.mark.django_db
def test_a_syntax_error_is_a_graphql_error():
    body = json.dumps({"query": "{ posts { totalCount "})
    response = post(body.encode())
    assert response.status_code == 200
    assert "Syntax Error" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_the_playground_is_served_to_browsers():
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


@pytest.mark.django_db
def test_api_posts_need_no_csrf_token_but_sessions_do(users):
    """Like a real server: the test client's CSRF checks on. Token and anonymous clients POST
    freely; a browser session must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    assert client.post("/graphql/", QUERY, content_type="application/json").status_code == 200
    client.force_login(users["editor"])
    response = client.post("/graphql/", QUERY, content_type="application/json")
    assert "CSRF" in json_error(response, 403)


@pytest.mark.django_db
def test_chunked_bodies_are_not_mistaken_for_each_other_by_the_result_cache(settings):
    settings.HEARTH_RESULT_CACHE_SECONDS = 60
    answers = []
    for query in ("{ posts { totalCount } }", "{ __typename }"):
        body = json.dumps({"query": query}).encode()
        request = chunked_request(body)
        answers.append(json.loads(graphql_view(request).content))
    assert answers == [{"data": {"posts": {"totalCount": 0}}}, {"data": {"__typename": "Query"}}]


def test_a_persisted_mutation_over_get_is_refused_and_not_run(users):
    from tests.support.writes import gid

    post_ = factories.published_post(users["author"])
    react = 'mutation { react(input: {subjectId: "ID", kind: LOVE}) { errors { code } } }'
    react = react.replace("ID", gid(post_))
    digest = hashlib.sha256(react.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = Client().post("/graphql/", {"query": react, "extensions": extensions},
                               content_type="application/json")
    assert registered.status_code == 200
    assert Reaction.objects.count() == 1
    Reaction.objects.all().delete()
    response = Client().get("/graphql/", {"extensions": json.dumps(extensions)})
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"][0]["message"]
    assert Reaction.objects.count() == 0
