"""E-mail: queued inside the write's transaction (the outbox, cms/models/mail.py), rendered and
sent by the worker (`manage.py run_webhooks`) through Django's e-mail framework.

Every message has a signed one-click unsubscribe link in both parts and the RFC 8058 headers
(`List-Unsubscribe`, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`). A message is
rendered when it is sent, after checking that it is still due: a comment removed before the
worker got to it, or an address that unsubscribed meanwhile, gets nothing.
"""

import logging
import secrets
import smtplib
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cms.models import (
    Comment,
    CommentStatus,
    MailKind,
    MailOptOut,
    MailStatus,
    OutgoingMail,
    Post,
    PostStatus,
    Subscriber,
    User,
)
from cms.models.users import MODERATOR_ROLES

logger = logging.getLogger("hearth")
UNSUBSCRIBE_SALT = "hearth.mail.unsubscribe"
CONFIRM_SALT = "hearth.mail.confirm"
PERSONAL_DATA_SALT = "hearth.privacy"
ERROR_CHARS = 500
FAN_OUT_CHUNK = 1000


# Links ----------------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.HEARTH_PUBLIC_URL.rstrip("/") + path


def post_url(post: Post) -> str:
    return settings.HEARTH_POST_URL.replace("{slug}", quote(post.slug)).replace("{id}",
                                                                                str(post.pk))


def comment_url(comment: Comment) -> str:
    return f"{post_url(comment.post)}#comment-{comment.pk}"


def unsubscribe_token(email: str, scope: str) -> str:
    """Signed, not expiring: an unsubscribe link in an old message still works."""
    return signing.dumps([email, scope], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str)
                                                                 for v in value)):
        return None
    return value[0], value[1]


def signed_link_token(salt: str, **values) -> str:
    return signing.dumps(values, salt=salt, compress=True)


