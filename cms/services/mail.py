"""Blog subscriptions (double opt-in) and unsubscribing, for GraphQL, the pages behind the links
in the messages (cms/mail_pages.py) and the admin alike."""

from django.conf import settings
from django.db import IntegrityError, transaction

from cms import mail
from cms.errors import DomainError, ErrorCode
from cms.models import Comment, MailKind, MailOptOut, MailStatus, OutgoingMail, Subscriber
from cms.services import mail_quota
from cms.services.validation import clean_email

BAD_LINK = "This link is not valid or has expired."


@transaction.atomic
def subscription_request(*, email: str, ip: str | None, user=None) -> None:
    """Send a confirmation link to `email` (at most one an hour). The caller learns nothing of
    whether the address was known: an address already subscribed gets no message."""
    email = clean_email(email, field="email", max_length=settings.HEARTH_MAX_EMAIL_LENGTH,
                        required=True)
    mail_quota.require(ip=ip, user=user, field="email")
    if not Subscriber.objects.filter(email=email).exists():
        mail.queue_confirmation(email)


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscriber:
    values = mail.read_signed_link_token(mail.CONFIRM_SALT, token)
    if values is None or not isinstance(values.get("e"), str):
        raise DomainError(ErrorCode.INVALID, BAD_LINK, field="token")
    email = values["e"]
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.get_or_create(email=email)
    except IntegrityError:  # confirmed twice at once
        subscriber = Subscriber.objects.get(email=email)
    MailOptOut.objects.filter(email=email, scope=MailOptOut.Scope.ALL).delete()
    return subscriber


@transaction.atomic
def unsubscribe(*, token: str) -> None:
    """Stop what the link's message was about (idempotent): replies on one post, new posts,
    comment or moderation notices, or every message to the address."""
    found = mail.read_unsubscribe_token(token)
    if found is None:
        raise DomainError(ErrorCode.INVALID, BAD_LINK, field="token")
    email, scope = found
    if scope.startswith("reply:") and scope[6:].isdigit():
        Comment.objects.filter(post_id=int(scope[6:]), author_email=email,
                               notify_replies=True).update(notify_replies=False)
    elif scope == "new_post":
        Subscriber.objects.filter(email=email).delete()
    elif scope in MailOptOut.Scope.values:
        MailOptOut.objects.get_or_create(email=email, scope=scope)
        if scope == MailOptOut.Scope.ALL:
            Subscriber.objects.filter(email=email).delete()
            Comment.objects.filter(author_email=email, notify_replies=True).update(
                notify_replies=False)
            OutgoingMail.objects.filter(to_email=email, status=MailStatus.PENDING).exclude(
                kind=MailKind.ACCOUNT).update(status=MailStatus.SKIPPED,
                                              last_error="The address unsubscribed.")
    else:
        raise DomainError(ErrorCode.INVALID, BAD_LINK, field="token")
