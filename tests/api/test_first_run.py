"""The first run: `/` says what is running and where to go; in development Hearth serves the
example blog at /blog/ talking to its own /graphql/; the admin's "View site" goes to `/`;
preview links open the example blog."""

import pytest
from django.test import Client
from django.urls import reverse

from cms.models import Role
from cms.services.previews import preview_token_create, preview_url
from tests.conftest import make_user
from tests.support.factories import draft_post


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def test_the_start_page_links_the_playground_the_admin_and_the_blog(db, debug):
    page = Client().get("/").content.decode()
    assert "Hearth is running" in page
    for link in ['href="/graphql/"', 'href="/admin/"', 'href="/blog/"']:
        assert link in page
    assert "Sign in as <code>admin</code>" in page and "<code>maya</code>" in page


def test_the_start_page_says_when_the_playground_is_missing(db, debug, tmp_path):
    debug.HEARTH_PLAYGROUND_DIR = tmp_path
    assert "make playground" in Client().get("/").content.decode()


def test_without_debug_the_blog_is_not_served(db, settings):
    settings.DEBUG = False
    page = Client().get("/", secure=True).content.decode()
    assert 'href="/blog/"' not in page
    assert Client().get("/blog/", secure=True).status_code == 404


def test_the_example_blog_is_served_talking_to_this_api(db, debug):
    page = Client().get("/blog/").content.decode()
    assert '<meta name="hearth-api" content="http://testserver/graphql/">' in page
    script = Client().get("/blog/app.js")
    assert script.status_code == 200 and b"withOwnPending" in b"".join(script.streaming_content)
    assert Client().get("/blog/../config/settings.py").status_code in (400, 404)


def test_view_site_goes_to_the_start_page(db):
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert 'href="/"' in client.get(reverse("admin:index")).content.decode()


def test_preview_links_open_the_example_blog_in_development(db):
    author = make_user("ann", Role.AUTHOR)
    post = draft_post(author)
    token, _ = preview_token_create(actor=author, post=post)
    url = preview_url(post, token)
    assert url.startswith(f"/blog/?slug={post.slug}&preview=")
