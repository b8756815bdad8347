"""Draft preview: a signed, expiring token opens one post to anyone holding it."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from cms.services.previews import SALT, preview_token_create
from tests.support.factories import draft_post, published_post

CREATE = """
mutation($id: ID!) {
  createPreviewToken(id: $id) { token expiresAt previewUrl errors { code field } }
}
"""
READ_BY_SLUG = """
query($slug: String!, $token: String) {
  post(slug: $slug, previewToken: $token) { title status thread { totalCount } }
}
"""
READ_BY_ID = """
query($id: ID!, $token: String) { post(id: $id, previewToken: $token) { title } }
"""


def global_id(post) -> str:
    from strawberry.relay import GlobalID

    return str(GlobalID("Post", str(post.pk)))


def create_token(gql, post) -> dict:
    return gql.execute(CREATE, {"id": global_id(post)})["data"]["createPreviewToken"]


def test_an_editor_gets_a_token_that_opens_the_draft_to_anyone(users, gql, settings):
    settings.HEARTH_PREVIEW_URL = "http://site.test/api/preview?slug={slug}&token={token}"
    post = draft_post(users["author"])
    payload = create_token(gql.as_user(users["editor"]), post)

    assert payload["errors"] == []
    assert payload["previewUrl"] == (f"http://site.test/api/preview?slug={post.slug}"
                                     f"&token={payload['token']}")
    assert gql.execute(READ_BY_SLUG, {"slug": post.slug})["data"]["post"] is None
    data = gql.execute(READ_BY_SLUG, {"slug": post.slug, "token": payload["token"]})["data"]
    assert data["post"] == {"title": post.title, "status": "DRAFT", "thread": {"totalCount": 0}}
    by_id = gql.execute(READ_BY_ID, {"id": global_id(post), "token": payload["token"]})["data"]
    assert by_id["post"] == {"title": post.title}


def test_the_author_may_preview_their_own_post(users, gql):
    post = draft_post(users["author"])

    assert create_token(gql.as_user(users["author"]), post)["errors"] == []


@pytest.mark.parametrize("role", ["other_author", "subscriber"])
def test_others_may_not_preview_someone_elses_draft(users, gql, role):
    post = draft_post(users["author"])
    payload = create_token(gql.as_user(users[role]), post)

    assert payload["token"] is None
    assert payload["errors"][0]["code"] in {"FORBIDDEN", "NOT_FOUND"}


def test_a_published_post_is_forbidden_to_preview_for_another_author(users, gql):
    post = published_post(users["author"])

    payload = create_token(gql.as_user(users["other_author"]), post)

    assert payload["errors"] == [{"code": "FORBIDDEN", "field": None}]


def test_anonymous_callers_get_no_token(users, gql):
    post = published_post(users["author"])

    assert create_token(gql, post)["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]


def test_a_token_for_another_post_opens_nothing(users, gql):
    post = draft_post(users["author"])
    other = draft_post(users["author"])
    token, _ = preview_token_create(actor=users["author"], post=other)

    assert gql.execute(READ_BY_SLUG, {"slug": post.slug, "token": token})["data"]["post"] is None


def test_an_expired_token_opens_nothing(users, gql, settings):
    post = draft_post(users["author"])
    token, _ = preview_token_create(actor=users["author"], post=post)
    settings.HEARTH_PREVIEW_TOKEN_SECONDS = -1

    assert gql.execute(READ_BY_SLUG, {"slug": post.slug, "token": token})["data"]["post"] is None


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: signing.dumps({"post": 1}, salt="another.salt"),
    lambda token: signing.dumps({"post": 1}, key="not-the-secret-key", salt=SALT),
    lambda token: "nonsense",
])
def test_a_forged_token_opens_nothing(users, gql, forge):
    post = draft_post(users["author"])
    token, _ = preview_token_create(actor=users["author"], post=post)
    forged = forge(token)

    assert gql.execute(READ_BY_SLUG, {"slug": post.slug, "token": forged})["data"]["post"] is None


def test_a_bad_token_hides_even_a_published_post(users, gql):
    post = published_post(users["author"])

    data = gql.execute(READ_BY_SLUG, {"slug": post.slug, "token": "forged"})["data"]

    assert data["post"] is None


def test_a_preview_is_never_publicly_cached(users):
    post = draft_post(users["author"])
    token, _ = preview_token_create(actor=users["author"], post=post)
    client = Client()

    response = client.get("/graphql/", {"query": READ_BY_SLUG, "variables":
                          f'{{"slug": "{post.slug}", "token": "{token}"}}'})

    assert response.status_code == 200
    assert response.json()["data"]["post"]["title"] == post.title
    assert "public" not in response.get("Cache-Control", "")


def test_the_admin_post_page_links_to_the_frontend_preview(users, settings):
    settings.HEARTH_PREVIEW_URL = "http://site.test/preview?slug={slug}&token={token}"
    editor = users["editor"]
    editor.is_staff = True
    editor.save()
    post = draft_post(users["author"])
    client = Client()
    client.force_login(editor)

    page = client.get(reverse("admin:cms_post_change", args=[post.pk])).content.decode()

    assert f"http://site.test/preview?slug={post.slug}&amp;token=" in page
