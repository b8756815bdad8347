"""The admin renders every page for an administrator and writes through the services."""

import re

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from cms.models import ApiToken, Comment, CommentStatus, Post, PostStatus, Reaction, Tag
from cms.models.tokens import hash_token
from cms.services.tokens import token_authenticate, token_create
from tests.conftest import make_user
from tests.support.counts import assert_counts_exact
from tests.support.factories import comment, draft_post, published_post


@pytest.fixture
def administrator(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = make_user("root", is_staff=True, is_superuser=True)
    token_create(user=user, name="ci")
    return user


@pytest.fixture
def client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_admin_index_renders(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"Hearth" in response.content


def test_every_changelist_renders(client):
    for model, _ in registered():
        response = client.get(url(model, "changelist"))
        assert response.status_code == 200, model


def test_every_changelist_search_and_filter_renders(client):
    for model, model_admin in registered():
        if model_admin.search_fields:
            assert client.get(url(model, "changelist"), {"q": "bread"}).status_code == 200, model
    assert client.get(url(Comment, "changelist"), {"status__exact": "pending"}).status_code == 200
    assert client.get(url(Post, "changelist"), {"status__exact": "draft"}).status_code == 200
    tag = Tag.objects.first()
    assert client.get(url(Post, "changelist"), {"tags__id__exact": tag.pk}).status_code == 200


def test_every_add_form_renders_where_adding_is_allowed(client, administrator):
    request = RequestFactory().get("/")
    request.user = administrator
    for model, model_admin in registered():
        response = client.get(url(model, "add"))
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert response.status_code == expected, model


def test_every_change_form_renders(client):
    for model, _ in registered():
        obj = model.objects.order_by("pk").first()
        if obj is None:
            continue
        response = client.get(url(model, "change", obj.pk))
        assert response.status_code == 200, model


def test_adding_comments_and_reactions_in_the_admin_is_not_offered(client):
    assert client.get(url(Comment, "add")).status_code == 403
    assert client.get(url(Reaction, "add")).status_code == 403
    reaction = Reaction.objects.first()
    assert client.get(url(Reaction, "delete", reaction.pk)).status_code == 403
    assert client.post(url(Reaction, "change", reaction.pk), {"kind": "sad"}).status_code == 403
    assert Reaction.objects.get(pk=reaction.pk).kind == reaction.kind


def test_post_change_form_shows_the_rendered_preview(client):
    post = Post.objects.get(slug="what-a-year-of-bread-taught-me")
    content = client.get(url(Post, "change", post.pk)).content.decode()
    assert "<strong>Time does most of the work.</strong>" in content


def post_form(**fields) -> dict:
    data = {"title": "From the admin", "slug": "from-the-admin", "excerpt": "",
            "body": "Hello *admin*.", "status": PostStatus.DRAFT, "published_at_0": "",
            "published_at_1": "", "comments_open": "on"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_adding_a_post_in_the_admin_goes_through_the_services(client, administrator):
    tags = list(Tag.objects.order_by("pk")[:2])
    response = client.post(url(Post, "add"), post_form(tags=[t.pk for t in tags]))
    assert response.status_code == 302, response.content
    post = Post.objects.get(slug="from-the-admin")
    assert post.author == administrator and post.status == PostStatus.DRAFT
    assert post.html == "<p>Hello <em>admin</em>.</p>\n"
    assert set(post.tags.all()) == set(tags)


def test_publishing_through_the_post_form(client):
    client.post(url(Post, "add"), post_form())
    post = Post.objects.get(slug="from-the-admin")
    response = client.post(url(Post, "change", post.pk),
                           post_form(status=PostStatus.PUBLISHED, body="Now **live**."))
    assert response.status_code == 302, response.content
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert post.html == "<p>Now <strong>live</strong>.</p>\n"
    assert Post.objects.live().filter(pk=post.pk).exists()


def test_post_form_refuses_an_upper_case_slug(client):
    response = client.post(url(Post, "add"), post_form(slug="Not-Lower"))
    assert response.status_code == 200
    assert not Post.objects.filter(title="From the admin").exists()


def test_post_publish_and_unpublish_actions(client, administrator):
    drafts = [draft_post(administrator), draft_post(administrator)]
    ids = [post.pk for post in drafts]
    response = client.post(url(Post, "changelist"),
                           {"action": "publish", "_selected_action": ids})
    assert response.status_code == 302
    assert Post.objects.live().filter(pk__in=ids).count() == 2
    client.post(url(Post, "changelist"), {"action": "unpublish", "_selected_action": ids[:1]})
    assert list(Post.objects.filter(status=PostStatus.DRAFT, pk__in=ids)) == [drafts[0]]


def test_author_sees_others_posts_read_only(administrator):
    from cms.models import Role

    author = make_user("writer", Role.AUTHOR, is_staff=True)
    theirs = Post.objects.live().exclude(author=author).first()
    client = Client()
    client.force_login(author)
    response = client.post(url(Post, "change", theirs.pk), post_form(title="Mine now"))
    assert response.status_code == 403
    assert Post.objects.get(pk=theirs.pk).title != "Mine now"


def moderate(client, action: str, comments) -> None:
    response = client.post(url(Comment, "changelist"),
                           {"action": action, "_selected_action": [c.pk for c in comments]})
    assert response.status_code == 302


@pytest.fixture
def thread(administrator):
    post = published_post(administrator)
    root = comment(post, user=administrator)
    replies = [comment(post, user=administrator, parent=root, body=f"reply {n}")
               for n in range(3)]
    deep = comment(post, user=administrator, parent=replies[0], body="deep")
    held = comment(post, parent=root, status=CommentStatus.PENDING)
    return post, root, replies, deep, held


def test_bulk_moderation_actions_keep_counts_exact(client, thread):
    post, root, replies, deep, held = thread
    moderate(client, "mark_approved", [held])
    post.refresh_from_db()
    root.refresh_from_db()
    assert (post.comment_count, root.reply_count, root.descendant_count) == (6, 4, 5)
    moderate(client, "mark_spam", [replies[1], replies[2], held])
    root.refresh_from_db()
    assert (root.reply_count, root.descendant_count) == (1, 2)
    moderate(client, "mark_trash", [replies[0], deep])
    post.refresh_from_db()
    assert post.comment_count == 1
    moderate(client, "mark_pending", [replies[0]])
    moderate(client, "mark_approved", [replies[0], replies[1], deep, held])
    post.refresh_from_db()
    root.refresh_from_db()
    assert (post.comment_count, root.reply_count, root.descendant_count) == (5, 3, 4)
    assert Comment.objects.get(pk=replies[2].pk).status == CommentStatus.SPAM
    assert_counts_exact()


def test_bulk_approve_of_the_seeded_queue(client):
    held = Comment.objects.filter(status=CommentStatus.PENDING)
    post = held.first().post
    before = post.comment_count
    moderate(client, "mark_approved", held)
    post.refresh_from_db()
    assert post.comment_count == before + 1
    assert not Comment.objects.filter(status=CommentStatus.PENDING).exists()
    assert_counts_exact()


def test_comment_change_form_moderates_through_the_service(client, thread):
    post, root, replies, deep, held = thread
    response = client.post(url(Comment, "change", replies[0].pk),
                           {"status": CommentStatus.TRASH, "body": replies[0].body})
    assert response.status_code == 302, response.content
    assert_counts_exact()
    root.refresh_from_db()
    assert root.reply_count == 2
    client.post(url(Comment, "change", deep.pk), {"status": "approved", "body": "Edited *deep*"})
    deep.refresh_from_db()
    assert deep.html == "<p>Edited <em>deep</em></p>\n" and deep.edited_at is not None


def test_comment_change_form_shows_post_parent_email_and_ip(client, thread):
    post, root, replies, deep, held = thread
    content = client.get(url(Comment, "change", held.pk)).content.decode()
    assert post.title in content and held.author_email in content
    assert held.ip_address in content and root.body in content


def test_comments_cannot_be_hard_deleted_in_the_admin(client, thread):
    root = thread[1]
    assert client.post(url(Comment, "delete", root.pk), {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=root.pk).exists()


def test_adding_a_token_shows_it_once_and_stores_its_hash(client, administrator):
    response = client.post(url(ApiToken, "add"), {"user": administrator.pk, "name": "laptop"},
                           follow=True)
    assert response.status_code == 200
    shown = re.search(r"hearth_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    token = ApiToken.objects.get(name="laptop")
    assert token.token_hash == hash_token(shown)
    assert token_authenticate(shown) == administrator
    page = client.get(url(ApiToken, "change", token.pk)).content.decode()
    assert shown not in page and token.hint in page


def test_revoke_action_revokes_tokens(client, administrator):
    token, raw = token_create(user=administrator, name="old")
    response = client.post(url(ApiToken, "changelist"),
                           {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    from cms.errors import DomainError

    with pytest.raises(DomainError):
        token_authenticate(raw)


def test_user_changelist_shows_roles(client):
    content = client.get(url(type(make_user("someone")), "changelist")).content.decode()
    assert "administrator" in content and "subscriber" in content


def test_deleting_users_in_the_admin_keeps_reaction_counts_exact(client):
    from cms.models import User

    readers = User.objects.filter(username__in=["jonas", "priya"])
    assert Reaction.objects.filter(user__in=readers).count() > 3
    response = client.post(url(User, "changelist"), {
        "action": "delete_selected", "_selected_action": [u.pk for u in readers], "post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username__in=["jonas", "priya"]).exists()
    assert_counts_exact()
    sam = User.objects.get(username="sam")
    assert client.post(url(User, "delete", sam.pk), {"post": "yes"}).status_code == 302
    assert_counts_exact()


def test_deleting_a_post_with_a_thread_in_the_admin(client):
    post = Post.objects.get(slug="what-a-year-of-bread-taught-me")
    page = client.get(url(Post, "delete", post.pk))
    assert page.status_code == 200 and b"protected" not in page.content
    assert client.post(url(Post, "delete", post.pk), {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.filter(post=post.pk).exists()
    assert_counts_exact()


def test_bulk_deleting_posts_in_the_admin(client):
    ids = list(Post.objects.values_list("pk", flat=True))
    response = client.post(url(Post, "changelist"), {
        "action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert Post.objects.count() == Comment.objects.count() == Reaction.objects.count() == 0


def test_authors_see_published_posts_and_their_own_drafts_only(administrator):
    from cms.models import Role

    author = make_user("writer", Role.AUTHOR, is_staff=True)
    mine, theirs = draft_post(author), draft_post(administrator)
    client = Client()
    client.force_login(author)
    listed = client.get(url(Post, "changelist")).context["cl"].result_list
    assert mine in listed and theirs not in listed
    assert Post.objects.live().first() in listed
    assert client.get(url(Post, "change", theirs.pk)).status_code == 302  # "does not exist"


def test_contributor_cannot_publish_through_the_post_form(administrator):
    from cms.models import Role

    contributor = make_user("helper", Role.CONTRIBUTOR, is_staff=True)
    client = Client()
    client.force_login(contributor)
    response = client.post(url(Post, "add"), post_form(status=PostStatus.PUBLISHED))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Post.objects.filter(slug="from-the-admin").exists()
    assert client.post(url(Post, "add"), post_form()).status_code == 302
    assert Post.objects.get(slug="from-the-admin").author == contributor
