"""cms.services.comments: happy paths, and each refusal's code with nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.errors import ErrorCode
from cms.models import Comment, CommentStatus, Post
from cms.services.comments import comment_create, comment_delete, comment_edit, comment_moderate
from cms.services.posts import post_update
from tests.support.counts import assert_counts_exact, refused
from tests.support.factories import comment, draft_post, published_post


@pytest.fixture
def post(users):
    return published_post(users["author"])


def guest(post, n: int = 1, **fields) -> Comment:
    values = {"body": f"A guest's thought number {n}.", "author_name": f"Guest {n}",
              "author_email": f"guest{n}@example.org", **fields}
    return comment_create(actor=None, post=post, **values)


def snapshot() -> list:
    return list(Comment.objects.order_by("pk").values()) + list(Post.objects.values())


def test_guest_first_comment_is_held_for_moderation(post):
    held = guest(post, author_url="https://guest.example.org", ip_address="203.0.113.5",
                 user_agent="Firefox")
    assert held.status == CommentStatus.PENDING
    assert (held.author_name, held.author_email, held.author_url) == (
        "Guest 1", "guest1@example.org", "https://guest.example.org")
    assert (held.ip_address, held.user_agent, held.user) == ("203.0.113.5", "Firefox", None)
    assert held.depth == 0 and held.path == f"{held.pk:012d}"
    assert held.html == "<p>A guest's thought number 1.</p>\n"
    post.refresh_from_db()
    assert post.comment_count == 0


def test_guest_with_an_approved_comment_is_approved_at_once(post, users):
    comment_moderate(actor=users["editor"], comment=guest(post), status=CommentStatus.APPROVED)
    again = guest(post, body="Back again.", author_email="GUEST1@example.org")
    assert again.status == CommentStatus.APPROVED
    assert again.author_email == "guest1@example.org"


def test_an_authors_comment_is_approved_and_named_after_them(post, users):
    mine = comment_create(actor=users["contributor"], post=post, body="Nice.")
    assert mine.status == CommentStatus.APPROVED
    assert mine.user == users["contributor"]
    assert mine.author_name == str(users["contributor"])
    assert mine.author_email == users["contributor"].email
    post.refresh_from_db()
    assert post.comment_count == 1


def test_a_readers_first_comment_is_held_and_once_one_is_approved_the_next_are(post, users):
    reader = users["subscriber"]
    first = comment_create(actor=reader, post=post, body="First words.")
    assert (first.status, first.user, first.author_name) == (
        CommentStatus.PENDING, reader, str(reader))
    assert comment_create(actor=reader, post=post, body="Again.").status == CommentStatus.PENDING
    comment_moderate(actor=users["editor"], comment=first, status=CommentStatus.APPROVED)
    assert comment_create(actor=reader, post=post, body="Later.").status == (
        CommentStatus.APPROVED)
    post.refresh_from_db()
    assert post.comment_count == 2


def test_comment_with_too_many_links_is_held_even_from_a_user(post, users, settings):
    settings.HEARTH_COMMENT_MAX_LINKS = 2
    body = "See https://a.example and https://b.example and www.c.example"
    assert comment_create(actor=users["subscriber"], post=post,
                          body=body).status == CommentStatus.PENDING


def test_moderator_comment_with_many_links_is_approved(post, users):
    body = " ".join(f"https://{n}.example" for n in range(5))
    assert comment_create(actor=users["editor"], post=post, body=body).status == "approved"


def test_reply_sits_under_its_parent(post, users):
    parent = comment(post, user=users["subscriber"])
    reply = comment_create(actor=users["author"], post=post, parent=parent, body="Thanks!")
    assert reply.depth == 1 and reply.parent == parent
    assert reply.path == parent.path + f"{reply.pk:012d}"
    assert reply.ancestor_ids() == [parent.pk]
    parent.refresh_from_db()
    assert (parent.reply_count, parent.descendant_count) == (1, 1)


def test_comment_on_closed_post_is_refused(post, users):
    post_update(actor=users["author"], post=post, comments_open=False)
    before = snapshot()
    with refused(ErrorCode.COMMENTS_CLOSED):
        comment_create(actor=users["subscriber"], post=post, body="Hello")
    with refused(ErrorCode.COMMENTS_CLOSED):
        comment_create(actor=users["editor"], post=post, body="Hello")
    assert snapshot() == before


def test_comment_on_a_draft_is_not_found_for_others(users):
    draft = draft_post(users["author"])
    with refused(ErrorCode.NOT_FOUND):
        comment_create(actor=users["subscriber"], post=draft, body="Hello")
    with refused(ErrorCode.NOT_FOUND):
        guest(draft)
    assert Comment.objects.count() == 0


def test_comment_on_own_draft_is_closed(users):
    draft = draft_post(users["author"])
    with refused(ErrorCode.COMMENTS_CLOSED):
        comment_create(actor=users["author"], post=draft, body="Note to self")
    assert Comment.objects.count() == 0


def test_comment_on_a_scheduled_post_is_refused(users):
    from cms.services.posts import post_publish

    later = post_publish(actor=users["author"], post=draft_post(users["author"]),
                         publish_at=timezone.now() + timedelta(hours=1))
    with refused(ErrorCode.NOT_FOUND):
        guest(later)
    with refused(ErrorCode.COMMENTS_CLOSED):
        comment_create(actor=users["editor"], post=later, body="Early")
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"author_name": ""}, ErrorCode.REQUIRED, "authorName"),
    ({"author_email": None}, ErrorCode.REQUIRED, "authorEmail"),
    ({"author_email": "not-an-address"}, ErrorCode.INVALID, "authorEmail"),
    ({"author_url": "javascript:alert(1)"}, ErrorCode.INVALID, "authorUrl"),
    ({"body": "   "}, ErrorCode.REQUIRED, "body"),
    ({"body": "nul \x00 byte"}, ErrorCode.INVALID, "body"),
    ({"body": "lone \ud800 surrogate"}, ErrorCode.INVALID, "body"),
    ({"author_name": "n" * 246}, ErrorCode.INVALID, "authorName"),
])
def test_guest_comment_with_bad_fields_is_refused(post, fields, code, field):
    with refused(code) as error:
        guest(post, **fields)
    assert error.value.field == field
    assert Comment.objects.count() == 0


def test_comment_longer_than_the_limit_is_refused(post, users, settings):
    settings.HEARTH_MAX_COMMENT_LENGTH = 10
    with refused(ErrorCode.INVALID):
        comment_create(actor=users["subscriber"], post=post, body="x" * 11)
    assert Comment.objects.count() == 0


def test_reply_to_a_pending_comment_is_refused(post, users):
    held = guest(post)
    before = snapshot()
    with refused(ErrorCode.INVALID) as error:
        comment_create(actor=users["subscriber"], post=post, parent=held, body="Hm")
    assert error.value.field == "parentId"
    assert snapshot() == before


def test_reply_to_a_comment_of_another_post_is_refused(post, users):
    elsewhere = comment(published_post(users["author"]), user=users["subscriber"])
    before = snapshot()
    with refused(ErrorCode.INVALID):
        comment_create(actor=users["subscriber"], post=post, parent=elsewhere, body="Hm")
    assert snapshot() == before


def test_the_same_comment_twice_is_a_duplicate(post, users):
    comment_create(actor=users["subscriber"], post=post, body="Same words")
    before = snapshot()
    with refused(ErrorCode.DUPLICATE):
        comment_create(actor=users["subscriber"], post=post, body="Same words")
    assert snapshot() == before


def test_commenting_twice_within_the_interval_is_rate_limited(post, users, settings):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    comment_create(actor=users["subscriber"], post=post, body="First")
    before = snapshot()
    with refused(ErrorCode.RATE_LIMITED) as error:
        comment_create(actor=users["subscriber"], post=post, body="Second")
    assert 1 <= error.value.retry_after <= 16
    assert snapshot() == before


def test_guests_from_the_same_ip_are_rate_limited(post, settings):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    guest(post, 1, ip_address="198.51.100.7")
    with refused(ErrorCode.RATE_LIMITED):
        guest(post, 2, ip_address="198.51.100.7")
    assert Comment.objects.count() == 1


def test_moderators_are_exempt_from_flood_control(post, users, settings):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    comment_create(actor=users["editor"], post=post, body="One")
    comment_create(actor=users["editor"], post=post, body="Two")
    assert Comment.objects.count() == 2


def test_author_edits_own_comment_within_the_window(post, users):
    mine = comment(post, user=users["subscriber"])
    edited = comment_edit(actor=users["subscriber"], comment=mine, body="Better *words*")
    assert edited.body == "Better *words*"
    assert edited.html == "<p>Better <em>words</em></p>\n"
    assert edited.edited_at is not None


def test_moderator_edits_anyones_comment_at_any_time(post, users):
    old = comment(post, user=users["subscriber"])
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert comment_edit(actor=users["editor"], comment=old, body="Tidied").body == "Tidied"


def test_editing_after_the_window_is_forbidden(post, users):
    mine = comment(post, user=users["subscriber"])
    Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(hours=1))
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        comment_edit(actor=users["subscriber"], comment=mine, body="Too late")
    assert snapshot() == before


def test_editing_someone_elses_comment_is_forbidden(post, users):
    theirs = comment(post, user=users["author"])
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        comment_edit(actor=users["subscriber"], comment=theirs, body="Mine now")
    assert snapshot() == before


def test_guests_cannot_edit(post, users):
    theirs = comment(post, user=users["author"])
    with refused(ErrorCode.UNAUTHENTICATED):
        comment_edit(actor=None, comment=theirs, body="Anon")


def test_editing_to_an_empty_body_is_refused(post, users):
    mine = comment(post, user=users["subscriber"])
    before = snapshot()
    with refused(ErrorCode.REQUIRED):
        comment_edit(actor=users["subscriber"], comment=mine, body=" ")
    assert snapshot() == before


def test_author_deletes_own_comment_into_the_trash(post, users):
    mine = comment(post, user=users["subscriber"])
    assert comment_delete(actor=users["subscriber"], comment=mine) == mine.pk
    mine.refresh_from_db()
    post.refresh_from_db()
    assert mine.status == CommentStatus.TRASH and post.comment_count == 0


def test_deleting_someone_elses_comment_is_forbidden(post, users):
    theirs = comment(post, user=users["author"])
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        comment_delete(actor=users["subscriber"], comment=theirs)
    with refused(ErrorCode.UNAUTHENTICATED):
        comment_delete(actor=None, comment=theirs)
    assert snapshot() == before


def test_moderator_approves_a_held_comment(post, users):
    held = guest(post)
    approved = comment_moderate(actor=users["editor"], comment=held, status="approved")
    post.refresh_from_db()
    assert approved.status == CommentStatus.APPROVED and post.comment_count == 1
    assert_counts_exact()


def test_moderating_to_the_same_status_changes_nothing(post, users):
    kept = comment(post, user=users["subscriber"])
    comment_moderate(actor=users["editor"], comment=kept, status=CommentStatus.APPROVED)
    post.refresh_from_db()
    assert post.comment_count == 1


@pytest.mark.parametrize("role", ["author", "contributor", "subscriber"])
def test_only_moderators_moderate(post, users, role):
    held = guest(post)
    before = snapshot()
    with refused(ErrorCode.FORBIDDEN):
        comment_moderate(actor=users[role], comment=held, status=CommentStatus.APPROVED)
    with refused(ErrorCode.UNAUTHENTICATED):
        comment_moderate(actor=None, comment=held, status=CommentStatus.APPROVED)
    assert snapshot() == before


def test_moderating_to_an_unknown_status_is_refused(post, users):
    held = guest(post)
    before = snapshot()
    with refused(ErrorCode.INVALID):
        comment_moderate(actor=users["editor"], comment=held, status="hidden")
    assert snapshot() == before
