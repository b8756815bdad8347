"""post(slug:) finds a post by a slug it had before: an imported WordPress permalink or a slug
renamed with updatePost; the post's `slug` is the current one (a frontend redirects)."""

import pytest
from django.core.management import call_command

from cms.models import OldSlug, Post
from tests.cms.wxr_blog import CYRILLIC_SLUG, blog
from tests.support import factories
from tests.support.writes import UPDATE_POST, accepted, gid

BY_SLUG = "query($slug: String!) { post(slug: $slug) { slug title } }"


def found(client, slug: str):
    response = client.execute(BY_SLUG, {"slug": slug})
    assert "errors" not in response, response
    return response["data"]["post"]


@pytest.fixture
def imported(db, tmp_path):
    path = tmp_path / "blog.xml"
    path.write_bytes(blog())
    call_command("import_wxr", str(path))


def test_imported_permalinks_find_the_post_under_its_current_slug(imported, gql):
    assert found(gql, "hello-old") == {"slug": "hello-world", "title": "Hello world"}
    assert found(gql, "привет-мир") == {"slug": "privet-mir", "title": "Привет мир"}
    # As the old address had it, whichever case its escapes are in: one query says "redirect".
    assert found(gql, CYRILLIC_SLUG)["slug"] == "privet-mir"
    assert found(gql, CYRILLIC_SLUG.upper())["slug"] == "privet-mir"
    assert found(gql, "100%-not-an-escape") is None
    assert found(gql, "hello-world") == {"slug": "hello-world", "title": "Hello world"}
    assert found(gql, "never-was") is None


def test_an_old_slug_of_a_post_the_reader_may_not_see_finds_nothing(imported, gql):
    OldSlug.objects.create(post=Post.objects.get(slug="a-draft"), slug="draft-permalink")
    assert found(gql, "draft-permalink") is None


def test_a_renamed_post_is_found_by_every_slug_it_had(users, gql):
    author = users["author"]
    post = factories.published_post(author, title="First name")
    as_author = gql.as_user(author)
    for slug in ("second-name", "third-name"):
        accepted(as_author, UPDATE_POST, {"input": {"id": gid(post), "slug": slug}},
                 "updatePost")
    for slug in ("first-name", "second-name", "third-name"):
        assert found(gql, slug)["slug"] == "third-name"
    # Back to a slug it had: no longer an old one; another post taking an old slug wins it.
    accepted(as_author, UPDATE_POST, {"input": {"id": gid(post), "slug": "first-name"}},
             "updatePost")
    assert sorted(OldSlug.objects.values_list("slug", flat=True)) == ["second-name",
                                                                      "third-name"]
    other = factories.published_post(author, title="Other", slug="second-name")
    assert found(gql, "second-name")["title"] == other.title
    assert found(gql, "third-name")["slug"] == "first-name"
