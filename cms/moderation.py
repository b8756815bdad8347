"""What happens to a comment as it is written: refused, approved at once, or held for a
moderator. The decisions belong to a moderator class chosen by HEARTH_COMMENT_MODERATOR (a
dotted path), as django-contrib-comments' `CommentModerator` does, so a spam checker can be
plugged in. `comment_create` and `comment_edit` ask it, inside their transaction, with the post
row locked:

- `allow(draft)` raises a DomainError (with the contract's code) to refuse a new comment:
  nothing is written.
- `decide(draft)` gives the status a new comment starts with, and why.
- `decide_edit(comment, actor=...)` gives a new status for an edited comment, or None to keep
  its status.

A custom moderator subclasses `DefaultCommentModerator` to keep Hearth's rules and add its own
(call `super()`), or `CommentModerator` to start from nothing.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cms.errors import DomainError, ErrorCode
from cms.models import Comment, CommentStatus, Post, Role, User
from cms.policies import is_moderator, is_signed_in

# Accounts anyone can open: subscribers, and accounts without a role.
READER_ROLES = {Role.SUBSCRIBER, None}

# One match per link: an <a> tag, or an address with or without its scheme (so that
# "https://www.example.com" counts once, not twice).
LINK = re.compile(r"<a\s[^>]*>|https?://\S+|(?<![\w/.])www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class CommentDraft:
    """A new comment, cleaned and not yet written. `user` is its account; None for a guest,
    whose `name` and `email` are theirs."""

    post: Post
    parent: Comment | None
    user: User | None
    name: str
    email: str
    url: str
    body: str
    ip_address: str | None
    user_agent: str


@dataclass(frozen=True)
class Decision:
    status: str  # a CommentStatus
    reason: str = ""


class CommentModerator:
    """Allows every comment and approves it."""

    def allow(self, draft: CommentDraft) -> None:
        pass

    def decide(self, draft: CommentDraft) -> Decision:
        return Decision(CommentStatus.APPROVED)

    def decide_edit(self, comment: Comment, *, actor) -> Decision | None:
        return None


class DefaultCommentModerator(CommentModerator):
    """Hearth's rules, WordPress's defaults: a guest may not use an account's e-mail; the same
    words twice under one comment are refused; one author writes at most one comment per
    HEARTH_COMMENT_FLOOD_SECONDS (moderators excepted); more than HEARTH_COMMENT_MAX_LINKS
    links are held, even after an edit; guests are approved once an earlier comment of the
    same name and e-mail was, readers (subscribers) once an earlier comment of their account
    was; other accounts (authors, contributors) at once."""

    def allow(self, draft: CommentDraft) -> None:
        if draft.user is None:
            self.check_guest_email(draft.email)
        self.check_duplicate(draft)
        self.check_flood(user=draft.user, email=draft.email, ip=draft.ip_address)

    def decide(self, draft: CommentDraft) -> Decision:
        if is_moderator(draft.user):
            return Decision(CommentStatus.APPROVED, "moderator")
        if too_many_links(draft.body):
            return Decision(CommentStatus.PENDING, "links")
        if is_signed_in(draft.user):
            if draft.user.role not in READER_ROLES:
                return Decision(CommentStatus.APPROVED, "signed in")
            # Anyone may open a reader account, so a reader's first comment waits for a
            # moderator as a guest's does; once one of the account's comments was approved,
            # the next ones are approved at once.
            known = Comment.objects.filter(user=draft.user,
                                           status=CommentStatus.APPROVED).exists()
            if known:
                return Decision(CommentStatus.APPROVED, "previously approved")
            return Decision(CommentStatus.PENDING, "new reader")
        # WordPress's "comment author must have a previously approved comment": the same name
        # AND e-mail, so an approved guest's address does not approve whoever writes under
        # another name.
        known = Comment.objects.filter(author_email=draft.email, author_name=draft.name,
                                       user__isnull=True, status=CommentStatus.APPROVED).exists()
        if known:
            return Decision(CommentStatus.APPROVED, "previously approved")
        return Decision(CommentStatus.PENDING, "new guest")

    def decide_edit(self, comment: Comment, *, actor) -> Decision | None:
        if not actor.is_moderator and too_many_links(comment.body):
            return Decision(CommentStatus.PENDING, "links")  # links added after approval
        return None

    @staticmethod
    def check_guest_email(email: str) -> None:
        """A guest may not write as a registered account's address: they sign in to use it."""
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise DomainError(ErrorCode.FORBIDDEN, "Sign in to comment with this e-mail address.",
                              field="authorEmail")

    @staticmethod
    def check_duplicate(draft: CommentDraft) -> None:
        earlier = Comment.objects.filter(_same_author(draft.user, draft.email), post=draft.post,
                                         parent=draft.parent, body=draft.body)
        if earlier.exclude(status=CommentStatus.TRASH).exists():
            raise DomainError(ErrorCode.DUPLICATE, "You have already said that.", field="body")

    @staticmethod
    def check_flood(*, user, email: str, ip: str | None) -> None:
        seconds = settings.HEARTH_COMMENT_FLOOD_SECONDS
        if seconds <= 0 or is_moderator(user):
            return
        same_author = _same_author(user, email)
        if ip:
            same_author |= Q(ip_address=ip)
        _serialise_author(user=user, email=email, ip=ip)
        since = timezone.now() - timedelta(seconds=seconds)
        last = (Comment.objects.filter(same_author, created_at__gt=since)
                .order_by("-created_at").values_list("created_at", flat=True).first())
        if last is not None:
            left = (last + timedelta(seconds=seconds) - timezone.now()).total_seconds()
            wait = max(1, int(left) + 1)
            raise DomainError(ErrorCode.RATE_LIMITED,
                              f"You are commenting too quickly. Please wait {wait} seconds.",
                              retry_after=wait)


def too_many_links(body: str) -> bool:
    return len(LINK.findall(body)) > settings.HEARTH_COMMENT_MAX_LINKS


def _same_author(user, email: str) -> Q:
    return Q(user=user) if is_signed_in(user) else Q(author_email=email, user__isnull=True)


def _author_lock_key(kind: str, value: object) -> int:
    digest = hashlib.blake2b(f"hearth-comment-author:{kind}:{value}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _serialise_author(*, user, email: str, ip: str | None) -> None:
    """Hold, until this transaction ends, a lock for each thing that identifies the author in
    the flood rule (account or e-mail, and IP), so two comments by one author to different
    posts are checked one after the other. PostgreSQL: transaction-scoped advisory locks, taken
    in one order (no deadlock). SQLite needs none: an IMMEDIATE transaction already holds the
    database's only write lock."""
    if connection.vendor != "postgresql":
        return
    keys = [("user", user.pk) if user is not None else ("email", email)]
    if ip:
        keys.append(("ip", ip))
    with connection.cursor() as cursor:
        for key in sorted(_author_lock_key(kind, value) for kind, value in keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@cache
def _moderator_at(path: str) -> CommentModerator:
    return import_string(path)()


def comment_moderator() -> CommentModerator:
    """The moderator HEARTH_COMMENT_MODERATOR names (one instance per path)."""
    return _moderator_at(settings.HEARTH_COMMENT_MODERATOR)
