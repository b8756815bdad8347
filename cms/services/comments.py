"""Writes to comments: add, edit, delete, moderate. Counts change in the same transaction.

Every service locks the post row first, so writers to one thread queue in one order (no deadlock
between a reply and the moderation of its parent) and the duplicate check sees every comment
committed before it. The flood check looks across posts, so it also serialises on its author.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cms import content_versions, live, mail, webhooks
from cms.errors import DomainError, ErrorCode
from cms.models import Comment, CommentStatus, Post
from cms.models.comments import PATH_SEGMENT
from cms.moderation import CommentDraft, comment_moderator
from cms.policies import (
    Reader,
    is_signed_in,
    require_can_delete_comment,
    require_can_edit_comment,
    require_moderator,
    require_signed_in,
    visible_posts,
)
from cms.rendering import render_markdown
from cms.services import mail_quota
from cms.services.validation import clean_email, clean_text, clean_url


def _lock_post(post_id: int) -> Post:
    """The post row, locked; NOT_FOUND if it was deleted since the caller read it."""
    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None:
        raise DomainError(ErrorCode.NOT_FOUND, "There is no such post.", field="postId")
    return post


def _lock_comment(comment: Comment) -> Comment:
    _lock_post(comment.post_id)
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None:
        raise DomainError(ErrorCode.NOT_FOUND, "There is no such comment.", field="id")
    return locked


def _thread_change(comment: Comment, delta: int) -> int:
    """How many comments enter (+) or leave (-) the thread when `comment` is counted in or out:
    itself unless replies keep it as a placeholder, and removed ancestors that become or stop
    being placeholders."""
    change = delta if comment.descendant_count == 0 else 0
    flipping = 0 if delta > 0 else 1
    placeholders = (Comment.objects.filter(pk__in=comment.ancestor_ids(), descendant_count=flipping)
                    .exclude(status=CommentStatus.APPROVED).count())
    return change + delta * placeholders


def _change_counts(comment: Comment, delta: int) -> None:
    """Count `comment` in (+1) or out of (-1) the approved comments above it."""
    Post.objects.filter(pk=comment.post_id).update(
        comment_count=F("comment_count") + delta,
        thread_count=F("thread_count") + _thread_change(comment, delta),
    )
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + delta)
        Comment.objects.filter(pk__in=comment.ancestor_ids()).update(
            descendant_count=F("descendant_count") + delta
        )


REMOVED_STATUSES = (CommentStatus.SPAM, CommentStatus.TRASH)


def _set_status(comment: Comment, status: str) -> None:
    was = comment.status
    was_approved = was == CommentStatus.APPROVED
    comment.status = status
    comment.save(update_fields=["status"])
    is_approved = status == CommentStatus.APPROVED
    if is_approved != was_approved:
        _change_counts(comment, +1 if is_approved else -1)
        webhooks.enqueue_comment_event(
            comment, "comment.approved" if is_approved else "comment.removed")
        if is_approved:
            mail.queue_comment_approved(comment)
    content_versions.post_written(comment.post_id)
    removed = status in REMOVED_STATUSES
    live.comment_changed(comment, live.ActivityKind.COMMENT_REMOVED if removed
                         else live.ActivityKind.COMMENT_UPDATED, was=was)


def _clean_body(body: str | None) -> str:
    return clean_text(body, field="body", max_length=settings.HEARTH_MAX_COMMENT_LENGTH,
                      required=True, label="comment")


@transaction.atomic
def comment_create(*, actor, post: Post, body: str, parent: Comment | None = None,
                   author_name: str | None = None, author_email: str | None = None,
                   author_url: str | None = None, ip_address: str | None = None,
                   user_agent: str = "", notify_replies: bool = False,
                   visitor_key: str | None = None) -> Comment:
    """Add a comment or a reply. Guests give a name and an e-mail; signed-in users are
    themselves. `notify_replies`: e-mail the author when an approved reply comes (limited per
    caller, as every request that makes Hearth send mail). `visitor_key`: the anonymous
    visitor writing it, whose live subscriptions show it while it is pending."""
    post = _lock_post(post.pk)
    if not visible_posts(Reader.of(actor)).filter(pk=post.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "There is no such post.", field="postId")
    if not post.comments_open or not Post.objects.live().filter(pk=post.pk).exists():
        raise DomainError(ErrorCode.COMMENTS_CLOSED, "Comments are closed on this post.")
    body = _clean_body(body)
    guest = not is_signed_in(actor)
    name = clean_text(author_name, field="authorName", max_length=settings.HEARTH_MAX_NAME_LENGTH,
                      required=guest, label="name")
    email = clean_email(author_email, field="authorEmail",
                        max_length=settings.HEARTH_MAX_EMAIL_LENGTH, required=guest)
    url = clean_url(author_url, field="authorUrl", max_length=settings.HEARTH_MAX_URL_LENGTH)
    if parent is not None:
        parent = Comment.objects.filter(pk=parent.pk).first()  # as it is now, under the lock
        if (parent is None or parent.post_id != post.pk
                or parent.status != CommentStatus.APPROVED):
            raise DomainError(ErrorCode.INVALID, "You can only reply to an approved comment of "
                              "this post.", field="parentId")
        if parent.depth >= settings.HEARTH_MAX_REPLY_DEPTH:
            raise DomainError(ErrorCode.INVALID, "Replies nest at most "
                              f"{settings.HEARTH_MAX_REPLY_DEPTH} deep: reply to a comment "
                              "higher in the thread.", field="parentId")
    user = None if guest else actor
    if user is not None:
        name = name or str(user)
        email = email or user.email.lower()
    draft = CommentDraft(post=post, parent=parent, user=user, name=name, email=email, url=url,
                         body=body, ip_address=ip_address or None,
                         user_agent=(user_agent or "")[:500])
    moderator = comment_moderator()
    moderator.allow(draft)
    decision = moderator.decide(draft)
    if notify_replies and email:
        mail_quota.require(ip=draft.ip_address, user=user, field="notifyReplies")

    comment = Comment.objects.create(
        post=post, parent=parent, depth=parent.depth + 1 if parent else 0, user=user,
        author_name=name, author_email=email, author_url=url, ip_address=draft.ip_address,
        user_agent=draft.user_agent, body=body, html=render_markdown(body, for_comment=True),
        status=decision.status, notify_replies=bool(notify_replies and email),
    )
    comment.path = (parent.path if parent else "") + f"{comment.pk:0{PATH_SEGMENT}d}"
    comment.save(update_fields=["path"])
    webhooks.enqueue_comment_event(comment, "comment.created")
    mail.queue_comment_created(comment)
    content_versions.post_written(comment.post_id)
    live.comment_changed(comment, live.ActivityKind.COMMENT_ADDED,
                         visitor_key=None if user else visitor_key)
    if comment.status == CommentStatus.APPROVED:
        _change_counts(comment, +1)
        webhooks.enqueue_comment_event(comment, "comment.approved")
        mail.queue_comment_approved(comment)
    return comment


@transaction.atomic
def comment_edit(*, actor, comment: Comment, body: str) -> Comment:
    """Authors edit within the edit window; moderators at any time."""
    require_signed_in(actor)
    comment = _lock_comment(comment)
    was = comment.status
    require_can_edit_comment(actor, comment, now=timezone.now(), edit_window=timedelta(
        seconds=settings.HEARTH_COMMENT_EDIT_WINDOW_SECONDS))
    comment.body = _clean_body(body)
    comment.html = render_markdown(comment.body, for_comment=True)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "html", "edited_at"])
    content_versions.post_written(comment.post_id)
    decision = comment_moderator().decide_edit(comment, actor=actor)
    if decision is not None and decision.status != comment.status:
        _set_status(comment, decision.status)
    else:
        live.comment_changed(comment, live.ActivityKind.COMMENT_UPDATED, was=was)
    return comment


@transaction.atomic
def comment_delete(*, actor, comment: Comment) -> int:
    """Move to the trash. With approved replies it stays in the thread as a placeholder;
    without them it leaves the thread."""
    require_signed_in(actor)
    comment = _lock_comment(comment)
    require_can_delete_comment(actor, comment)
    _set_status(comment, CommentStatus.TRASH)
    return comment.pk


@transaction.atomic
def comment_moderate(*, actor, comment: Comment, status: str) -> Comment:
    require_moderator(actor)
    if status not in CommentStatus.values:
        raise DomainError(ErrorCode.INVALID, "Unknown comment status.", field="status")
    comment = _lock_comment(comment)
    if comment.status != status:
        _set_status(comment, status)
    return comment


# The name an erased commenter's comments keep (WordPress's "Anonymous").
ANONYMOUS_NAME = "Anonymous"


@transaction.atomic
def comment_erase_author(*, comment: Comment, remove: bool) -> Comment:
    """Personal-data erasure: the comment keeps no account, name, e-mail, website, IP or user
    agent. With `remove` it is also trashed (counts follow; with approved replies it stays a
    placeholder) and its text emptied. The caller decides who may (cms/services/privacy.py)."""
    comment = _lock_comment(comment)
    if remove and comment.status in (CommentStatus.APPROVED, CommentStatus.PENDING):
        _set_status(comment, CommentStatus.TRASH)
    else:
        live.comment_changed(comment, live.ActivityKind.COMMENT_UPDATED, was=comment.status)
    comment.user = None
    comment.author_name = ANONYMOUS_NAME
    comment.author_email = comment.author_url = comment.user_agent = ""
    comment.ip_address = None
    comment.notify_replies = False
    fields = ["user", "author_name", "author_email", "author_url", "user_agent", "ip_address",
              "notify_replies"]
    if remove:
        comment.body = comment.html = ""
        fields += ["body", "html"]
    comment.save(update_fields=fields)
    content_versions.post_written(comment.post_id)
    return comment


@transaction.atomic
def comment_reply(*, actor, parent: Comment, body: str, ip_address: str | None = None,
                  user_agent: str = "") -> Comment:
    """A moderator's reply from the moderation desk, as themselves. Replying to a held comment
    approves it first (as WordPress's "Approve and Reply" does), and the reply is approved
    whatever the moderation rules would say of it."""
    require_moderator(actor)
    parent = _lock_comment(parent)
    if parent.status == CommentStatus.PENDING:
        _set_status(parent, CommentStatus.APPROVED)
    reply = comment_create(actor=actor, post=parent.post, parent=parent, body=body,
                           ip_address=ip_address, user_agent=user_agent)
    if reply.status != CommentStatus.APPROVED:
        _set_status(reply, CommentStatus.APPROVED)
    return reply
