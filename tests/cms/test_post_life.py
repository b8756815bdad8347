"""Revisions, the trash and author reassignment, through the services (every door uses them)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.errors import DomainError, ErrorCode
from cms.models import Comment, Post, PostRevision, Role
from cms.policies import ANONYMOUS, Reader, visible_posts
from cms.selectors.comments import moderation_queue
from cms.selectors.pagination import PageArgs
from cms.services import revisions
from cms.services.images import image_delete, image_upload
from cms.services.posts import (
    post_create,
    post_restore,
    post_trash,
    post_update,
    posts_purge_trash,
)
from tests.conftest import make_user
from tests.support import images
from tests.support.factories import comment, published_post


@pytest.fixture
def writers(db):
    return {"editor": make_user("eddie", Role.EDITOR), "author": make_user("ann", Role.AUTHOR),
            "other": make_user("otto", Role.AUTHOR),
            "subscriber": make_user("sub", Role.SUBSCRIBER)}


def numbers(post) -> list[tuple[int, str]]:
    return list(PostRevision.objects.filter(post=post).order_by("number")
                .values_list("number", "title"))


def test_every_content_change_keeps_a_revision_with_who_and_when(writers):
    author, editor = writers["author"], writers["editor"]
    post = post_create(actor=author, title="First", body="One.", tags=["b", "a"])
    post_update(actor=editor, post=post, body="Two.")
    post_update(actor=author, post=post, excerpt="Short.", tags=["c"])
    post_update(actor=author, post=post, comments_open=False)  # not content: no revision
    post_update(actor=author, post=post, title="First")  # nothing changed: no revision
    revs = list(PostRevision.objects.filter(post=post).order_by("number"))
    assert [(r.number, r.body, r.excerpt, r.tags) for r in revs] == [
        (1, "One.", "", ["a", "b"]), (2, "Two.", "", ["a", "b"]), (3, "Two.", "Short.", ["c"])]
    assert [r.created_by for r in revs] == [author, editor, author]
    assert all(r.created_at <= timezone.now() for r in revs)


def test_restoring_a_revision_goes_through_the_service_and_records_a_new_one(writers):
    author = writers["author"]
    post = post_create(actor=author, title="Old title", body="Old *body*.", tags=["x"])
    post_update(actor=author, post=post, title="New title", body="New.", tags=["y"])
    first = PostRevision.objects.get(post=post, number=1)
    restored = revisions.revision_restore(actor=writers["editor"], revision=first)
    assert (restored.title, restored.body, restored.html) == (
        "Old title", "Old *body*.", "<p>Old <em>body</em>.</p>\n")
    assert [t.name for t in restored.tags.all()] == ["x"]
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    assert (latest.number, latest.created_by, latest.note) == (
        3, writers["editor"], "Restored revision 1.")


def upload(actor, alt: str):
    return image_upload(actor=actor, file=io.BytesIO(images.png(40, 30)), alt=alt)


def test_a_featured_image_change_keeps_a_revision_and_restoring_brings_it_back(writers):
    author = writers["author"]
    loaf, jar = upload(author, "A loaf"), upload(author, "A jar")
    post = post_create(actor=author, title="Bread", body="Crust.", featured_image=loaf)
    post_update(actor=author, post=post, featured_image=jar)
    post_update(actor=author, post=post, featured_image=jar)  # the same: no revision
    post_update(actor=author, post=post, featured_image=None)
    assert list(PostRevision.objects.filter(post=post).order_by("number")
                .values_list("number", "featured_image")) == [(1, loaf.pk), (2, jar.pk), (3, None)]

    restored = revisions.revision_restore(actor=writers["editor"],
                                          revision=PostRevision.objects.get(post=post, number=2))
    assert restored.featured_image == jar
    assert Post.objects.get(pk=post.pk).featured_image == jar
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    assert (latest.number, latest.featured_image, latest.note) == (
        4, jar, "Restored revision 2.")


def test_a_deleted_image_leaves_its_revisions_without_one(writers):
    author = writers["author"]
    loaf = upload(author, "A loaf")
    post = post_create(actor=author, title="Bread", body="Crust.", featured_image=loaf)
    image_delete(actor=writers["editor"], image=loaf)
    assert PostRevision.objects.get(post=post, number=1).featured_image is None
    post_update(actor=author, post=post, body="Crust.")  # nothing changed: no revision
    assert numbers(post) == [(1, "Bread")]


def test_restoring_follows_the_post_rules(writers):
    post = post_create(actor=writers["author"], title="Mine", body="A.")
    post_update(actor=writers["author"], post=post, body="B.")
    with pytest.raises(DomainError) as refused:
        revisions.revision_restore(actor=writers["other"],
                                   revision=PostRevision.objects.get(post=post, number=1))
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert numbers(post) == [(1, "Mine"), (2, "Mine")]
    assert Post.objects.get(pk=post.pk).body == "B."


def test_a_trashed_post_is_invisible_to_every_reader_and_comes_back_restored(writers):
    author = writers["author"]
    post = published_post(author)
    held = comment(post, status="pending", moderator=writers["editor"])
    post_trash(actor=author, post=post)
    for reader in [ANONYMOUS, Reader.of(author), Reader.of(writers["editor"])]:
        assert not visible_posts(reader).filter(pk=post.pk).exists()
    assert not Post.objects.live().filter(pk=post.pk).exists()
    queue = moderation_queue(reader=Reader.of(writers["editor"]),
                             args=PageArgs(first=10, after=None, last=None, before=None))
    assert held.pk not in [c.pk for c in queue.rows]
    assert visible_posts(Reader.of(author), with_trashed=True).filter(pk=post.pk).exists()
    post_restore(actor=author, post=post)
    assert visible_posts(ANONYMOUS).filter(pk=post.pk).exists()
    assert Post.objects.get(pk=post.pk).public_status == "PUBLISHED"


def test_only_those_who_may_edit_a_post_trash_it(writers):
    post = published_post(writers["author"])
    with pytest.raises(DomainError) as refused:
        post_trash(actor=writers["other"], post=post)
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Post.objects.get(pk=post.pk).trashed_at is None


def test_the_trash_is_purged_after_the_configured_days(writers, settings):
    settings.HEARTH_TRASH_DAYS = 30
    author = writers["author"]
    old, recent, kept = (published_post(author) for _ in range(3))
    comment(old, user=writers["subscriber"])
    post_trash(actor=author, post=old)
    post_trash(actor=author, post=recent)
    Post.objects.filter(pk=old.pk).update(trashed_at=timezone.now() - timedelta(days=31))
    Post.objects.filter(pk=recent.pk).update(trashed_at=timezone.now() - timedelta(days=29))
    assert posts_purge_trash() == 1
    assert set(Post.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    assert not Comment.objects.filter(post=old.pk).exists()
    assert not PostRevision.objects.filter(post=old.pk).exists()
    Post.objects.filter(pk=recent.pk).update(trashed_at=timezone.now() - timedelta(days=40))
    call_command("purge_trash", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Post.objects.values_list("pk", flat=True)) == [kept.pk]


def test_editors_reassign_a_post_to_another_writer(writers):
    post = post_create(actor=writers["author"], title="Handed over", body="x")
    post_update(actor=writers["editor"], post=post, author=writers["other"])
    assert Post.objects.get(pk=post.pk).author == writers["other"]


@pytest.mark.parametrize("who", ["author", "other"])
def test_authors_may_not_reassign_posts(writers, who):
    post = post_create(actor=writers["author"], title="Mine", body="x")
    with pytest.raises(DomainError) as refused:
        post_update(actor=writers[who], post=post, author=writers["editor"], title="Changed")
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Post.objects.get(pk=post.pk).author == writers["author"]


def test_a_post_goes_only_to_an_active_writer(writers):
    post = post_create(actor=writers["author"], title="Mine", body="x")
    inactive = make_user("gone", Role.AUTHOR, is_active=False)
    for person in [writers["subscriber"], inactive]:
        with pytest.raises(DomainError) as refused:
            post_update(actor=writers["editor"], post=post, author=person)
        assert refused.value.code == ErrorCode.INVALID
    assert Post.objects.get(pk=post.pk).author == writers["author"]
