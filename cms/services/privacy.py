"""Personal data (WordPress's export and erase tools): everything Hearth holds about a person,
found by e-mail address (a guest's comments, the accounts with that address) or by account, as
JSON; and its erasure, through the services, so every stored count stays exact.

Who may ask: a guest proves the address with a signed, expiring link sent to it
(`personal_data_request`); a signed-in reader acts on their account; administrators use the
admin (cms/admin_privacy.py). Reactions of anonymous visitors are tied to a browser's visitor
token, not to a person, so they are neither exported nor erased.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cms import mail
from cms.errors import DomainError, ErrorCode
from cms.models import Comment, MailOptOut, OutgoingMail, Reaction, Subscriber, User
from cms.services import mail_quota
from cms.services.comments import comment_erase_author
from cms.services.reactions import reaction_delete
from cms.services.validation import clean_email

ACTIONS = ("export", "erase")


@transaction.atomic
def personal_data_request(*, email: str, action: str, ip: str | None, user=None) -> None:
    """Mail `email` a link to export or erase its data. The same whether or not Hearth knows the
    address; limited like every request that sends mail."""
    email = clean_email(email, field="email", max_length=settings.HEARTH_MAX_EMAIL_LENGTH,
                        required=True)
    if action not in ACTIONS:
        raise DomainError(ErrorCode.INVALID, "The action is export or erase.", field="action")
    mail_quota.require(ip=ip, user=user, field="email")
    mail.queue_personal_data_link(email, action)


def email_from_token(token: str, action: str) -> str:
    """The address a personal-data link was sent to; INVALID when forged, expired or for
    another action."""
    values = mail.read_signed_link_token(mail.PERSONAL_DATA_SALT, token)
    if values is None or values.get("a") != action or not isinstance(values.get("e"), str):
        raise DomainError(ErrorCode.INVALID, "This link is not valid or has expired.",
                          field="token")
    return values["e"]


def _accounts(email: str | None, user) -> list[User]:
    accounts = list(User.objects.filter(email__iexact=email)) if email else []
    if user is not None and user not in accounts:
        accounts.append(user)
    return accounts


def _comments(email: str | None, accounts: list[User]):
    found = Q(user__in=accounts)
    if email:
        found |= Q(author_email__iexact=email)
    return Comment.objects.filter(found).select_related("post").order_by("created_at", "id")


def _addresses(email: str | None, accounts: list[User]) -> set[str]:
    return {a.email.lower() for a in accounts if a.email} | ({email} if email else set())


def personal_data_export(*, email: str | None = None, user=None) -> dict:
    """Everything Hearth holds about the address `email` and/or the account `user`."""
    accounts = _accounts(email, user)
    addresses = _addresses(email, accounts)
    comments = [{
        "id": c.pk, "post": {"id": c.post_id, "slug": c.post.slug, "title": c.post.title},
        "parent": c.parent_id, "status": c.status, "body": c.body, "authorName": c.author_name,
        "authorEmail": c.author_email, "authorUrl": c.author_url, "ipAddress": c.ip_address,
        "userAgent": c.user_agent, "notifyReplies": c.notify_replies,
        "createdAt": c.created_at.isoformat(),
        "editedAt": c.edited_at.isoformat() if c.edited_at else None,
    } for c in _comments(email, accounts)]
    reactions = [{
        "kind": r.kind, "post": r.post_id, "comment": r.comment_id,
        "createdAt": r.created_at.isoformat(),
    } for r in Reaction.objects.filter(user__in=accounts).order_by("created_at", "id")]
    return {
        "email": email,
        "accounts": [{"username": a.username, "email": a.email, "displayName": a.display_name,
                      "slug": a.slug, "bio": a.bio, "avatarUrl": a.avatar_url,
                      "dateJoined": a.date_joined.isoformat()} for a in accounts],
        "comments": comments,
        "reactions": reactions,
        "subscriptions": {
            "newPosts": [{"email": s.email, "confirmedAt": s.confirmed_at.isoformat()}
                         for s in Subscriber.objects.filter(email__in=addresses)],
            "optedOut": [{"email": o.email, "scope": o.scope}
                         for o in MailOptOut.objects.filter(email__in=addresses)],
            "replyNotifications": [c["id"] for c in comments if c["notifyReplies"]],
        },
        "messages": [{"kind": m.kind, "to": m.to_email, "status": m.status,
                      "createdAt": m.created_at.isoformat()}
                     for m in OutgoingMail.objects.filter(to_email__in=addresses)],
    }


@transaction.atomic
def personal_data_erase(*, email: str | None = None, user=None) -> dict:
    """Erase what `personal_data_export` shows: comments anonymised or removed
    (HEARTH_PRIVACY_ERASE_COMMENTS), reactions deleted, subscriptions and opt-outs forgotten,
    messages to the address deleted. Accounts themselves stay (deleting one is the account's own
    business). Returns how many of each were erased."""
    accounts = _accounts(email, user)
    addresses = _addresses(email, accounts)
    remove = settings.HEARTH_PRIVACY_ERASE_COMMENTS == "remove"
    comments = list(_comments(email, accounts))
    for comment in comments:
        comment_erase_author(comment=comment, remove=remove)
    reactions = [reaction_delete(reaction=r) for r in
                 Reaction.objects.filter(user__in=accounts).select_related("post", "comment")]
    subscriptions, _ = Subscriber.objects.filter(email__in=addresses).delete()
    MailOptOut.objects.filter(email__in=addresses).delete()
    OutgoingMail.objects.filter(to_email__in=addresses).delete()
    return {"comments": len(comments), "reactions": sum(reactions),
            "subscriptions": subscriptions}
