"""The /graphql/ endpoint over HTTP: GET for queries, the playground, CORS."""

import json
import logging

import pytest
from django.test import Client

from cms.models import Post, Role
from tests.conftest import make_user
from tests.support.factories import published_post


@pytest.fixture
def post(db):
    return published_post(make_user("author", Role.AUTHOR), title="Hello there")


def test_a_query_can_travel_as_a_get_so_a_cdn_can_cache_it(post):
    response = Client().get("/graphql/", {
        "query": "query($slug: String!) { post(slug: $slug) { title } }",
        "variables": json.dumps({"slug": post.slug}),
    }, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"data": {"post": {"title": "Hello there"}}}


def test_a_mutation_sent_with_get_is_refused_and_not_run(post, users):
    before = Post.objects.count()
    response = Client().get("/graphql/", {
        "query": 'mutation { createPost(input: {title: "Sneaky", body: "x"}) { errors { code } } }',
    }, headers={"Accept": "application/json"})
    assert 400 <= response.status_code < 500
    assert "errors" in response.json()
    assert Post.objects.count() == before


def test_a_browser_gets_the_playground_with_a_csrf_cookie_for_its_mutations(db):
    response = Client().get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()
    assert response.cookies["csrftoken"].value


@pytest.mark.parametrize("path", ["/graphql/", "/_allauth/app/v1/config",
                                  "/_allauth/browser/v1/auth/session"])
@pytest.mark.parametrize("header", ["content-type", "authorization", "x-visitor-token",
                                    "x-session-token", "x-csrftoken"])
def test_a_listed_origin_may_call_from_a_browser(settings, db, header, path):
    """GraphQL and allauth's headless API (/_allauth/) alike."""
    settings.CORS_ALLOWED_ORIGINS = ["https://blog.example"]
    response = Client().options(path, headers={
        "Origin": "https://blog.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": header,
    })
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://blog.example"
    assert header in response["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("path", ["/graphql/", "/_allauth/app/v1/config", "/accounts/login/"])
def test_an_unlisted_origin_gets_no_cors_grant(settings, db, path):
    """Nor does any origin on Hearth's own pages (allauth's HTML forms, the admin)."""
    settings.CORS_ALLOWED_ORIGINS = ["https://blog.example"]
    response = Client().options(path, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response


def test_a_listed_origin_reads_allauths_headless_api_with_credentials(settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://blog.example"]
    settings.CORS_ALLOW_CREDENTIALS = True  # as config/settings.py sets it with a list
    response = Client().get("/_allauth/browser/v1/config", headers={
        "Origin": "https://blog.example"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://blog.example"
    assert response["Access-Control-Allow-Credentials"] == "true"
    pages = Client().get("/accounts/login/", headers={"Origin": "https://blog.example"})
    assert "Access-Control-Allow-Origin" not in pages


def test_credentials_are_never_allowed_with_a_wildcard_origin(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "*")
    try:
        reloaded = importlib.reload(config.settings)
        assert not (reloaded.CORS_ALLOW_CREDENTIALS and (
            getattr(reloaded, "CORS_ALLOW_ALL_ORIGINS", False)
            or "*" in reloaded.CORS_ALLOWED_ORIGINS))
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)


def test_an_unexpected_error_is_masked_and_logged_in_production(post, monkeypatch, caplog):
    monkeypatch.setattr(Post, "reaction_counts", lambda self: 1 / 0)
    with caplog.at_level(logging.ERROR):
        response = Client().post("/graphql/", data=json.dumps(
            {"query": "query($slug: String!) { post(slug: $slug) { reactions { total } } }",
             "variables": {"slug": post.slug}}), content_type="application/json")
    body = response.json()
    assert response.status_code == 200
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "ZeroDivisionError" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize("type_name", ["User", "PageInfo", "Nope", "Query"])
def test_node_of_a_type_without_nodes_is_null(post, type_name):
    import base64

    global_id = base64.b64encode(f"{type_name}:{post.pk}".encode()).decode()
    response = Client().post("/graphql/", data=json.dumps(
        {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": global_id}}),
        content_type="application/json")
    assert response.json() == {"data": {"node": None}}
