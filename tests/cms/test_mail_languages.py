"""Localisable templates: with a site in German (LANGUAGE_CODE) and Hearth's German catalogue
(locale/de, compiled here by Django's compilemessages, which runs gettext's msgfmt), a
notification, an account mail (allauth's own German with Hearth's footer) and the profile page
come out in German."""

import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from cms.mail import deliver_due
from cms.models import CommentStatus, Role
from cms.services.comments import comment_create, comment_moderate
from tests.conftest import make_user
from tests.support.factories import published_post

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-reader-password-42"


@pytest.fixture(scope="module")
def german_catalogue(tmp_path_factory):
    """locale/ compiled into a folder of the test's (the repository is left as it is)."""
    locale = tmp_path_factory.mktemp("i18n") / "locale"
    shutil.copytree(django_settings.BASE_DIR / "locale", locale)
    before = os.getcwd()
    os.chdir(locale.parent)  # compilemessages compiles ./locale and LOCALE_PATHS: the copy's
    try:
        with override_settings(LOCALE_PATHS=[locale]):
            call_command("compilemessages", locale=["de"], verbosity=0, ignore_patterns=["*"])
    finally:
        os.chdir(before)
    assert (locale / "de" / "LC_MESSAGES" / "django.mo").exists()
    return locale


@pytest.fixture
def german(settings, german_catalogue):
    settings.LOCALE_PATHS = [german_catalogue]
    settings.LANGUAGE_CODE = "de"
    with translation.override("de"):
        yield


def test_a_reply_notification_comes_in_the_sites_language(german, mailbox):
    author, editor = make_user("author", Role.AUTHOR), make_user("editor", Role.EDITOR)
    post = published_post(author, title="Sauerteig")
    asker = comment_create(actor=None, post=post, parent=None, body="Wie lange?",
                           author_name="Quinn", author_email="quinn@example.org",
                           ip_address="203.0.113.9", notify_replies=True)
    comment_moderate(actor=editor, comment=asker, status=CommentStatus.APPROVED)
    comment_create(actor=editor, post=post, parent=asker, body="Zwei Tage.")
    deliver_due()
    (message,) = mailbox.to("quinn@example.org")
    assert message["Subject"].strip() == (f"{editor.display_name} hat auf deinen Kommentar zu "
                                          "„Sauerteig“ geantwortet")
    assert "Zum Gespräch:" in message.text and "Abbestellen:" in message.text
    assert ">Zum Gespräch</a>" in message.html and ">Abbestellen</a>" in message.html


def test_an_account_mail_and_the_profile_page_come_in_the_sites_language(german, mailbox):
    from tests.api.test_account_mutations import SIGN_UP, Browser

    assert Browser().run(SIGN_UP, {"input": {"email": "rita@example.com",
                                             "password": PASSWORD}})["errors"] == []
    deliver_due()
    (message,) = mailbox.to("rita@example.com")
    assert "E-Mail" in message["Subject"]  # allauth's own German
    assert "weil deine Adresse auf unserer Seite eingegeben wurde" in message.text
    assert "Abbestellen:" in message.text

    reader = make_user("reader", Role.SUBSCRIBER)
    client = Client()
    client.force_login(reader)
    page = client.get("/accounts/profile/").content.decode()
    assert "Dein Profil" in page and "Angezeigter Name" in page
