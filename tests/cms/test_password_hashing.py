"""Passwords are hashed with Argon2; accounts with older PBKDF2 hashes still sign in and are
rehashed with Argon2 then."""

from django.contrib.auth.hashers import make_password
from django.test import Client

from cms.models import User
from config import settings as project_settings


def test_passwords_are_hashed_with_argon2_and_older_hashes_are_upgraded_at_sign_in(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # conftest swaps in MD5
    new = User.objects.create_user(username="nova", password="a long passphrase 1")
    assert new.password.startswith("argon2$")

    old = User.objects.create_user(username="olga", is_staff=True)
    old.password = make_password("a long passphrase 2", hasher="pbkdf2_sha256")
    old.save(update_fields=["password"])
    response = Client().post("/admin/login/", {"username": "olga",
                                               "password": "a long passphrase 2"})
    assert response.status_code == 302  # signed in
    old.refresh_from_db()
    assert old.password.startswith("argon2$")