def read_signed_link_token(salt: str, token: str) -> dict | None:
    """The values of a confirmation or personal-data token, or None when it is forged or older
    than HEARTH_MAIL_LINK_SECONDS."""
    try:
        value = signing.loads(token, salt=salt, max_age=settings.HEARTH_MAIL_LINK_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return value if isinstance(value, dict) else None


def unsubscribe_scope(mail: OutgoingMail) -> str:
    """What the message's unsubscribe link stops: replies on this post, new posts, comment or
    moderation notices, or (for messages someone asked for) everything to this address."""
    if mail.kind == MailKind.REPLY:
        return f"reply:{mail.comment.post_id}"
    if mail.kind in (MailKind.NEW_POST, MailKind.NEW_COMMENT, MailKind.MODERATION):
        return mail.kind
    return MailOptOut.Scope.ALL


# Queueing (in the caller's transaction) -------------------------------------------------------


def _queue(*mails: OutgoingMail) -> None:
    """Write the rows; a key already used (the same message again) is left as it was."""
    OutgoingMail.objects.bulk_create(mails, ignore_conflicts=True)


def _hour() -> int:
    return int(timezone.now().timestamp() // 3600)


def queue_confirmation(email: str) -> None:
    """The double opt-in message, at most once an hour per address."""
    _queue(OutgoingMail(kind=MailKind.CONFIRM_SUBSCRIPTION, to_email=email,
                        key=f"confirm:{email}:{_hour()}"))


def queue_personal_data_link(email: str, action: str) -> None:
    _queue(OutgoingMail(kind=MailKind.PERSONAL_DATA, to_email=email, data={"action": action},
                        key=f"personal_data:{action}:{email}:{_hour()}"))


def queue_account_mail(*, to_email: str, subject: str, text: str, html: str | None) -> None:
    """One of django-allauth's mails (config/accounts.py renders it in the request, in the
    reader's language), to be sent by the worker like every other message."""
    _queue(OutgoingMail(kind=MailKind.ACCOUNT, to_email=to_email.lower(),
                        key=f"account:{secrets.token_hex(16)}",
                        data={"subject": subject, "text": text, "html": html,
                              "language": translation.get_language()}))


def queue_post_published(post: Post) -> None:
    """New posts to every subscriber, when the post goes live (now, or at its scheduled time);
    once per post, however often it is published again."""
    due = max(post.published_at or timezone.now(), timezone.now())
    fan_out = OutgoingMail.objects.filter(key=f"new_post:{post.pk}",
                                          status=MailStatus.PENDING)
    if not fan_out.update(next_attempt_at=due):
        _queue(OutgoingMail(kind=MailKind.NEW_POST, post=post, key=f"new_post:{post.pk}",
                            next_attempt_at=due))


def _same_person(comment: Comment, *, user_id: int | None, email: str) -> bool:
    return bool((user_id and comment.user_id == user_id)
                or (email and comment.author_email.lower() == email.lower()))


def queue_comment_created(comment: Comment) -> None:
    """A held comment: each moderator hears of it (HEARTH_NOTIFY_MODERATORS)."""
    if comment.status != CommentStatus.PENDING or not settings.HEARTH_NOTIFY_MODERATORS:
        return
    roles = Q(is_superuser=True) | Q(groups__name__in=[r.value for r in MODERATOR_ROLES])
    moderators = (User.objects.filter(roles, is_active=True).exclude(email="")
                  .values_list("pk", "email").distinct())
    _queue(*(OutgoingMail(kind=MailKind.MODERATION, to_email=email.lower(), comment=comment,
                          key=f"moderation:{comment.pk}:{email.lower()}")
             for pk, email in moderators if not _same_person(comment, user_id=pk, email=email)))


def queue_comment_approved(comment: Comment) -> None:
    """An approved comment: the author of the comment it answers, if they asked for replies,
    and the post's author (HEARTH_NOTIFY_POST_AUTHOR); never the commenter themselves."""
    mails = []
    parent = comment.parent
    if (parent is not None and parent.notify_replies and parent.author_email
            and not _same_person(comment, user_id=parent.user_id, email=parent.author_email)):
        mails.append(OutgoingMail(kind=MailKind.REPLY, to_email=parent.author_email.lower(),
                                  comment=comment, key=f"reply:{comment.pk}"))
    author = comment.post.author
    if (settings.HEARTH_NOTIFY_POST_AUTHOR and author.email
            and not _same_person(comment, user_id=author.pk, email=author.email)):
        mails.append(OutgoingMail(kind=MailKind.NEW_COMMENT, to_email=author.email.lower(),
                                  comment=comment, key=f"new_comment:{comment.pk}"))
    _queue(*mails)


# Composing ------------------------------------------------------------------------------------


class NotDue(Exception):
    """The message is no longer to be sent; the reason is kept as its last error."""


def _opted_out(email: str, scope: str) -> bool:
    return MailOptOut.objects.filter(email=email, scope__in=[MailOptOut.Scope.ALL, scope]).exists()


def _context(mail: OutgoingMail) -> dict:
    """What the message's templates show, after checking it is still due (raises NotDue)."""
    comment = mail.comment
    if mail.kind == MailKind.CONFIRM_SUBSCRIPTION:
        if Subscriber.objects.filter(email=mail.to_email).exists():
            raise NotDue("Already subscribed.")
        token = signed_link_token(CONFIRM_SALT, e=mail.to_email)
        return {"confirm_url": absolute(f"/mail/confirm/{token}/")}
    if mail.kind == MailKind.ACCOUNT:
        if not mail.data.get("subject"):
            raise NotDue("Nothing left to send.")
        return {"subject": mail.data["subject"], "text": mail.data["text"],
                "html": mail.data.get("html"), "language": mail.data.get("language")}
    if mail.kind == MailKind.PERSONAL_DATA:
        action = mail.data.get("action")
        token = signed_link_token(PERSONAL_DATA_SALT, e=mail.to_email, a=action)
        return {"action": action, "link": absolute(f"/privacy/{action}/{token}/"),
                "hours": settings.HEARTH_MAIL_LINK_SECONDS // 3600}
    if mail.kind == MailKind.NEW_POST:
        post = mail.post
        if not Post.objects.live().filter(pk=post.pk).exists():
            raise NotDue("The post is no longer published.")
        if not Subscriber.objects.filter(email=mail.to_email).exists():
            raise NotDue("No longer subscribed.")
        return {"post": post, "post_url": post_url(post)}
    # A comment notice: the comment as it is now.
    if mail.kind == MailKind.MODERATION:
        if comment.status != CommentStatus.PENDING:
            raise NotDue("The comment was moderated meanwhile.")
    elif comment.status != CommentStatus.APPROVED:
        raise NotDue("The comment is no longer approved.")
    if mail.kind == MailKind.REPLY and not comment.parent.notify_replies:
        raise NotDue("Replies are no longer wanted.")
    return {"comment": comment, "post": comment.post, "comment_url": comment_url(comment),
            "admin_url": absolute(f"/admin/cms/comment/{comment.pk}/change/")}


def compose(mail: OutgoingMail) -> EmailMultiAlternatives:
    """The message for `mail`, in both parts. Raises NotDue."""
    scope = unsubscribe_scope(mail)
    # An account mail (verify the address, reset the password) answers what its reader just did:
    # no opt-out holds it back, or a reader who once unsubscribed could never reset a password.
    # Its abuse (someone else's address entered) is bounded by those mutations' rate limits.
    if mail.kind != MailKind.ACCOUNT and _opted_out(mail.to_email, scope):
        raise NotDue("The address unsubscribed.")
    unsubscribe_url = absolute(f"/mail/unsubscribe/{unsubscribe_token(mail.to_email, scope)}/")
    context = {**_context(mail), "site_name": settings.HEARTH_SITE_NAME,
               "unsubscribe_url": unsubscribe_url, "to_email": mail.to_email}
    if mail.kind == MailKind.ACCOUNT:
        subject, text, html = _account_parts(context)
    else:
        with translation.override(settings.LANGUAGE_CODE):
            folder = f"hearth/mail/{mail.kind}"
            subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
            text = render_to_string(f"{folder}/body.txt", context)
            html = render_to_string(f"{folder}/body.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [mail.to_email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


def _account_parts(context: dict) -> tuple[str, str, str]:
    """An allauth mail as rendered in the request, with the unsubscribe footer added to its
    text, and in HTML too (its own HTML, or its text with the links made clickable)."""
    with translation.override(context["language"] or settings.LANGUAGE_CODE):
        why = translation.gettext("You received this because your address was entered on "
                                  "our site.")
        context = {**context, "why": why}
        text = context["text"].rstrip() + "\n" + render_to_string("hearth/mail/footer.txt",
                                                                  context)
        html = render_to_string("hearth/mail/account/body.html", context)
    return context["subject"], text, html


# Delivering -----------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 4x base, 16x base, ..."""
    return timedelta(seconds=settings.HEARTH_MAIL_BACKOFF_SECONDS * 4 ** (attempts - 1))


def claim_due(limit: int) -> list[OutgoingMail]:
    """Take due messages and lease them (as cms.webhooks.claim_due does)."""
    now = timezone.now()
    with transaction.atomic():
        due = (OutgoingMail.objects.filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
               .select_related("post", "comment__post__author", "comment__parent")
               .order_by("next_attempt_at", "id"))
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due[:limit])
        lease = now + timedelta(seconds=(settings.EMAIL_TIMEOUT + 1) * len(claimed) + 30)
        OutgoingMail.objects.filter(pk__in=[m.pk for m in claimed]).update(next_attempt_at=lease)
    return claimed


def _fan_out(mail: OutgoingMail) -> None:
    """A new post's message for every subscriber, each a row of its own (so one failing address
    does not hold the others back)."""
    post = mail.post
    if post.status == PostStatus.PUBLISHED and not post.is_live():
        mail.next_attempt_at = post.published_at  # rescheduled later meanwhile
        mail.save(update_fields=["next_attempt_at"])
        return
    if not post.is_live():
        _settle(mail, MailStatus.SKIPPED, "The post is no longer published.")
        return
    with transaction.atomic():
        batch = []
        for email in Subscriber.objects.values_list("email", flat=True).iterator(FAN_OUT_CHUNK):
            batch.append(OutgoingMail(kind=MailKind.NEW_POST, to_email=email, post=post,
                                      key=f"new_post:{post.pk}:{email}"))
            if len(batch) == FAN_OUT_CHUNK:
                _queue(*batch)
                batch = []
        _queue(*batch)
        _settle(mail, MailStatus.SENT, "")


def _settle(mail: OutgoingMail, status: str, error: str) -> None:
    mail.status = status
    mail.last_error = error[:ERROR_CHARS]
    if status == MailStatus.SENT:
        mail.sent_at = timezone.now()
    if mail.kind == MailKind.ACCOUNT and status != MailStatus.PENDING:
        mail.data = {}  # its link is a key (a password reset's): not kept once settled
    mail.save(update_fields=["status", "last_error", "sent_at", "attempts", "next_attempt_at",
                             "data"])


def _refused_for_good(error: Exception) -> bool:
    """A recipient the server refused with a 5xx: retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def attempt(mail: OutgoingMail, connection) -> None:
    """Send `mail` once; on failure retry later, or give up after HEARTH_MAIL_MAX_ATTEMPTS."""
    if mail.kind == MailKind.NEW_POST and not mail.to_email:
        _fan_out(mail)
        return
    try:
        message = compose(mail)
    except NotDue as reason:
        _settle(mail, MailStatus.SKIPPED, str(reason))
        return
    mail.attempts += 1
    try:
        connection.send_messages([message])
    except Exception as error:  # noqa: BLE001 - any failure is logged and retried
        connection.close()  # the next message starts on a fresh connection
        reason = f"{type(error).__name__}: {error}"
        logger.info("Mail %s to %s, attempt %d failed: %s", mail.kind, mail.to_email,
                    mail.attempts, reason)
        if _refused_for_good(error) or mail.attempts >= settings.HEARTH_MAIL_MAX_ATTEMPTS:
            _settle(mail, MailStatus.FAILED, reason)
        else:
            mail.next_attempt_at = timezone.now() + backoff(mail.attempts)
            _settle(mail, MailStatus.PENDING, reason)
        return
    _settle(mail, MailStatus.SENT, "")


def purge_old() -> int:
    """Forget settled messages after HEARTH_MAIL_KEEP_DAYS."""
    before = timezone.now() - timedelta(days=settings.HEARTH_MAIL_KEEP_DAYS)
    deleted, _ = (OutgoingMail.objects.exclude(status=MailStatus.PENDING)
                  .filter(created_at__lt=before).delete())
    return deleted


def deliver_due(limit: int = 50) -> int:
    """Send every due message, batch by batch, on one SMTP connection per batch. Returns how
    many messages were handled."""
    made = 0
    while batch := claim_due(limit):
        connection = get_connection()
        try:
            for mail in batch:
                attempt(mail, connection)
                made += 1
        finally:
            connection.close()
    return made

