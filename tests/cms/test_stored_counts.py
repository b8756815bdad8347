"""Stored counts (comment_count, reply_count, descendant_count, reaction counts) stay equal to
fresh COUNT(*)s through every change of a nested thread."""

import pytest

from cms.models import Comment, CommentStatus
from cms.services.comments import comment_create, comment_delete, comment_moderate
from cms.services.posts import post_delete
from cms.services.reactions import reaction_add, reaction_remove
from tests.support.counts import assert_counts_exact
from tests.support.factories import published_post

APPROVED, PENDING, SPAM, TRASH = (CommentStatus.APPROVED, CommentStatus.PENDING,
                                  CommentStatus.SPAM, CommentStatus.TRASH)


@pytest.fixture
def thread(users):
    """root ─ a ─ a1 ─ a1x
              └ a2
       b (a held guest comment)"""
    post = published_post(users["author"])
    sub = users["contributor"]

    def say(body, parent=None, user=sub):
        return comment_create(actor=user, post=post, parent=parent, body=body)

    root = say("root")
    a = say("a", root, users["editor"])
    a1 = say("a1", a)
    a1x = say("a1x", a1, users["author"])
    a2 = say("a2", a, users["author"])
    b = comment_create(actor=None, post=post, parent=root, body="b", author_name="G",
                       author_email="g@example.org")
    return {"post": post, "root": root, "a": a, "a1": a1, "a1x": a1x, "a2": a2, "b": b}


def stored(thread, name):
    return Comment.objects.get(pk=thread[name].pk)


def moderate(users, thread, name, status):
    comment_moderate(actor=users["editor"], comment=thread[name], status=status)
    assert_counts_exact()


def test_counts_after_creating_a_nested_thread(thread):
    assert_counts_exact()
    thread["post"].refresh_from_db()
    assert thread["post"].comment_count == 5
    root = stored(thread, "root")
    assert (root.reply_count, root.descendant_count) == (1, 4)
    assert (stored(thread, "a").reply_count, stored(thread, "a").descendant_count) == (2, 3)


def test_counts_through_approve_spam_trash_and_reapprove(thread, users):
    moderate(users, thread, "b", APPROVED)
    assert stored(thread, "root").reply_count == 2
    moderate(users, thread, "a1", SPAM)
    assert stored(thread, "a").descendant_count == 2
    moderate(users, thread, "a1", TRASH)
    moderate(users, thread, "a", TRASH)
    root = stored(thread, "root")
    assert (root.reply_count, root.descendant_count) == (1, 3)
    moderate(users, thread, "a1", APPROVED)
    moderate(users, thread, "a", APPROVED)
    moderate(users, thread, "root", PENDING)
    moderate(users, thread, "a1x", SPAM)
    moderate(users, thread, "a1x", PENDING)
    moderate(users, thread, "a1x", APPROVED)
    moderate(users, thread, "root", APPROVED)
    thread["post"].refresh_from_db()
    assert thread["post"].comment_count == 6


def test_every_status_path_keeps_counts_exact(thread, users):
    statuses = [APPROVED, SPAM, APPROVED, TRASH, PENDING, TRASH, SPAM, PENDING, APPROVED]
    for name in ["a1", "a", "root", "a2"]:
        for status in statuses:
            moderate(users, thread, name, status)


def test_counts_after_authors_delete_their_comments(thread, users):
    comment_delete(actor=users["author"], comment=thread["a1x"])
    assert_counts_exact()
    comment_delete(actor=users["contributor"], comment=thread["a1"])
    assert_counts_exact()
    assert stored(thread, "a").descendant_count == 1


def test_reply_to_a_moved_back_comment_counts_after_reapproval(thread, users):
    moderate(users, thread, "a2", TRASH)
    moderate(users, thread, "a2", APPROVED)
    comment_create(actor=users["contributor"], post=thread["post"], parent=thread["a2"],
                   body="late reply")
    assert_counts_exact()
    assert stored(thread, "root").descendant_count == 5


def test_reaction_counts_follow_add_and_remove(thread, users):
    post, a = thread["post"], thread["a"]
    for user in users.values():
        reaction_add(subject=post, kind="like", user=user)
        reaction_add(subject=a, kind="celebrate", user=user)
    reaction_add(subject=a, kind="celebrate", visitor_key="f" * 32)
    assert_counts_exact()
    reaction_remove(subject=a, kind="celebrate", user=users["editor"])
    reaction_remove(subject=post, kind="like", user=users["editor"])
    reaction_remove(subject=post, kind="like", user=users["editor"])
    assert_counts_exact()
    post.refresh_from_db()
    assert post.reactions_like == len(users) - 1


def test_counts_of_other_posts_survive_a_post_delete(thread, users):
    other = published_post(users["author"])
    kept = comment_create(actor=users["contributor"], post=other, body="kept")
    comment_create(actor=users["editor"], post=other, parent=kept, body="kept reply")
    post_delete(actor=users["author"], post=thread["post"])
    assert_counts_exact()
    other.refresh_from_db()
    assert other.comment_count == 2


def test_deleting_a_user_takes_their_reactions_out_of_the_counts(thread, users):
    from cms.models import Reaction, User
    from cms.services.users import user_delete

    reader = users["contributor"]
    for subject in [thread["post"], thread["a"], thread["a1x"]]:
        reaction_add(subject=subject, kind="like", user=reader)
        reaction_add(subject=subject, kind="like", user=users["editor"])
    user_delete(user=reader)
    assert not User.objects.filter(pk=reader.pk).exists()
    assert Reaction.objects.count() == 3
    assert_counts_exact()
    assert Comment.objects.get(pk=thread["root"].pk).user is None


def test_a_user_with_posts_cannot_be_deleted(users):
    from cms.errors import ErrorCode
    from cms.services.users import user_delete
    from tests.support.counts import refused

    published_post(users["author"])
    with refused(ErrorCode.CONFLICT):
        user_delete(user=users["author"])
    assert users["author"].__class__.objects.filter(pk=users["author"].pk).exists()


def test_thread_count_backfill_counts_existing_threads(thread, users):
    import importlib

    from django.apps import apps

    from cms.models import Post

    moderate(users, thread, "a", TRASH)
    Post.objects.update(thread_count=0)
    migration = importlib.import_module("cms.migrations.0005_backfill_thread_count")
    migration.backfill(apps, None)
    assert_counts_exact()
    assert Post.objects.get(pk=thread["post"].pk).thread_count == 5
