"""Production behaviour (DEBUG off): masked unexpected errors, security headers, secure cookies,
`manage.py check --deploy` clean under the documented environment (SECURITY.md), and a statement
timeout on PostgreSQL."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict:
    """The environment SECURITY.md documents for production."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HEARTH_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.com",
               CSRF_TRUSTED_ORIGINS="https://example.com",
               DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", **extra)
    return env


def test_check_deploy_reports_nothing(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "DEBUG"], cwd=ROOT, env=production_env(tmp_path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("SECRET_KEY")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


RESPONSE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client()
plain = client.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json",
                    HTTP_HOST="example.com")
secure = client.post("/graphql/", {"query": "{ postz }"}, content_type="application/json",
                     HTTP_HOST="example.com", secure=True)
admin = client.get("/admin/login/", HTTP_HOST="example.com", secure=True)
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "status": secure.status_code, "headers": dict(secure.headers), "body": secure.json(),
    "cookies": {name: dict(morsel) for name, morsel in admin.cookies.items()},
}))
"""


def test_production_responses_carry_security_headers(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", RESPONSE_SCRIPT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is sent to HTTPS.
    assert out["plain_status"] == 301
    assert out["plain_location"].startswith("https://example.com/")
    headers = out["headers"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # No "Did you mean" with DEBUG off.
    message = out["body"]["errors"][0]["message"]
    assert "postz" in message and "Did you mean" not in message
    csrf = out["cookies"]["csrftoken"]
    assert csrf["secure"] is True


def test_unexpected_errors_are_masked_and_logged(gql, settings, monkeypatch, caplog):
    from cms.models.posts import PostQuerySet

    def broken(self, now=None):
        raise RuntimeError("secret internal detail")

    settings.DEBUG = False
    monkeypatch.setattr(PostQuerySet, "live", broken)
    with caplog.at_level(logging.ERROR, logger="hearth"):
        response = gql.post("{ posts { totalCount } }")
    assert response.status_code == 200
    text = response.content.decode()
    assert "secret internal detail" not in text and "Traceback" not in text
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    record = next(r for r in caplog.records if r.name == "hearth")
    assert record.exc_info and "secret internal detail" in str(record.exc_info[1])


def test_errors_we_raise_on_purpose_are_not_masked(gql, settings):
    settings.DEBUG = False
    body = gql.execute("{ posts(first: 101) { totalCount } }", allow_errors=True)
    assert "between 0 and 100" in body["errors"][0]["message"]


def test_unexpected_errors_show_with_debug(gql, settings, monkeypatch):
    from cms.models.posts import PostQuerySet

    def broken(self, now=None):
        raise RuntimeError("visible while debugging")

    settings.DEBUG = True
    monkeypatch.setattr(PostQuerySet, "live", broken)
    body = gql.execute("{ posts { totalCount } }", allow_errors=True)
    assert body["errors"][0]["message"] == "visible while debugging"


@pytest.mark.django_db
def test_postgresql_has_a_statement_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("the statement timeout is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"
