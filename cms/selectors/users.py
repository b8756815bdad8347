"""Reads of accounts: the people the public sees (authors, commenters), never their account
fields."""

from cms.models import User
from cms.policies import Reader, public_authors

# A user's account fields, which no reader is shown: never loaded with a comment's or a post's
# author.
UNSHOWN_USER_COLUMNS = ("password", "email", "first_name", "last_name", "last_login",
                        "date_joined", "is_staff", "is_superuser")


def unshown_user_fields(relation: str) -> list[str]:
    return [f"{relation}__{column}" for column in UNSHOWN_USER_COLUMNS]


def authors_by_ids(*, reader: Reader, ids: list[int]) -> dict[int, User]:
    return {user.pk: user for user in public_authors(reader).filter(pk__in=ids)}


def active_account(*, pk: int) -> User | None:
    """An active account by id, whoever it is: the new author of a post, which only editors and
    administrators may name (the caller checks first)."""
    return User.objects.filter(pk=pk, is_active=True).first()
