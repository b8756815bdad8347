"""Management commands: seed_demo, create_token, ensure_local_admin, export_schema."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.management.commands import ensure_local_admin
from cms.management.commands.seed_demo import DEMO_SLUG, LOAF_ALT
from cms.models import ApiToken, Comment, CommentStatus, Post, PostStatus, User
from schema.management.commands import export_schema
from tests.conftest import GraphQLClient
from tests.support.counts import assert_counts_exact


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def every_row() -> dict[str, list[dict]]:
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in apps.get_models()}


def test_seed_demo_twice_gives_the_same_rows(db):
    run("seed_demo")
    first = every_row()
    assert "already loaded" in run("seed_demo")
    assert every_row() == first
    assert {label: len(rows) for label, rows in first.items() if rows} == {
        label: len(rows) for label, rows in every_row().items() if rows}


def test_seed_demo_loads_a_blog_shaped_like_the_reference_page(db):
    run("seed_demo")
    post = Post.objects.live().get(slug=DEMO_SLUG)
    assert post.status == PostStatus.PUBLISHED and post.tags.count() >= 2
    approved = post.comments.filter(status=CommentStatus.APPROVED)
    assert approved.filter(parent=None).count() >= 6
    assert approved.filter(parent__isnull=False, user=post.author).exists()
    assert approved.filter(depth__gte=2).exists()
    likes = {c.pk: c.reactions_like for c in approved}
    assert 1 in likes.values() and 2 in likes.values()
    assert post.reactions_like >= 2
    held = Comment.objects.get(status=CommentStatus.PENDING)
    assert held.user is None and held.post == post
    assert Post.objects.live().count() >= 3
    assert post.comment_count == approved.count()
    assert_counts_exact()


def test_seed_demo_post_reads_through_graphql(db):
    run("seed_demo")
    body = GraphQLClient().execute("""query($slug: String) { post(slug: $slug) {
        title commentCount author { slug } featuredImage { alt width height srcset }
        comments(first: 20) { totalCount edges { node { author { name isPostAuthor } } } } } }""",
                                   {"slug": DEMO_SLUG})
    post = body["data"]["post"]
    image = post["featuredImage"]
    assert (image["alt"], image["width"], image["height"]) == (LOAF_ALT, 1600, 1000)
    assert [c.split()[1] for c in image["srcset"].split(", ")] == [
        "320w", "640w", "960w", "1280w", "1600w"]
    assert post["author"]["slug"] == "maya-lindqvist"  # from the display name, not the login
    assert post["comments"]["totalCount"] >= 6
    assert post["commentCount"] == Post.objects.get(slug=DEMO_SLUG).comment_count


def test_create_token_prints_a_token_that_authenticates(users):
    out = run("create_token", users["subscriber"].username)
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("hearth_") and " " not in raw
    assert ApiToken.objects.filter(user=users["subscriber"]).count() == 1
    body = GraphQLClient(headers={"Authorization": f"Bearer {raw}"}).execute(
        "{ viewer { slug } }")
    assert body["data"]["viewer"] == {"slug": users["subscriber"].slug}


def test_create_token_names_the_token(users):
    run("create_token", users["editor"].username, "--name", "deploy script")
    assert ApiToken.objects.get().name == "deploy script"


def test_create_token_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("create_token", "nobody")
    assert ApiToken.objects.count() == 0


def test_create_token_for_an_inactive_user_is_refused(users):
    User.objects.filter(pk=users["subscriber"].pk).update(is_active=False)
    with pytest.raises(CommandError):
        run("create_token", users["subscriber"].username)


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / "var" / "local-admin-password"
    monkeypatch.setattr(ensure_local_admin, "PASSWORD_FILE", path)
    return path


def test_ensure_local_admin_creates_an_administrator_once(db, password_file, settings):
    settings.DEBUG = True
    first = run("ensure_local_admin")
    admin = User.objects.get(username="admin")
    password = password_file.read_text().strip()
    assert admin.is_superuser and admin.is_staff and admin.check_password(password)
    assert admin.groups.filter(name="administrator").exists()
    assert password in first
    second = run("ensure_local_admin")
    assert password in second and User.objects.count() == 1
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"


def test_ensure_local_admin_points_to_changepassword_when_it_cannot_tell(db, password_file,
                                                                          settings):
    settings.DEBUG = True
    User.objects.create_superuser("admin", "a@example.org", "someone-chose-this")
    out = run("ensure_local_admin")
    assert "manage.py changepassword admin" in out
    assert "someone-chose-this" not in out
    assert User.objects.get(username="admin").check_password("someone-chose-this")


def test_ensure_local_admin_refuses_without_debug(db, password_file, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run("ensure_local_admin")
    assert not User.objects.filter(username="admin").exists()


def test_export_schema_writes_and_checks(tmp_path, monkeypatch):
    path = tmp_path / "schema.graphql"
    monkeypatch.setattr(export_schema, "SCHEMA_FILE", path)
    with pytest.raises(CommandError):
        run("export_schema", "--check")
    run("export_schema")
    text = path.read_text()
    assert text.endswith("}\n") and "type Query" in text and "type Mutation" in text
    assert "is current" in run("export_schema", "--check")
    path.write_text(text + "\ntype Stale { x: Int }\n")
    with pytest.raises(CommandError, match="out of date"):
        run("export_schema", "--check")


def test_committed_schema_matches_the_live_schema():
    committed = export_schema.SCHEMA_FILE.read_text()
    assert committed == export_schema.schema_sdl(), (
        "schema.graphql differs from the live schema: run `make schema` and commit it.")


def test_the_demo_administrator_signs_in_to_the_admin_with_the_local_password(
        db, password_file, settings):
    from django.test import Client

    settings.DEBUG = True
    run("seed_demo")
    maya = User.objects.get(username="maya")
    assert maya.is_staff and not maya.has_usable_password()
    out = run("ensure_local_admin")
    password = password_file.read_text().strip()
    assert "or as maya" in out
    client = Client()
    signed_in = client.post("/admin/login/?next=/admin/",
                            {"username": "maya", "password": password}, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/admin/"
    assert "Content and moderation" in signed_in.content.decode()
    maya.set_password("her-own-choice")
    maya.save()
    assert "or as maya" not in run("ensure_local_admin")
    assert User.objects.get(username="maya").check_password("her-own-choice")
