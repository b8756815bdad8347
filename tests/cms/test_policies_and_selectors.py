"""The domain's read side: the live rule written once (SQL and Python agree), the policies'
decisions, selectors usable without GraphQL, reactions refused by the service, and the comment
moderator chosen by HEARTH_COMMENT_MODERATOR."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.errors import DomainError, ErrorCode
from cms.models import Comment, CommentStatus, Post, PostStatus, Reaction
from cms.models.posts import is_live, is_scheduled
from cms.moderation import CommentModerator, Decision, DefaultCommentModerator
from cms.policies import ANONYMOUS, Reader, shows_content, visible_comments, visible_posts
from cms.selectors.comments import moderation_queue, top_level_page
from cms.selectors.pagination import PageArgs
from cms.selectors.posts import post_get, post_list
from cms.services.comments import comment_create, comment_edit
from cms.services.reactions import reaction_add, reaction_remove
from tests.support import factories

FIRST_10 = PageArgs(first=10, after=None, last=None, before=None)


def test_the_live_rule_agrees_in_sql_and_in_python(users):
    now = timezone.now()
    times = [None, now - timedelta(days=1), now, now + timedelta(days=1)]
    for status in PostStatus.values:
        for published_at in times:
            if status == PostStatus.PUBLISHED and published_at is None:
                continue  # the database refuses it
            post = factories.draft_post(users["author"])
            Post.objects.filter(pk=post.pk).update(status=status, published_at=published_at)
            post.refresh_from_db()
            live = Post.objects.filter(is_live(now), pk=post.pk).exists()
            scheduled = Post.objects.filter(is_scheduled(now), pk=post.pk).exists()
            assert post.is_live(now) == live
            assert scheduled == (status == PostStatus.PUBLISHED and not live)
            assert (post.public_status == "SCHEDULED") == (
                status == PostStatus.PUBLISHED and post.published_at > timezone.now())


def test_readers_see_posts_by_the_policy(users):
    live = factories.published_post(users["author"])
    draft = factories.draft_post(users["author"])
    other_draft = factories.draft_post(users["other_author"])
    for reader, expected in [
        (ANONYMOUS, {live}),
        (Reader.of(users["author"]), {live, draft}),
        (Reader.of(users["editor"]), {live, draft, other_draft}),
        (Reader.of(None), {live}),
    ]:
        assert set(visible_posts(reader)) == expected
        page = post_list(reader=reader, args=FIRST_10)
        assert set(page.rows) == expected and page.total == len(expected)


def test_an_inactive_account_reads_as_anonymous(users):
    author = users["author"]
    author.is_active = False
    assert Reader.of(author) == ANONYMOUS


def test_post_get_takes_plain_arguments(users):
    draft = factories.draft_post(users["author"])
    assert post_get(reader=ANONYMOUS, slug=draft.slug) is None
    assert post_get(reader=Reader.of(users["author"]), slug=draft.slug) == draft
    assert post_get(reader=Reader.of(users["other_author"]), pk=draft.pk) is None
    assert post_get(reader=ANONYMOUS, pk=draft.pk, preview_token="forged") is None


def test_placeholders_and_pending_comments_by_the_policy(users):
    post = factories.published_post(users["author"])
    mine = factories.comment(post, user=users["subscriber"], status=CommentStatus.PENDING,
                             moderator=users["editor"])
    spam = factories.comment(post, status=CommentStatus.SPAM, moderator=users["editor"])
    member = Reader.of(users["subscriber"])
    assert shows_content(mine, reader=member)
    assert not shows_content(mine, reader=ANONYMOUS)
    assert shows_content(mine, reader=ANONYMOUS, own_comment_ids={mine.pk})
    assert not shows_content(spam, reader=member)
    assert shows_content(spam, reader=Reader.of(users["editor"]))
    assert set(visible_comments(member)) == {mine}
    assert set(visible_comments(ANONYMOUS)) == set()


def test_private_columns_stay_in_the_database_for_non_moderators(users):
    post = factories.published_post(users["author"])
    factories.comment(post, moderator=users["editor"])
    (row,) = top_level_page(post_id=post.pk, reader=ANONYMOUS, args=FIRST_10).rows
    assert {"author_email", "ip_address", "user_agent"} <= row.get_deferred_fields()
    (row,) = top_level_page(post_id=post.pk, reader=Reader.of(users["editor"]),
                            args=FIRST_10).rows
    assert not {"author_email", "ip_address", "user_agent"} & row.get_deferred_fields()


@pytest.mark.parametrize(("who", "code"), [(None, ErrorCode.UNAUTHENTICATED),
                                          ("author", ErrorCode.FORBIDDEN)])
def test_the_moderation_queue_is_for_moderators(users, who, code):
    reader = Reader.of(users[who]) if who else ANONYMOUS
    with pytest.raises(DomainError) as refused:
        moderation_queue(reader=reader, args=FIRST_10)
    assert refused.value.code == code
    post = factories.published_post(users["author"])
    held = factories.comment(post, status=CommentStatus.PENDING, moderator=users["editor"])
    assert moderation_queue(reader=Reader.of(users["editor"]), args=FIRST_10).rows == [held]


@pytest.mark.parametrize("service", [reaction_add, reaction_remove])
@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM,
                                    CommentStatus.TRASH])
def test_only_approved_comments_take_reactions_in_the_service(users, service, status):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, status=status, moderator=users["editor"])
    with pytest.raises(DomainError) as refused:
        service(subject=comment, kind="like", user=users["subscriber"])
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, "subjectId")
    assert not Reaction.objects.exists()
    comment.refresh_from_db()
    assert comment.reactions_like == 0


class HoldsEverything(DefaultCommentModerator):
    """A spam checker's shape: Hearth's refusals, then its own verdict."""

    def decide(self, draft):
        return Decision(CommentStatus.SPAM, "checker")


class RefusesWords(CommentModerator):
    def allow(self, draft):
        if "casino" in draft.body:
            raise DomainError(ErrorCode.INVALID, "No.", field="body")

    def decide_edit(self, comment, *, actor):
        return Decision(CommentStatus.PENDING)


def test_the_moderator_named_by_the_setting_decides(users, settings):
    post = factories.published_post(users["author"])
    settings.HEARTH_COMMENT_MODERATOR = "tests.cms.test_policies_and_selectors.HoldsEverything"
    comment = comment_create(actor=users["editor"], post=post, body="Hello")
    assert comment.status == CommentStatus.SPAM  # even a moderator's, by this checker
    with pytest.raises(DomainError) as refused:  # the default rules still apply
        comment_create(actor=users["editor"], post=post, body="Hello")
    assert refused.value.code == ErrorCode.DUPLICATE

    settings.HEARTH_COMMENT_MODERATOR = "tests.cms.test_policies_and_selectors.RefusesWords"
    with pytest.raises(DomainError):
        comment_create(actor=users["subscriber"], post=post, body="Visit the casino")
    assert not Comment.objects.filter(body__contains="casino").exists()
    approved = comment_create(actor=users["subscriber"], post=post, body="A fine post.")
    assert approved.status == CommentStatus.APPROVED  # the base class approves
    edited = comment_edit(actor=users["subscriber"], comment=approved, body="Still fine.")
    assert edited.status == CommentStatus.PENDING

    settings.HEARTH_COMMENT_MODERATOR = "cms.moderation.DefaultCommentModerator"
    guest = comment_create(actor=None, post=post, body="Hi", author_name="G",
                           author_email="g@example.org")
    assert guest.status == CommentStatus.PENDING
