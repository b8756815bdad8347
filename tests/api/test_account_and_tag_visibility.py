"""Accounts and tags cannot be enumerated (issue 11, items 13-15): `node(id)` opens an Author
only for people with public content and a Tag only with a post the caller may read; a public
slug is never the login name; an ID of a type without nodes is null, never an error."""

import base64
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from strawberry.relay import GlobalID

from cms.models import CommentStatus, Post, Role, User
from cms.services.comments import comment_create
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, draft_post, published_post

NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Author { slug displayName } "\
       "... on Tag { name } } }"


def gid(type_name: str, pk: int) -> str:
    return str(GlobalID(type_name, str(pk)))


def node(client: GraphQLClient, type_name: str, pk: int):
    return client.execute(NODE, {"id": gid(type_name, pk)})["data"]["node"]


@pytest.fixture
def people(db):
    editor = make_user("eddie", Role.EDITOR, display_name="Eddie Editor")
    writer = make_user("wanda", Role.AUTHOR, display_name="Wanda Writer")
    post = published_post(writer)
    approved = make_user("appy", Role.SUBSCRIBER, display_name="Appy Reader")
    comment(post, user=approved)  # a subscriber's first comment is approved at once
    pending = make_user("penny", Role.SUBSCRIBER, display_name="Penny Pending")
    # A subscriber's comment waits when it links out (held for moderation).
    held = comment_create(actor=pending, post=post, body="https://a.example https://b.example "
                          "https://c.example", ip_address="203.0.113.9")
    assert held.status == CommentStatus.PENDING
    drafter = make_user("drafty", Role.AUTHOR, display_name="Drafty Author")
    draft_post(drafter)
    return {
        "editor": editor, "writer": writer, "approved": approved, "pending": pending,
        "drafter": drafter,
        "silent": make_user("quiet", Role.SUBSCRIBER, display_name="Quiet Subscriber"),
        "root": make_user("root", is_superuser=True, is_staff=True),
        "admin": make_user("boss", Role.ADMINISTRATOR),
        "inactive": make_user("gone", Role.AUTHOR, is_active=False),
    }


def test_anonymous_callers_see_only_people_with_public_content(people):
    anonymous = GraphQLClient()
    public = {name for name, user in people.items() if node(anonymous, "Author", user.pk)}
    assert public == {"writer", "approved"}


def test_each_caller_also_sees_themselves_and_what_they_may_read(people):
    drafter = GraphQLClient().as_user(people["drafter"])
    assert node(drafter, "Author", people["drafter"].pk)["slug"] == people["drafter"].slug
    assert node(drafter, "Author", people["pending"].pk) is None
    pending = GraphQLClient().as_user(people["pending"])
    assert node(pending, "Author", people["pending"].pk) is not None
    assert node(pending, "Author", people["silent"].pk) is None
    editor = GraphQLClient().as_user(people["editor"])
    # A moderator reads drafts and pending comments, so sees who wrote them; still no one else.
    seen = {name for name, user in people.items() if node(editor, "Author", user.pk)}
    assert seen == {"editor", "writer", "approved", "pending", "drafter"}


def test_a_public_slug_is_made_from_the_display_name_never_the_login(people):
    for user in User.objects.all():
        assert user.slug not in {user.username, user.username.lower()}
    assert people["writer"].slug == "wanda-writer"
    twin = make_user("wanda2", Role.AUTHOR, display_name="Wanda Writer")
    assert twin.slug == "wanda-writer-2"
    # A display name left out is never the login name either.
    assert [people[name].slug for name in ("root", "admin", "inactive")] == [
        "member", "member-2", "member-3"]
    nameless = make_user("member", Role.SUBSCRIBER)  # "member-4": the next free, not the login
    assert nameless.display_name == "Member" and nameless.slug == "member-4"
    clash = make_user("member-5", Role.SUBSCRIBER)
    assert clash.slug == "member-6"
    named = make_user("jdoe", first_name="Jane", last_name="Doe")
    assert (named.display_name, named.slug) == ("Jane Doe", "jane-doe")
    same = make_user("lena", display_name="lena")
    assert same.slug == "lena-2"


def test_the_slug_cannot_be_set_to_the_login_name(people):
    writer = people["writer"]
    writer.slug = writer.username
    with pytest.raises(ValidationError):
        writer.full_clean()


