"""The editor's desk in the admin: the live preview endpoint, revisions (list, diff, restore),
the trash, the Scheduled filter, author reassignment, and the moderation desk (pending count,
newest first, per-row Approve / Spam / Trash / Reply), each through the services."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.models import Comment, CommentStatus, Post, PostRevision, PostStatus, Role
from cms.services import posts as post_services
from cms.services.images import image_upload
from cms.services.posts import post_publish, post_update
from tests.conftest import make_user
from tests.support import images
from tests.support.counts import assert_counts_exact
from tests.support.factories import comment, draft_post, published_post


@pytest.fixture
def editor(db):
    return make_user("eddie", Role.EDITOR, is_staff=True, display_name="Eddie")


@pytest.fixture
def client(editor):
    client = Client()
    client.force_login(editor)
    return client


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_renders_and_sanitizes_as_the_site_does(client):
    response = client.post(reverse("admin:cms_post_preview"),
                           {"body": "## Hello\n\n*there* <script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<h2>Hello</h2>" in html and "<em>there</em>" in html and "<script" not in html


def test_the_preview_gives_library_images_their_srcset_as_the_site_does(client, editor):
    image = image_upload(actor=editor, file=io.BytesIO(images.png(1000, 500)), alt="A loaf")
    response = client.post(reverse("admin:cms_post_preview"),
                           {"body": f"![]({image.url(960)})"})
    html = response.json()["html"]
    assert 'srcset="' in html and f"{image.url(320)} 320w" in html
    assert 'alt="A loaf"' in html and 'width="960" height="480"' in html
    assert html == post_services.render_body(f"![]({image.url(960)})")


def test_the_preview_is_for_signed_in_writers_only(client, settings):
    url = reverse("admin:cms_post_preview")
    assert client.get(url).status_code == 405
    assert Client().post(url, {"body": "x"}).status_code == 302  # to the sign-in page
    subscriber = make_user("sub", Role.SUBSCRIBER, is_staff=True)
    assert staff_client(subscriber).post(url, {"body": "x"}).status_code == 403
    settings.HEARTH_MAX_POST_BODY_LENGTH = 10
    assert client.post(url, {"body": "x" * 11}).status_code == 400


def test_the_post_form_has_the_editor_and_no_cdn_asset(client, editor):
    post = draft_post(editor)
    page = client.get(reverse("admin:cms_post_change", args=[post.pk])).content.decode()
    assert 'class="hearth-editor"' in page and "/static/cms/editor.js" in page
    assert "/static/blog/style.css" in page
    assert "cdn" not in page.lower() and "googleapis" not in page


def test_revisions_list_diff_and_restore_through_the_service(client, editor):
    post = draft_post(editor)
    post_update(actor=editor, post=post, title="Second title", body="line one\nline two")
    post_update(actor=editor, post=post, body="line one\nline 2\nline three")
    page = client.get(reverse("admin:cms_post_revisions", args=[post.pk])).content.decode()
    assert page.count('<tr data-number="') == 3
    diff = client.get(reverse("admin:cms_post_diff", args=[post.pk]), {"a": 2, "b": 3})
    text = diff.content.decode()
    assert diff.status_code == 200
    assert '<tr class="desk-del"><td class="desk-sign">−</td><td><pre>line two</pre>' in text
    assert '<tr class="desk-add"><td class="desk-sign">+</td><td><pre>line 2</pre>' in text
    assert '<tr class="desk-add"><td class="desk-sign">+</td><td><pre>line three</pre>' in text
    assert 'data-field="title"' in text
    response = client.post(reverse("admin:cms_post_restore_revision", args=[post.pk, 2]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "line one\nline two"
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    assert (latest.number, latest.created_by, latest.note) == (4, editor, "Restored revision 2.")


def test_the_diff_shows_a_featured_image_change_and_restore_brings_it_back(client, editor):
    loaf = image_upload(actor=editor, file=io.BytesIO(images.png(400, 300)), alt="A loaf")
    jar = image_upload(actor=editor, file=io.BytesIO(images.png(300, 400)), alt="A jar")
    post = draft_post(editor)
    post_update(actor=editor, post=post, featured_image=loaf)
    post_update(actor=editor, post=post, featured_image=jar)
    diff = client.get(reverse("admin:cms_post_diff", args=[post.pk]), {"a": 2, "b": 3})
    text = diff.content.decode()
    section = text[text.index('data-field="featured image"'):]
    assert f"<pre>Image #{loaf.pk}: A loaf</pre>" in section
    assert f"<pre>Image #{jar.pk}: A jar</pre>" in section
    assert section.index('class="desk-del"') < section.index('class="desk-add"')
    assert f'src="{loaf.url(320)}"' in section and f'src="{jar.url(320)}"' in section
    response = client.post(reverse("admin:cms_post_restore_revision", args=[post.pk, 2]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.featured_image == loaf
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    assert (latest.number, latest.featured_image, latest.note) == (4, loaf,
                                                                   "Restored revision 2.")


def test_a_revision_is_shown_as_the_site_would_with_its_featured_image(client, editor):
    loaf = image_upload(actor=editor, file=io.BytesIO(images.png(1000, 500)), alt="A loaf")
    post = draft_post(editor)
    post_update(actor=editor, post=post, title="With a picture",
                body=f"*Crust.*\n\n![]({loaf.url(960)})", featured_image=loaf)
    post_update(actor=editor, post=post, body="Gone.", featured_image=None)
    page = client.get(reverse("admin:cms_post_revision", args=[post.pk, 2])).content.decode()
    frame = page[page.index('<iframe class="desk-revision-preview"'):]
    frame = frame[:frame.index("</iframe>")]
    # The frame's document, escaped into its srcdoc: the body rendered by the services.
    assert "sandbox" in frame and "&lt;em&gt;Crust.&lt;/em&gt;" in frame
    assert f"{loaf.url(320)} 320w" in frame and "/static/blog/style.css" in frame
    assert "With a picture" in frame and "<script" not in frame
    assert f'src="{loaf.url(640)}"' in page and "A loaf" in page
    listing = client.get(reverse("admin:cms_post_revisions", args=[post.pk])).content.decode()
    assert reverse("admin:cms_post_revision", args=[post.pk, 2]) in listing
    assert client.get(reverse("admin:cms_post_revision", args=[post.pk, 9])).status_code == 404


def test_a_bad_comparison_goes_back_to_the_list(client, editor):
    post = draft_post(editor)
    response = client.get(reverse("admin:cms_post_diff", args=[post.pk]), {"a": "x", "b": 99})
    assert response.status_code == 302


def test_revisions_of_a_post_one_may_not_see_are_not_found(editor):
    author = make_user("ann", Role.AUTHOR, is_staff=True)
    theirs = draft_post(editor)
    assert staff_client(author).get(
        reverse("admin:cms_post_revisions", args=[theirs.pk])).status_code == 404


def test_restoring_is_refused_to_those_who_may_not_edit(editor):
    author = make_user("ann", Role.AUTHOR, is_staff=True)
    post = published_post(editor)
    post_update(actor=editor, post=post, body="changed")
    response = staff_client(author).post(
        reverse("admin:cms_post_restore_revision", args=[post.pk, 1]))
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).body == "changed"


def state(client, value: str) -> list[int]:
    response = client.get(reverse("admin:cms_post_changelist"), {"state": value})
    return sorted(post.pk for post in response.context["cl"].result_list)


def test_trash_and_restore_from_the_admin(client, editor):
    post = published_post(editor)
    page = client.get(reverse("admin:cms_post_trash", args=[post.pk]))
    assert page.status_code == 200
    assert client.post(reverse("admin:cms_post_trash", args=[post.pk])).status_code == 302
    assert Post.objects.get(pk=post.pk).trashed_at is not None
    assert state(client, "trash") == [post.pk]
    assert post.pk not in state(client, "published")
    listed = client.get(reverse("admin:cms_post_changelist")).context["cl"].result_list
    assert post not in listed
    client.post(reverse("admin:cms_post_untrash", args=[post.pk]))
    assert Post.objects.get(pk=post.pk).trashed_at is None
    assert state(client, "published") == [post.pk]


def test_a_scheduled_post_is_filtered_as_scheduled_not_published(client, editor):
    live = published_post(editor)
    later = post_publish(actor=editor, post=draft_post(editor),
                         publish_at=timezone.now() + timedelta(days=1))
    draft = draft_post(editor)
    assert state(client, "scheduled") == [later.pk]
    assert state(client, "published") == [live.pk]
    assert state(client, "draft") == [draft.pk]
    page = client.get(reverse("admin:cms_post_changelist")).content.decode()
    assert "Scheduled" in page


def post_form(post, **fields) -> dict:
    data = {"title": post.title, "slug": post.slug, "excerpt": post.excerpt, "body": post.body,
            "status": post.status, "published_at_0": "", "published_at_1": "",
            "comments_open": "on"}
    data.update(fields)
    return data


def test_an_editor_reassigns_the_author_in_the_post_form(client, editor):
    author = make_user("ann", Role.AUTHOR, is_staff=True)
    post = draft_post(editor)
    response = client.post(reverse("admin:cms_post_change", args=[post.pk]),
                           post_form(post, author=author.pk))
    assert response.status_code == 302, response.content
    assert Post.objects.get(pk=post.pk).author == author
    subscriber = make_user("sub", Role.SUBSCRIBER)
    response = client.post(reverse("admin:cms_post_change", args=[post.pk]),
                           post_form(post, author=subscriber.pk))
    assert response.status_code == 200  # not a choice
    assert Post.objects.get(pk=post.pk).author == author


def test_an_author_cannot_reassign_in_the_post_form(editor):
    author = make_user("ann", Role.AUTHOR, is_staff=True)
    post = draft_post(author)
    client = staff_client(author)
    response = client.post(reverse("admin:cms_post_change", args=[post.pk]),
                           post_form(post, author=editor.pk, title="Still mine"))
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.author, post.title) == (author, "Still mine")


# The moderation desk


@pytest.fixture
def desk(editor):
    post = published_post(editor)
    reader = make_user("reader", Role.SUBSCRIBER)
    first = comment(post, user=reader, body="first")
    held = comment(post, status=CommentStatus.PENDING, moderator=editor, body="held")
    newest = comment(post, status=CommentStatus.PENDING, moderator=editor, body="newest")
    return post, first, held, newest


def test_the_pending_count_shows_in_the_navigation_and_on_the_index(client, desk):
    index = client.get(reverse("admin:index")).content.decode()
    assert '<span class="desk-pending" title="awaiting moderation">2</span>' in index
    assert '<span class="desk-card-number">2</span>' in index
    listing = client.get(reverse("admin:cms_post_changelist")).content.decode()
    assert '<span class="desk-pending" title="awaiting moderation">2</span>' in listing


def test_the_comment_list_is_newest_first_with_row_actions(client, desk):
    post, first, held, newest = desk
    response = client.get(reverse("admin:cms_comment_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [newest.pk, held.pk, first.pk]
    page = response.content.decode()
    for status in ["approved", "spam", "trash"]:
        assert reverse("admin:cms_comment_moderate", args=[held.pk, status]) in page
    assert reverse("admin:cms_comment_reply", args=[held.pk]) in page


@pytest.mark.parametrize("status", ["approved", "spam", "trash"])
def test_a_row_action_moderates_through_the_service(client, desk, status):
    post, first, held, newest = desk
    response = client.post(reverse("admin:cms_comment_moderate", args=[held.pk, status]))
    assert response.status_code == 302
    assert Comment.objects.get(pk=held.pk).status == status
    assert_counts_exact()
    post.refresh_from_db()
    assert post.comment_count == (2 if status == "approved" else 1)


def test_row_actions_are_posts_and_refuse_an_unknown_status(client, desk):
    held = desk[2]
    assert client.get(reverse("admin:cms_comment_moderate", args=[held.pk, "spam"])
                      ).status_code == 405
    client.post(reverse("admin:cms_comment_moderate", args=[held.pk, "gone"]))
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.PENDING


def test_an_author_cannot_moderate_from_the_desk(desk):
    author = make_user("ann", Role.AUTHOR, is_staff=True)
    held = desk[2]
    response = staff_client(author).post(
        reverse("admin:cms_comment_moderate", args=[held.pk, "approved"]))
    assert response.status_code in (302, 403, 404)
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.PENDING


def test_replying_from_the_desk_approves_and_marks_the_post_author(client, desk, editor):
    post, first, held, newest = desk
    page = client.get(reverse("admin:cms_comment_reply", args=[held.pk]))
    assert page.status_code == 200 and "held" in page.content.decode()
    response = client.post(reverse("admin:cms_comment_reply", args=[held.pk]),
                           {"body": "Thanks, *welcome*!"})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=held)
    assert (reply.user, reply.status, reply.html) == (
        editor, CommentStatus.APPROVED, "<p>Thanks, <em>welcome</em>!</p>\n")
    assert reply.user_id == post.author_id  # the thread marks it as the post author's
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.APPROVED
    assert_counts_exact()


def test_an_empty_reply_is_refused_and_writes_nothing(client, desk):
    held = desk[2]
    before = Comment.objects.count()
    response = client.post(reverse("admin:cms_comment_reply", args=[held.pk]), {"body": " "})
    assert response.status_code == 200
    assert Comment.objects.count() == before
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.PENDING


def test_status_filter_keeps_working_with_the_field_lookup(client, desk):
    response = client.get(reverse("admin:cms_post_changelist"),
                          {"status__exact": PostStatus.DRAFT})
    assert response.status_code == 200
