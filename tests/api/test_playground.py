"""The playground: self-hosted under a strict CSP when installed; otherwise a page that says how to
install it, with nothing loaded from a CDN."""

import pytest
from django.test import Client

from schema.http.playground import CSP, VENDOR

HTML = {"HTTP_ACCEPT": "text/html"}


@pytest.fixture
def installed(settings, tmp_path):
    """Stand-in asset files: enough to check what Hearth serves, without npm."""
    for name in VENDOR:
        (tmp_path / name).write_text(f"/* {name} */")
    settings.HEARTH_PLAYGROUND_DIR = tmp_path
    return tmp_path


@pytest.fixture
def not_installed(settings, tmp_path):
    settings.HEARTH_PLAYGROUND_DIR = tmp_path / "missing"


def test_installed_assets_are_served_by_hearth_under_a_strict_csp(db, installed):
    response = Client().get("/graphql/", **HTML)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    assert "default-src 'none'" in CSP and "unsafe-inline" not in CSP
    page = response.content.decode()
    assert "unpkg.com" not in page and "https://" not in page
    assert "<script>" not in page  # no inline script: everything is a same-origin file
    for name in [*VENDOR, "playground.js"]:
        assert f'"/graphql/playground/{name}"' in page


@pytest.mark.parametrize(("name", "content_type"), [
    ("graphiql.min.js", "text/javascript"),
    ("graphiql.min.css", "text/css"),
    ("playground.js", "text/javascript"),
])
def test_assets_have_their_content_types(db, installed, name, content_type):
    response = Client().get(f"/graphql/playground/{name}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_files_are_not_served(db, installed):
    assert Client().get("/graphql/playground/settings.py").status_code == 404
    assert Client().get("/graphql/playground/..%2Fsettings.py").status_code == 404


def test_without_assets_the_page_says_how_to_install_them(db, not_installed):
    response = Client().get("/graphql/", **HTML)

    assert response.status_code == 200
    page = response.content.decode()
    assert "not installed" in page and "make playground" in page
    assert "manage.py install_playground" in page and "Loading" not in page
    assert "unpkg.com" not in page and "<script" not in page
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert Client().get("/graphql/playground/graphiql.min.js").status_code == 404


def test_a_persisted_query_get_is_executed_not_answered_with_the_playground(db, installed):
    import hashlib
    import json

    query = "{ posts(first: 1) { totalCount } }"
    sha = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha}})
    client = Client()
    client.get("/graphql/", {"query": query, "extensions": extensions})

    response = client.get("/graphql/", {"extensions": extensions}, HTTP_ACCEPT="*/*")

    assert response.json() == {"data": {"posts": {"totalCount": 0}}}
