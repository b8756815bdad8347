"""The database itself refuses rows that break the content model's invariants."""

import pytest
from django.db import IntegrityError, transaction

from cms.models import ApiToken, Comment, Post, PostStatus, Reaction, Tag
from tests.support.factories import comment, published_post


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


@pytest.fixture
def post(users):
    return published_post(users["author"])


def test_duplicate_user_reaction_on_post_is_refused(post, users):
    Reaction.objects.create(post=post, user=users["subscriber"], kind="like")
    with refused(), transaction.atomic():
        Reaction.objects.create(post=post, user=users["subscriber"], kind="like")
    assert Reaction.objects.count() == 1


def test_duplicate_visitor_reaction_on_comment_is_refused(post, users):
    reply = comment(post, moderator=users["editor"])
    Reaction.objects.create(comment=reply, visitor_key="a" * 32, kind="love")
    with refused(), transaction.atomic():
        Reaction.objects.create(comment=reply, visitor_key="a" * 32, kind="love")
    assert Reaction.objects.count() == 1


def test_same_reactor_may_react_with_other_kinds_and_on_other_subjects(post, users):
    reply = comment(post, moderator=users["editor"])
    user = users["subscriber"]
    Reaction.objects.create(post=post, user=user, kind="like")
    Reaction.objects.create(post=post, user=user, kind="love")
    Reaction.objects.create(comment=reply, user=user, kind="like")
    Reaction.objects.create(post=post, visitor_key="b" * 32, kind="like")
    assert Reaction.objects.count() == 4


def test_reaction_with_two_subjects_is_refused(post, users):
    reply = comment(post, moderator=users["editor"])
    with refused(), transaction.atomic():
        Reaction.objects.create(post=post, comment=reply, user=users["subscriber"])


def test_reaction_without_subject_is_refused(users):
    with refused(), transaction.atomic():
        Reaction.objects.create(user=users["subscriber"])


def test_reaction_without_reactor_is_refused(post):
    with refused(), transaction.atomic():
        Reaction.objects.create(post=post, kind="like")


def test_reaction_with_two_reactors_is_refused(post, users):
    with refused(), transaction.atomic():
        Reaction.objects.create(post=post, user=users["subscriber"], visitor_key="c" * 32)


def test_reaction_of_unknown_kind_is_refused(post, users):
    with refused(), transaction.atomic():
        Reaction.objects.create(post=post, user=users["subscriber"], kind="angry")


def test_duplicate_post_slug_is_refused(post, users):
    with refused(), transaction.atomic():
        Post.objects.create(title="Other", slug=post.slug, author=users["author"])
    assert Post.objects.count() == 1


def test_published_post_without_time_is_refused(users):
    with refused(), transaction.atomic():
        Post.objects.create(title="Now", slug="now", author=users["author"],
                            status=PostStatus.PUBLISHED, published_at=None)


def test_duplicate_tag_slug_is_refused(db):
    Tag.objects.create(name="Baking", slug="baking")
    with refused(), transaction.atomic():
        Tag.objects.create(name="Baking!", slug="baking")
    assert Tag.objects.count() == 1


def test_duplicate_tag_name_is_refused(db):
    Tag.objects.create(name="Baking", slug="baking")
    with refused(), transaction.atomic():
        Tag.objects.create(name="Baking", slug="baking-2")


def test_duplicate_user_slug_is_refused(users):
    from tests.conftest import make_user

    with refused(), transaction.atomic():
        make_user("someone-else", slug=users["author"].slug)


def test_comment_of_unknown_status_is_refused(post):
    with refused(), transaction.atomic():
        Comment.objects.create(post=post, body="hi", author_name="x", status="hidden")


def test_comment_that_is_its_own_parent_is_refused(post, users):
    own = comment(post, moderator=users["editor"])
    with refused(), transaction.atomic():
        Comment.objects.filter(pk=own.pk).update(parent_id=own.pk)


def test_duplicate_token_hash_is_refused(users):
    user = users["subscriber"]
    ApiToken.objects.create(user=user, token_hash="f" * 64, hint="hearth_ffff")
    with refused(), transaction.atomic():
        ApiToken.objects.create(user=user, token_hash="f" * 64, hint="hearth_ffff")


def test_deleting_a_commented_parent_is_refused_by_protect(post, users):
    from django.db.models import ProtectedError

    parent = comment(post, moderator=users["editor"])
    comment(post, parent=parent, moderator=users["editor"])
    with pytest.raises(ProtectedError), transaction.atomic():
        Comment.objects.filter(pk=parent.pk).delete()
    assert Comment.objects.count() == 2