def test_every_path_to_an_author_shows_the_public_slug(people):
    writer, approved = people["writer"], people["approved"]
    post = Post.objects.filter(author=writer).get()
    data = GraphQLClient().as_user(approved).execute("""query($slug: String!) {
      viewer { slug }
      post(slug: $slug) { author { slug }
        comments(first: 10) { edges { node { author { user { slug } } } } } }
    }""", {"slug": post.slug})["data"]
    assert data["viewer"]["slug"] == approved.slug == "appy-reader"
    assert data["post"]["author"]["slug"] == "wanda-writer"
    commenters = {e["node"]["author"]["user"]["slug"] for e in data["post"]["comments"]["edges"]}
    assert commenters == {"appy-reader"}
    text = json.dumps(data)
    assert "wanda\"" not in text and "appy\"" not in text


def test_posts_filter_by_author_takes_the_public_slug_not_the_login(people):
    query = """query($author: String!) { posts(filter: {author: $author}) { totalCount } }"""
    client = GraphQLClient()
    assert client.execute(query, {"author": "wanda-writer"})["data"]["posts"]["totalCount"] == 1
    assert client.execute(query, {"author": "wanda"})["data"]["posts"]["totalCount"] == 0


def test_existing_users_get_public_slugs_from_the_migration(db):
    from importlib import import_module

    migration = import_module("cms.migrations.0007_user_public_slug")
    maya = make_user("maya", display_name="Maya Lindqvist")
    bare = make_user("bare")
    twin = make_user("maya-l", display_name="Maya Lindqvist")
    # As before the migration: the login name as slug, and as display name when none was given.
    User.objects.filter(pk=maya.pk).update(slug="maya")
    User.objects.filter(pk=bare.pk).update(slug="bare", display_name="bare")
    User.objects.filter(pk=twin.pk).update(slug="maya-l")
    migration.public_slugs(apps, None)
    rows = {u.pk: (u.display_name, u.slug) for u in User.objects.all()}
    assert rows == {maya.pk: ("Maya Lindqvist", "maya-lindqvist"),
                    bare.pk: ("Member", "member"),
                    twin.pk: ("Maya Lindqvist", "maya-lindqvist-2")}


# Tags -----------------------------------------------------------------------------------------


def test_a_tag_only_drafts_carry_is_hidden_from_those_who_cannot_read_them(people):
    draft = draft_post(people["writer"], tags=["Secret merger"])
    scheduled = published_post(people["writer"], tags=["Embargoed"])
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() + timedelta(days=1))
    public = published_post(people["writer"], tags=["Baking", "Secret merger-ish"])
    secret, embargoed = draft.tags.get(), scheduled.tags.get()
    baking = public.tags.get(name="Baking")
    for client in (GraphQLClient(), GraphQLClient().as_user(people["approved"]),
                   GraphQLClient().as_user(people["drafter"])):
        assert node(client, "Tag", secret.pk) is None
        assert node(client, "Tag", embargoed.pk) is None
        assert node(client, "Tag", baking.pk)["name"] == "Baking"
    for reader in ("writer", "editor"):
        client = GraphQLClient().as_user(people[reader])
        assert node(client, "Tag", secret.pk)["name"] == "Secret merger"
    # The tag lists: a post's own tags, and posts by tag.
    body = GraphQLClient().execute("""{ posts(first: 50) { edges { node { tags { name } } } }
      secret: posts(filter: {tag: "secret-merger"}) { totalCount } }""")["data"]
    names = {t["name"] for e in body["posts"]["edges"] for t in e["node"]["tags"]}
    assert "Secret merger" not in names and "Embargoed" not in names
    assert body["secret"]["totalCount"] == 0


# Types without nodes --------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["Node", "Query", "Mutation", "UserError", "PageInfo",
                                       "CommentAuthor", "ReactionSummary", "User", "ApiToken"])
def test_an_id_of_a_type_without_nodes_is_null_not_an_error(people, settings, type_name):
    settings.DEBUG = False
    for pk in (1, 5, people["writer"].pk):
        value = base64.b64encode(f"{type_name}:{pk}".encode()).decode()
        body = GraphQLClient().execute(NODE, {"id": value})
        assert body == {"data": {"node": None}}
