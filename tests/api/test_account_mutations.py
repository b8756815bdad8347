"""Reader accounts over GraphQL, as a JAMstack site uses them with a browser session: sign up,
verify, sign in and out, reset the password, change the profile, delete the account; bad input,
CSRF, and the rate limits of the mutations that send mail."""

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

from cms.models import Comment, Reaction, Role, User
from cms.services.reactions import reaction_add
from config.accounts_env import frontend_urls, providers
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import published_post
from tests.support.smtp import outbox

PASSWORD = "a-long-reader-password-42"
ACCOUNT = "viewer { displayName avatarUrl } csrfToken errors { field code message retryAfter }"
SIGN_UP = ("mutation($input: SignUpInput!) { signUp(input: $input) { " + ACCOUNT + " } }")
VERIFY = "mutation($key: String!) { verifyEmail(key: $key) { " + ACCOUNT + " } }"
SIGN_IN = "mutation($input: SignInInput!) { signIn(input: $input) { " + ACCOUNT + " } }"
SIGN_OUT = "mutation { signOut { " + ACCOUNT + " } }"
REQUEST_RESET = ("mutation($email: String!) { requestPasswordReset(email: $email) { "
                 + ACCOUNT + " } }")
RESET = ("mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { "
         + ACCOUNT + " } }")
UPDATE = ("mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { "
          + ACCOUNT + " } }")
DELETE = "mutation { deleteAccount { deletedId errors { code } } }"
VIEWER = "{ viewer { displayName } csrfToken }"


@pytest.fixture(autouse=True)
def _site_links(settings):
    """Mails link to the reader's site, which finishes the flows over GraphQL; each test starts
    with no mail counted against its rate limits."""
    settings.HEADLESS_FRONTEND_URLS = frontend_urls("https://blog.example/")
    caches["ratelimit"].clear()


