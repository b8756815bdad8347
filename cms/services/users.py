"""Writes to users that reach other rows' stored counts."""

from django.db import transaction

from cms.errors import DomainError, ErrorCode
from cms.models import Reaction
from cms.services.reactions import reaction_remove


@transaction.atomic
def user_delete(*, user) -> None:
    """Delete `user`. Their reactions are removed through the reaction service, so the counts
    on what they reacted to stay exact (a plain cascade would leave them too high). Their
    comments stay, under the name they signed. A user who wrote posts cannot be deleted until
    the posts have another author."""
    if user.posts.exists():
        raise DomainError(ErrorCode.CONFLICT, f"{user} still has posts; give them to another "
                          "author first.")
    for reaction in Reaction.objects.filter(user=user).select_related("post", "comment"):
        reaction_remove(subject=reaction.post or reaction.comment, kind=reaction.kind, user=user)
    user.delete()
