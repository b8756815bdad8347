"""Writes to reader accounts: joining (the subscriber role), the public profile, leaving."""

from django.contrib.auth.models import Group
from django.db import transaction

from cms import content_versions
from cms.models import Comment, Post, Reaction, Role, User
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
        content_versions.posts_written(posts_showing(user))
    return user


def posts_showing(user: User) -> set[int]:
    """The posts whose answers show the account's name or picture: its posts, the posts it
    commented on, and those it reacted to (or to a comment of), where it is listed as a
    reactor."""
    ids = set(Post.objects.filter(author=user).values_list("pk", flat=True))
    ids.update(Comment.objects.filter(user=user).values_list("post_id", flat=True).distinct())
    reactions = Reaction.objects.filter(user=user)
    ids.update(reactions.filter(post__isnull=False).values_list("post_id", flat=True).distinct())
    ids.update(reactions.filter(comment__isnull=False).values_list("comment__post_id", flat=True)
               .distinct())
    return ids


@transaction.atomic
def account_delete(*, actor: User) -> int:
    """Delete the signed-in account: its reactions go (counts stay exact), its comments stay
    under the name they were signed with. Returns the account's former id."""
    require_signed_in(actor)
    pk = actor.pk
    content_versions.posts_written(posts_showing(actor))  # its comments show another name
    user_delete(user=actor)
    return pk