class Browser:
    """A browser on the reader's site: one cookie jar, CSRF enforced as for real browsers."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)
        self.csrf = None

    def run(self, query: str, variables: dict | None = None, *, csrf: bool = True) -> dict:
        headers = {"X-CSRFToken": self.csrf} if csrf and self.csrf else {}
        response = self.client.post("/graphql/", json.dumps({"query": query,
                                                             "variables": variables or {}}),
                                    content_type="application/json", headers=headers)
        body = response.json()
        assert "errors" not in body, body
        payload = next(iter(body["data"].values()))
        if isinstance(payload, dict) and payload.get("csrfToken"):
            self.csrf = payload["csrfToken"]
        return payload


def minutes_later() -> None:
    """allauth's own rate limits (one verification mail per address per 3 minutes) live in the
    default cache: forget them, as if minutes had passed."""
    caches["default"].clear()


def key_from(message, name: str) -> str:
    link = re.search(r"https://blog\.example/\S+", message.body).group(0)
    return parse_qs(urlparse(link).query)[name][0]


def sign_up(browser: Browser, email="rita@example.com", **fields) -> dict:
    return browser.run(SIGN_UP, {"input": {"email": email, "password": PASSWORD, **fields}})


@pytest.fixture
def verified(db):
    """A browser whose reader signed up and followed the verification link (not signed in)."""
    browser = Browser()
    assert sign_up(browser, displayName="Rita Reader")["errors"] == []
    key = key_from(outbox()[-1], "verify")
    assert Browser().run(VERIFY, {"key": key})["errors"] == []
    mail.outbox.clear()
    return browser


@pytest.fixture
def signed_in(verified):
    payload = verified.run(SIGN_IN, {"input": {"email": "rita@example.com",
                                               "password": PASSWORD}})
    assert payload["errors"] == []
    return verified


def test_signing_up_makes_an_unverified_reader_and_mails_the_link_to_the_site(db):
    browser = Browser()
    payload = sign_up(browser, displayName="Rita Reader")
    assert payload == {"viewer": None, "csrfToken": None, "errors": []}
    user = User.objects.get(email="rita@example.com")
    assert user.role == Role.SUBSCRIBER and user.display_name == "Rita Reader"
    assert not user.emailaddress_set.get().verified
    (message,) = outbox()
    assert message.to == ["rita@example.com"]
    assert key_from(message, "verify")
    # The link's key verifies the address; the reader then signs in.
    payload = browser.run(VERIFY, {"key": key_from(message, "verify")})
    assert payload == {"viewer": None, "csrfToken": None, "errors": []}
    assert user.emailaddress_set.get().verified


@pytest.mark.parametrize("fields,field,code", [
    ({"email": "not-an-address"}, "email", "INVALID"),
    ({"email": ""}, "email", "REQUIRED"),
    ({"password": "short"}, "password", "INVALID"),
    ({"password": "12345678901"}, "password", "INVALID"),
    ({"password": "password123"}, "password", "INVALID"),
    ({"displayName": "x" * 151}, "displayName", "INVALID"),
    ({"displayName": "  ", "email": "x"}, "email", "INVALID"),
])
def test_signing_up_with_bad_input_is_refused_and_writes_and_sends_nothing(db, fields, field,
                                                                            code):
    payload = Browser().run(SIGN_UP, {"input": {"email": "new@example.com", "password": PASSWORD,
                                                **fields}})
    assert payload["viewer"] is None
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (field, code)
    assert payload["errors"][0]["message"]
    assert not User.objects.exists() and outbox() == []


def test_signing_up_with_a_taken_address_answers_the_same_and_tells_only_its_owner(verified):
    minutes_later()
    before = User.objects.count()
    payload = sign_up(Browser())
    assert payload == {"viewer": None, "csrfToken": None, "errors": []}
    assert User.objects.count() == before
    (message,) = outbox()
    assert message.to == ["rita@example.com"] and "already" in message.body.lower()


@pytest.mark.parametrize("key", ["forged", "", "MQ:1xXxZy:" + "A" * 43, "x" * 5000])
def test_a_forged_verification_key_is_refused(db, key):
    sign_up(Browser())
    error = Browser().run(VERIFY, {"key": key})["errors"][0]
    assert error["field"] == "key" and error["code"] in ("INVALID", "REQUIRED")
    assert not User.objects.get().emailaddress_set.get().verified


def test_an_unverified_reader_cannot_sign_in_and_gets_the_link_again_at_most_once(db):
    browser = Browser()
    sign_up(browser)
    mail.outbox.clear()
    minutes_later()
    for _ in range(2):
        payload = Browser().run(SIGN_IN, {"input": {"email": "rita@example.com",
                                                    "password": PASSWORD}})
        assert payload["viewer"] is None
        assert payload["errors"][0]["code"] == "UNAUTHENTICATED"
    assert len(outbox()) == 1  # allauth's confirm_email limit: one per address a while


def test_signing_in_sets_the_session_and_a_csrf_token_for_later_mutations(verified):
    payload = verified.run(SIGN_IN, {"input": {"email": "RITA@example.com",
                                               "password": PASSWORD}})
    assert payload["errors"] == [] and payload["viewer"]["displayName"] == "Rita Reader"
    assert payload["csrfToken"]
    assert verified.run(VIEWER, ) == {"displayName": "Rita Reader"}
    # A session's mutation without the token is refused (403) and changes nothing.
    response = verified.client.post("/graphql/", json.dumps(
        {"query": UPDATE, "variables": {"input": {"displayName": "Hijacked"}}}),
        content_type="application/json")
    assert response.status_code == 403
    assert User.objects.get(email="rita@example.com").display_name == "Rita Reader"
    changed = verified.run(UPDATE, {"input": {"displayName": "Rita R.",
                                              "avatarUrl": "https://img.example/r.png"}})
    assert changed["errors"] == [] and changed["viewer"] == {
        "displayName": "Rita R.", "avatarUrl": "https://img.example/r.png"}


def test_the_csrf_token_query_answers_a_signed_in_session_only(signed_in):
    body = signed_in.client.post("/graphql/", json.dumps({"query": "{ csrfToken }"}),
                                 content_type="application/json",
                                 headers={"X-CSRFToken": signed_in.csrf}).json()
    assert body["data"]["csrfToken"]
    anonymous = Client().post("/graphql/", json.dumps({"query": "{ csrfToken }"}),
                              content_type="application/json").json()
    assert anonymous["data"]["csrfToken"] is None


@pytest.mark.parametrize("email,password", [("rita@example.com", "wrong-password-99"),
                                            ("nobody@example.com", PASSWORD),
                                            ("", PASSWORD)])
def test_a_wrong_password_or_unknown_address_does_not_sign_in(verified, email, password):
    payload = verified.run(SIGN_IN, {"input": {"email": email, "password": password}})
    assert payload["viewer"] is None and payload["errors"]
    assert payload["errors"][0]["code"] in ("INVALID", "REQUIRED")
    assert verified.run(VIEWER, ) is None


def test_signing_out_ends_the_session(signed_in):
    payload = signed_in.run(SIGN_OUT)
    assert payload == {"viewer": None, "csrfToken": None, "errors": []}
    assert signed_in.run(VIEWER, ) is None


def test_a_forgotten_password_is_reset_with_the_mailed_key(verified):
    payload = Browser().run(REQUEST_RESET, {"email": "rita@example.com"})
    assert payload["errors"] == []
    key = key_from(outbox()[-1], "reset")
    weak = Browser().run(RESET, {"input": {"key": key, "password": "123"}})
    assert weak["errors"][0]["field"] == "password"
    forged = Browser().run(RESET, {"input": {"key": "1-forged", "password": "new-" + PASSWORD}})
    assert forged["errors"][0] == {"field": "key", "code": "INVALID",
                                   "message": forged["errors"][0]["message"],
                                   "retryAfter": None}
    assert Browser().run(RESET, {"input": {"key": key, "password": "new-" + PASSWORD}}) == {
        "viewer": None, "csrfToken": None, "errors": []}
    old = Browser().run(SIGN_IN, {"input": {"email": "rita@example.com", "password": PASSWORD}})
    assert old["viewer"] is None
    new = Browser().run(SIGN_IN, {"input": {"email": "rita@example.com",
                                            "password": "new-" + PASSWORD}})
    assert new["viewer"]["displayName"] == "Rita Reader"
    used = Browser().run(RESET, {"input": {"key": key, "password": "newer-" + PASSWORD}})
    assert used["errors"][0]["code"] == "INVALID"


def test_a_reset_for_an_unknown_address_answers_the_same(db):
    payload = Browser().run(REQUEST_RESET, {"email": "nobody@example.com"})
    assert payload == {"viewer": None, "csrfToken": None, "errors": []}
    (message,) = outbox()  # allauth tells the address that it has no account
    assert "reset" not in parse_qs(urlparse(
        (re.search(r"https://blog\.example/\S+", message.body) or re.search(
            r"https?://\S+", message.body)).group(0)).query)


def test_mail_sending_mutations_are_rate_limited_per_address_and_per_ip(verified, settings):
    settings.HEARTH_ACCOUNT_MAIL_PER_ADDRESS = 2
    settings.HEARTH_ACCOUNT_MAIL_PER_IP = 5  # the refused request counts for the IP too
    caches["ratelimit"].clear()
    browser = Browser()
    for _ in range(2):
        assert browser.run(REQUEST_RESET, {"email": "rita@example.com"})["errors"] == []
    refused = browser.run(REQUEST_RESET, {"email": "rita@example.com"})["errors"][0]
    assert refused["code"] == "RATE_LIMITED" and refused["retryAfter"] > 0
    assert len(outbox()) == 2
    # Another address from the same IP: two more, then the IP's limit.
    assert sign_up(browser, email="sam@example.com")["errors"] == []
    assert browser.run(REQUEST_RESET, {"email": "other@example.com"})["errors"] == []
    refused = sign_up(browser, email="tom@example.com")["errors"][0]
    assert refused["code"] == "RATE_LIMITED"
    assert not User.objects.filter(email="tom@example.com").exists()
    assert len(outbox()) == 4


def test_the_profile_changes_only_for_a_signed_in_reader_and_only_with_good_values(signed_in):
    assert GraphQLClient().execute(UPDATE, {"input": {"displayName": "X"}})["data"][
        "updateAccount"]["errors"][0]["code"] == "UNAUTHENTICATED"
    for fields, field, code in (({"displayName": "  "}, "displayName", "REQUIRED"),
                                ({"displayName": "x" * 151}, "displayName", "INVALID"),
                                ({"avatarUrl": "javascript:alert(1)"}, "avatarUrl", "INVALID"),
                                ({"avatarUrl": "https://" + "a" * 500 + ".example"},
                                 "avatarUrl", "INVALID")):
        error = signed_in.run(UPDATE, {"input": fields})["errors"][0]
        assert (error["field"], error["code"]) == (field, code)
    user = User.objects.get(email="rita@example.com")
    assert (user.display_name, user.avatar_url) == ("Rita Reader", "")
    assert signed_in.run(UPDATE, {"input": {"avatarUrl": "https://img.example/a.png"}})[
        "viewer"] == {"displayName": "Rita Reader", "avatarUrl": "https://img.example/a.png"}
    assert signed_in.run(UPDATE, {"input": {"avatarUrl": ""}})["viewer"]["avatarUrl"] is None


ADD_COMMENT = """mutation($input: AddCommentInput!) { addComment(input: $input) {
  comment { status author { name user { displayName } } } errors { code field } } }"""


def test_a_signed_in_readers_comment_is_linked_to_the_account_and_shows_its_name(signed_in):
    post = published_post(make_user("writer", Role.AUTHOR))
    from strawberry.relay import GlobalID

    payload = signed_in.run(ADD_COMMENT, {"input": {"postId": str(GlobalID("Post", str(post.pk))),
                                                    "body": "Lovely bread."}})
    assert payload["errors"] == []
    assert payload["comment"]["author"] == {"name": "Rita Reader",
                                            "user": {"displayName": "Rita Reader"}}
    stored = Comment.objects.get()
    assert stored.user.email == "rita@example.com" and stored.author_email == "rita@example.com"
    signed_in.run(UPDATE, {"input": {"displayName": "Rita R."}})
    stored.refresh_from_db()
    assert stored.display_name == "Rita R."


def test_deleting_the_account_signs_out_and_takes_its_reactions_back(signed_in):
    post = published_post(make_user("writer", Role.AUTHOR))
    user = User.objects.get(email="rita@example.com")
    reaction_add(subject=post, kind="like", user=user)
    payload = signed_in.run(DELETE)
    assert payload["errors"] == [] and payload["deletedId"]
    assert not User.objects.filter(pk=user.pk).exists() and not Reaction.objects.exists()
    post.refresh_from_db()
    assert post.reactions_like == 0
    assert signed_in.run(VIEWER, ) is None
    assert GraphQLClient().execute(DELETE)["data"]["deleteAccount"]["errors"][0]["code"] == (
        "UNAUTHENTICATED")


def test_no_account_mutation_ever_shows_an_email_address(signed_in):
    for query, variables in ((VIEWER, None), (UPDATE, {"input": {"displayName": "R"}}),
                             (SIGN_OUT, None)):
        response = signed_in.client.post("/graphql/", json.dumps(
            {"query": query, "variables": variables or {}}), content_type="application/json",
            headers={"X-CSRFToken": signed_in.csrf})
        assert b"rita@example.com" not in response.content


def test_sign_in_providers_lists_the_configured_sites_and_no_secret(gql, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers({
        "HEARTH_OIDC_ISSUER": "https://id.example", "HEARTH_OIDC_ID": "corp",
        "HEARTH_OIDC_NAME": "Corp ID", "HEARTH_OIDC_CLIENT_ID": "corp-client",
        "HEARTH_OIDC_SECRET": "corp-secret", "HEARTH_GITHUB_CLIENT_ID": "gh-client",
        "HEARTH_GITHUB_SECRET": "gh-secret"})
    response = gql.post("{ signInProviders { id name url } }")
    listed = {p["id"]: p for p in response.json()["data"]["signInProviders"]}
    assert listed["corp"] == {"id": "corp", "name": "Corp ID",
                              "url": "http://testserver/accounts/oidc/corp/login/"}
    assert listed["github"]["url"] == "http://testserver/accounts/github/login/"
    assert b"secret" not in response.content and b"client" not in response.content
