"""cms.services.posts: each service's happy path, and each refusal's code with nothing written."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cms.errors import ErrorCode, ValidationErrors
from cms.models import Comment, Post, PostStatus, Reaction, Tag
from cms.services.posts import (
    post_archive,
    post_create,
    post_delete,
    post_publish,
    post_unpublish,
    post_update,
)
from cms.services.reactions import reaction_add
from tests.support.counts import refused
from tests.support.factories import comment, draft_post, published_post


def snapshot() -> list:
    return list(Post.objects.order_by("pk").values()) + list(Tag.objects.values())


def test_post_create_renders_html_makes_slug_and_tags(users):
    post = post_create(actor=users["author"], title="Bread & Patience", body="Hello *world*.",
                       tags=["Baking", "Slow living", "Baking"], excerpt="Short.")
    assert post.author == users["author"]
    assert post.slug == "bread-patience"
    assert post.html == "<p>Hello <em>world</em>.</p>\n"
    assert post.status == PostStatus.DRAFT and post.published_at is None
    assert post.comments_open is True
    assert sorted(post.tags.values_list("slug", flat=True)) == ["baking", "slow-living"]


def test_post_create_keeps_slugs_unique(users):
    first = post_create(actor=users["author"], title="Same title", body="")
    second = post_create(actor=users["author"], title="Same title", body="")
    third = post_create(actor=users["editor"], title="Same title", body="")
    assert [first.slug, second.slug, third.slug] == ["same-title", "same-title-2", "same-title-3"]


def test_post_create_reuses_existing_tags(users):
    post_create(actor=users["author"], title="One", body="", tags=["Baking"])
    post_create(actor=users["author"], title="Two", body="", tags=["baking"])
    assert Tag.objects.count() == 1


def test_contributor_may_create_a_draft(users):
    post = post_create(actor=users["contributor"], title="Mine", body="", comments_open=False)
    assert post.status == PostStatus.DRAFT and post.comments_open is False


def test_post_create_refuses_a_taken_slug(users):
    post_create(actor=users["author"], title="Taken", body="", slug="taken")
    before = snapshot()
    with refused(ErrorCode.DUPLICATE) as error:
        post_create(actor=users["author"], title="Other", body="", slug="taken")
    assert error.value.field == "slug"
    assert snapshot() == before


@pytest.mark.parametrize("slug", ["Not A Slug", "UPPER", "semi;colon", "x" * 201])
def test_post_create_refuses_a_malformed_slug(users, slug):
    with refused(ErrorCode.INVALID) as error:
        post_create(actor=users["author"], title="Title", body="", slug=slug)
    assert error.value.field == "slug"
    assert Post.objects.count() == 0


def test_post_create_refuses_a_blank_title(users):
    with pytest.raises(ValidationErrors) as error:
        post_create(actor=users["author"], title="   ", body="")
    assert [(e.code, e.field) for e in error.value.errors] == [(ErrorCode.REQUIRED, "title")]
    assert Post.objects.count() == 0


def test_post_create_reports_every_wrong_field_at_once(users):
    with pytest.raises(ValidationErrors) as error:
        post_create(actor=users["author"], title="t" * 301, body="b" * 1_000_001)
    assert [(e.code, e.field) for e in error.value.errors] == [
        (ErrorCode.INVALID, "title"), (ErrorCode.INVALID, "body")]
    assert Post.objects.count() == 0


def test_post_create_refuses_an_unusable_tag_and_writes_no_tag_or_post(users):
    with refused(ErrorCode.INVALID) as error:
        post_create(actor=users["author"], title="Tags", body="", tags=["Fine", "!!!"])
    assert error.value.field == "tags"
    assert Post.objects.count() == 0
    assert Tag.objects.count() == 0


def test_subscriber_may_not_create_posts(users):
    with refused(ErrorCode.FORBIDDEN):
        post_create(actor=users["subscriber"], title="No", body="")
    assert Post.objects.count() == 0


def test_anonymous_may_not_create_posts(db):
    with refused(ErrorCode.UNAUTHENTICATED):
        post_create(actor=None, title="No", body="")
    assert Post.objects.count() == 0


def test_post_update_changes_fields_rerenders_and_replaces_tags(users):
    post = draft_post(users["author"], tags=["Old"])
    updated = post_update(actor=users["author"], post=post, title="New title", body="**bold**",
                          slug="new-slug", excerpt="E", tags=["New", "Other"],
                          comments_open=False)
    updated.refresh_from_db()
    assert (updated.title, updated.slug, updated.excerpt) == ("New title", "new-slug", "E")
    assert updated.html == "<p><strong>bold</strong></p>\n"
    assert updated.comments_open is False
    assert sorted(updated.tags.values_list("name", flat=True)) == ["New", "Other"]


def test_post_update_leaves_out_fields_alone(users):
    post = draft_post(users["author"], tags=["Kept"])
    post_update(actor=users["author"], post=post, excerpt="Only this")
    post.refresh_from_db()
    assert post.title.startswith("Draft") and post.body == "Not yet."
    assert list(post.tags.values_list("name", flat=True)) == ["Kept"]


def test_post_update_keeps_its_own_slug(users):
    post = draft_post(users["author"])
    assert post_update(actor=users["author"], post=post, slug=post.slug).slug == post.slug


def test_post_update_refuses_another_posts_slug(users):
    taken = draft_post(users["author"])
    post = draft_post(users["author"])
    before = snapshot()
    with refused(ErrorCode.DUPLICATE):
        post_update(actor=users["author"], post=post, title="Changed", slug=taken.slug)
    assert snapshot() == before


def test_author_may_not_update_someone_elses_post(users):
    post = draft_post(users["other_author"])
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        post_update(actor=users["author"], post=post, title="Mine now")
    assert snapshot() == before


def test_editor_may_update_anyones_post(users):
    post = draft_post(users["author"])
    assert post_update(actor=users["editor"], post=post, title="Edited").title == "Edited"


def test_contributor_may_not_update_their_post_once_published(users):
    post = draft_post(users["contributor"])
    post_publish(actor=users["editor"], post=post)
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        post_update(actor=users["contributor"], post=post, title="Changed")
    assert snapshot() == before


def test_post_update_refuses_a_blank_title(users):
    post = draft_post(users["author"])
    before = snapshot()
    with pytest.raises(ValidationErrors):
        post_update(actor=users["author"], post=post, title="", tags=["New"])
    assert snapshot() == before


def test_post_publish_now(users):
    post = post_publish(actor=users["author"], post=draft_post(users["author"]))
    assert post.status == PostStatus.PUBLISHED and post.public_status == "PUBLISHED"
    assert post.published_at <= timezone.now()
    assert list(Post.objects.live()) == [post]


def test_post_publish_in_the_future_schedules(users):
    later = timezone.now() + timedelta(days=1)
    post = post_publish(actor=users["author"], post=draft_post(users["author"]), publish_at=later)
    assert post.public_status == "SCHEDULED" and post.published_at == later
    assert not Post.objects.live().exists()
    assert Post.objects.live(now=later + timedelta(seconds=1)).get() == post


def test_post_publish_refuses_a_naive_time(users):
    post = draft_post(users["author"])
    with refused(ErrorCode.INVALID) as error:
        post_publish(actor=users["author"], post=post, publish_at=datetime(2030, 1, 1))  # noqa: DTZ001
    assert error.value.field == "publishAt"
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_contributor_may_not_publish(users):
    post = draft_post(users["contributor"])
    with refused(ErrorCode.FORBIDDEN):
        post_publish(actor=users["contributor"], post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_author_may_not_publish_someone_elses_post(users):
    post = draft_post(users["other_author"])
    with refused(ErrorCode.FORBIDDEN):
        post_publish(actor=users["author"], post=post)
    assert Post.objects.get().status == PostStatus.DRAFT


def test_post_unpublish_returns_to_draft(users):
    post = published_post(users["author"])
    assert post_unpublish(actor=users["author"], post=post).status == PostStatus.DRAFT
    assert not Post.objects.live().exists()


def test_subscriber_may_not_unpublish(users):
    post = published_post(users["author"])
    with refused(ErrorCode.FORBIDDEN):
        post_unpublish(actor=users["subscriber"], post=post)
    assert Post.objects.live().get() == post


def test_post_archive_hides_the_post(users):
    post = published_post(users["author"])
    assert post_archive(actor=users["editor"], post=post).public_status == "ARCHIVED"
    assert not Post.objects.live().exists()


def test_post_delete_removes_post_thread_and_reactions(users):
    post = published_post(users["author"])
    parent = comment(post, user=users["subscriber"])
    reply = comment(post, user=users["editor"], parent=parent)
    comment(post, user=users["author"], parent=reply)
    reaction_add(subject=post, kind="like", user=users["subscriber"])
    reaction_add(subject=parent, kind="like", user=users["author"])
    other = published_post(users["author"])
    comment(other, user=users["subscriber"])
    assert post_delete(actor=users["author"], post=post) == post.pk
    assert list(Post.objects.all()) == [other]
    assert Comment.objects.filter(post=other).count() == Comment.objects.count() == 1
    assert Reaction.objects.count() == 0


def test_author_may_not_delete_someone_elses_post(users):
    post = published_post(users["other_author"])
    with refused(ErrorCode.FORBIDDEN):
        post_delete(actor=users["author"], post=post)
    assert Post.objects.count() == 1
