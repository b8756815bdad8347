import strawberry

from schema.accounts.types import Author
from schema.core.context import Info


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user; null when anonymous.")
    def viewer(self, info: Info) -> Author | None:
        user = info.context.user
        return user if user is not None and user.is_authenticated else None
