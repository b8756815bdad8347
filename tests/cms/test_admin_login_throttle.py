"""The admin sign-in is throttled (issue 11, item 13): after HEARTH_ADMIN_LOGIN_FAILURES wrong
passwords for one username from one address, that pair is refused for the cool-off, even with
the right password. Other usernames, other addresses and the API's tokens are not affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from cms.models import Role
from tests.conftest import GraphQLClient, make_user

PASSWORD = "the right horse battery"


@pytest.fixture
def admin_user(db):
    return make_user("boss", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def sign_in(username: str, password: str, address: str = "198.51.100.7"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/admin/login/?next=/admin/",
                           {"username": username, "password": password})
    return response, client


def signed_in(response, client) -> bool:
    return response.status_code == 302 and client.get("/admin/").status_code == 200


def test_the_sixth_attempt_is_refused_even_with_the_right_password(admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response, _client = sign_in("boss", "wrong")
        assert response.status_code == 200  # the form again, with its error
    assert sign_in("boss", "wrong")[0].status_code == 429  # the fifth failure locks
    response, client = sign_in("boss", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response, client)
    assert "_auth_user_id" not in client.session
    # The pair stays locked however often it tries.
    response, client = sign_in("boss", PASSWORD)
    assert response.status_code == 429
    # The lockout is per username and address: the account from elsewhere, or another
    # account from here, can still sign in.
    assert signed_in(*sign_in("boss", PASSWORD, address="203.0.113.50"))
    other = make_user("deputy", Role.EDITOR, is_staff=True)
    other.set_password(PASSWORD)
    other.save()
    assert signed_in(*sign_in("deputy", PASSWORD))


def test_the_lockout_ends_after_the_cool_off(admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    for _ in range(5):
        sign_in("boss", "wrong")
    assert sign_in("boss", PASSWORD)[0].status_code == 429
    past = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= past
        attempt.save()
    assert signed_in(*sign_in("boss", PASSWORD))
    assert not AccessAttempt.objects.exists()  # expired attempts are deleted, not kept


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_resets(admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    for _ in range(4):
        sign_in("boss", "wrong")
    assert signed_in(*sign_in("boss", PASSWORD))
    for _ in range(4):
        sign_in("boss", "wrong")
    assert signed_in(*sign_in("boss", PASSWORD))


def test_a_locked_out_account_keeps_its_api_token_and_session(admin_user):
    # Tokens and existing sessions are not password sign-ins: throttling them is the API's
    # rate limits' business, not axes'.
    admin_user.set_password(PASSWORD)
    admin_user.save()
    for _ in range(6):
        sign_in("boss", "wrong")
    assert sign_in("boss", PASSWORD)[0].status_code == 429
    viewer = "{ viewer { displayName } }"
    assert GraphQLClient().as_user(admin_user).execute(viewer)["data"]["viewer"] is not None
    browser = Client()
    browser.force_login(admin_user)
    assert browser.get("/admin/").status_code == 200


@pytest.mark.parametrize("username", ["x" * 300, "a\x00b", "boss\x00", "é" * 151])
def test_hostile_usernames_are_refused_cleanly(admin_user, username):
    for _ in range(6):
        response, _client = sign_in(username, "wrong\x00" * 50)
        assert response.status_code in (200, 429)
    assert signed_in(*sign_in("boss", "pw-boss"))


def test_signing_in_to_the_admin_without_next_lands_in_the_admin(admin_user):
    """LOGIN_REDIRECT_URL is the readers' profile page; the admin's own sign-in goes to /admin/."""
    admin_user.set_password(PASSWORD)
    admin_user.save()
    response = Client(REMOTE_ADDR="198.51.100.9").post(
        "/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
