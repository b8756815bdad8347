"""A browser app without cookies (allauth headless's app client): it sends X-Session-Token,
empty until signed in, and the account mutations answer with the token; GraphQL takes it as
the caller's session, without CSRF, and signing out revokes it. And whichever way a browser
holds its session, no account mutation leaves a cookie but the session's and CSRF's (allauth's
flows add messages, which Django would keep in a `messages` cookie)."""

import json

import pytest
from django.core import mail
from django.test import Client

from tests.api.test_account_mutations import (
    ACCOUNT,
    DELETE,
    PASSWORD,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_OUT,
    SIGN_UP,
    UPDATE,
    VERIFY,
    _site_links,  # noqa: F401 - an autouse fixture
    key_from,
)
from tests.support.smtp import outbox

pytestmark = pytest.mark.django_db
TOKEN_ACCOUNT = ACCOUNT + " sessionToken"


def post(client: Client, query: str, variables: dict | None = None, **headers):
    return client.post("/graphql/", json.dumps({"query": query, "variables": variables or {}}),
                       content_type="application/json", headers=headers)


def data(response) -> dict:
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def verified_reader(email="rita@example.com") -> None:
    """A reader who signed up and followed the link (through the app, without cookies)."""
    app = Client()
    assert data(post(app, SIGN_UP, {"input": {"email": email, "password": PASSWORD,
                                              "displayName": "Rita Reader"}},
                     x_session_token=""))["errors"] == []
    key = key_from(outbox()[-1], "verify")
    assert data(post(app, VERIFY, {"key": key}, x_session_token=""))["errors"] == []
    mail.outbox.clear()


def test_an_app_signs_in_with_a_token_uses_it_without_csrf_and_signing_out_revokes_it():
    verified_reader()
    app = Client(enforce_csrf_checks=True)
    sign_in = post(app, SIGN_IN.replace(ACCOUNT, TOKEN_ACCOUNT),
                   {"input": {"email": "rita@example.com", "password": PASSWORD}},
                   x_session_token="")
    payload = data(sign_in)
    assert payload["viewer"]["displayName"] == "Rita Reader" and payload["csrfToken"] is None
    token = payload["sessionToken"]
    assert token and not sign_in.cookies  # nothing for the browser to keep but the token
    assert not app.cookies

    viewer = post(app, "{ viewer { displayName } csrfToken }", x_session_token=token)
    assert viewer.json()["data"] == {"viewer": {"displayName": "Rita Reader"},
                                     "csrfToken": None}
    assert viewer["Cache-Control"] == "private, no-store" and "X-Session-Token" in viewer["Vary"]
    updated = data(post(app, UPDATE, {"input": {"displayName": "Rita R."}},
                        x_session_token=token))
    assert updated["errors"] == [] and updated["viewer"]["displayName"] == "Rita R."

    signed_out = data(post(app, SIGN_OUT.replace(ACCOUNT, TOKEN_ACCOUNT),
                           x_session_token=token))
    assert (signed_out["viewer"], signed_out["sessionToken"]) == (None, None)
    revoked = post(app, "{ viewer { displayName } }", x_session_token=token)
    assert revoked.status_code == 401
    assert revoked.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_forged_token_is_refused_and_an_empty_one_is_nobody():
    forged = post(Client(), "{ viewer { displayName } }", x_session_token="not-a-session")
    assert forged.status_code == 401
    nobody = post(Client(), "{ viewer { displayName } }", x_session_token="")
    assert nobody.json()["data"] == {"viewer": None}


def test_a_session_cookie_does_not_count_in_an_app_request():
    """The app's header chooses the session: a cookie the browser also holds is ignored (and
    so a page on another site cannot ride on it with the header, which needs CORS anyway)."""
    verified_reader()
    browser = Client()
    assert data(post(browser, SIGN_IN, {"input": {"email": "rita@example.com",
                                                  "password": PASSWORD}}))["viewer"]
    as_app = post(browser, "{ viewer { displayName } }", x_session_token="")
    assert as_app.json()["data"] == {"viewer": None}


def cookies_of(response) -> set[str]:
    return {name for name, morsel in response.cookies.items()}


@pytest.mark.parametrize("app", [False, True], ids=["browser-session", "app-token"])
def test_account_mutations_set_no_cookie_but_the_sessions(app):
    """Every account mutation's answer: no `messages` cookie ever (allauth's flows add
    messages); a browser session gets its session and CSRF cookies only, an app none at all."""
    allowed = set() if app else {"sessionid", "csrftoken"}
    client = Client()
    headers = {"x_session_token": ""} if app else {}
    token = ""

    def run(query, variables=None):
        nonlocal token
        if app:
            headers["x_session_token"] = token
        elif client.cookies.get("csrftoken"):
            headers["X-CSRFToken"] = client.cookies["csrftoken"].value
        response = post(client, query.replace(ACCOUNT, TOKEN_ACCOUNT), variables, **headers)
        assert cookies_of(response) <= allowed, (query, response.cookies)
        payload = data(response)
        if app and "sessionToken" in payload:
            token = payload["sessionToken"] or ""
        return payload

    email = "rita@example.com"
    assert run(SIGN_UP, {"input": {"email": email, "password": PASSWORD}})["errors"] == []
    assert run(VERIFY, {"key": key_from(outbox()[-1], "verify")})["errors"] == []
    assert run(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})["viewer"]
    assert run(UPDATE, {"input": {"displayName": "Rita"}})["errors"] == []
    assert run(SIGN_OUT)["viewer"] is None
    assert run(REQUEST_RESET, {"email": email})["errors"] == []
    key = key_from(outbox()[-1], "reset")
    assert run(RESET, {"input": {"key": key, "password": "new-" + PASSWORD}})["errors"] == []
    assert run(SIGN_IN, {"input": {"email": email, "password": "new-" + PASSWORD}})["viewer"]
    assert run(DELETE)["errors"] == []
