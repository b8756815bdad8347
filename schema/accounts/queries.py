import strawberry
from django.middleware.csrf import get_token

from schema.accounts.types import Author
from schema.core.context import Info


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user; null when anonymous.")
    def viewer(self, info: Info) -> Author | None:
        user = info.context.user
        return user if user is not None and user.is_authenticated else None

    @strawberry.field(description="With a signed-in browser session: the token to send as "
                                  "X-CSRFToken with its mutations (a site on another origin "
                                  "cannot read Hearth's cookie). Null otherwise.")
    def csrf_token(self, info: Info) -> str | None:
        request = info.context.request
        if info.context.user is None or not request.user.is_authenticated:
            return None
        info.context.private = True
        return get_token(request)
