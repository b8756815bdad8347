"""Reader accounts through the plain HTML pages Hearth serves (django-allauth's, and the
profile page): sign up, verify the e-mail, sign in, change the profile, delete the account."""

import re

import pytest
from django.test import Client

from cms.models import Reaction, Role, User
from cms.services.reactions import reaction_add
from tests.conftest import make_user
from tests.support.factories import published_post
from tests.support.smtp import outbox

PASSWORD = "a-long-reader-password-42"


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.fixture
def reader_client(db):
    """A reader who signed up through the HTML form and followed the link in the e-mail."""
    client = Client()
    response = client.post("/accounts/signup/", {"email": "Reader@Example.com",
                                                 "password1": PASSWORD,
                                                 "display_name": "Rita Reader"})
    assert response.status_code == 302
    assert len(outbox()) == 1
    confirm = link_in(outbox()[0])
    assert "/accounts/confirm-email/" in confirm
    path = confirm.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    client.post("/accounts/login/", {"login": "reader@example.com", "password": PASSWORD})
    assert client.get("/accounts/profile/").status_code == 200
    return client


def test_signing_up_makes_a_reader_with_an_unverified_address_and_sends_the_link(db):
    client = Client()
    response = client.post("/accounts/signup/", {"email": "new@example.com",
                                                 "password1": PASSWORD,
                                                 "display_name": "New Reader"})
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == Role.SUBSCRIBER and user.display_name == "New Reader"
    assert not user.emailaddress_set.get().verified
    # Not signed in until the address is verified.
    assert client.get("/accounts/profile/").status_code == 302
    (message,) = outbox()
    assert message.to == ["new@example.com"] and "/accounts/confirm-email/" in message.body


def test_a_verified_reader_signs_in_and_changes_the_profile(reader_client):
    user = User.objects.get(email="reader@example.com")
    assert user.emailaddress_set.get().verified
    reader_client.post("/accounts/logout/")
    assert reader_client.get("/accounts/profile/").status_code == 302
    response = reader_client.post("/accounts/login/", {"login": "reader@example.com",
                                                       "password": PASSWORD})
    assert response.status_code == 302
    page = reader_client.get("/accounts/profile/")
    assert page.status_code == 200 and b"Rita Reader" in page.content
    response = reader_client.post("/accounts/profile/", {
        "action": "update", "display_name": "Rita R.", "avatar_url": "https://img.example/r.png"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.avatar_url) == ("Rita R.", "https://img.example/r.png")
    refused = reader_client.post("/accounts/profile/", {
        "action": "update", "display_name": "  ", "avatar_url": "javascript:alert(1)"})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.display_name == "Rita R."


def test_a_wrong_password_does_not_sign_in(reader_client):
    reader_client.post("/accounts/logout/")
    response = reader_client.post("/accounts/login/", {"login": "reader@example.com",
                                                       "password": "wrong-password-1"})
    assert response.status_code == 200  # the form again, with its error
    assert reader_client.get("/accounts/profile/").status_code == 302


def test_deleting_the_account_takes_its_reactions_back(reader_client):
    user = User.objects.get(email="reader@example.com")
    post = published_post(make_user("writer", Role.AUTHOR))
    reaction_add(subject=post, kind="like", user=user)
    response = reader_client.post("/accounts/profile/", {"action": "delete", "confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Reaction.objects.exists()
    post.refresh_from_db()
    assert post.reactions_like == 0
