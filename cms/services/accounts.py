"""Writes to reader accounts: joining (the subscriber role), the public profile, leaving."""

from django.contrib.auth.models import Group
from django.db import transaction

from cms.models import Role, User
from cms.policies import require_signed_in
from cms.services.users import user_delete
from cms.services.validation import clean_text, clean_url

DISPLAY_NAME_LENGTH = 150
AVATAR_URL_LENGTH = 500


@transaction.atomic
def reader_joined(*, user: User) -> User:
    """A new account signed up (with a password or through another site): a reader, with the
    subscriber role, unless it already holds a role."""
    if user.role is None:
        user.groups.add(Group.objects.get(name=Role.SUBSCRIBER.value))
        user.__dict__.pop("role", None)
    return user


@transaction.atomic
def account_update(*, actor: User, display_name: str | None = None,
                   avatar_url: str | None = None) -> User:
    """Change the signed-in account's public name and picture (None leaves one as it is; an
    empty avatar URL removes the picture)."""
    require_signed_in(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    fields = []
    if display_name is not None:
        user.display_name = clean_text(display_name, field="displayName",
                                       max_length=DISPLAY_NAME_LENGTH, required=True,
                                       label="display name")
        fields.append("display_name")
    if avatar_url is not None:
        user.avatar_url = clean_url(avatar_url, field="avatarUrl", max_length=AVATAR_URL_LENGTH)
        fields.append("avatar_url")
    if fields:
        user.save(update_fields=fields)
    return user


def account_delete(*, actor: User) -> int:
    """Delete the signed-in account: its reactions go (counts stay exact), its comments stay
    under the name they were signed with. Returns the account's former id."""
    require_signed_in(actor)
    pk = actor.pk
    user_delete(user=actor)
    return pk
