import strawberry
from allauth.socialaccount.adapter import get_adapter as social_adapter
from django.middleware.csrf import get_token

from schema.accounts.types import Author
from schema.core.context import Info
from schema.http.auth import is_app


@strawberry.type(description="Another site a reader can sign in with.")
class SignInProvider:
    id: str = strawberry.field(description="The provider's id (`github`, `google`, or an "
                               "OpenID Connect provider's own).")
    name: str = strawberry.field(description="Its name, for the button.")
    url: str = strawberry.field(description="Hearth's page that starts signing in there; add "
                                "`next=<address>` to come back to the site afterwards (an "
                                "origin of CORS_ALLOWED_ORIGINS).")


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
        if info.context.user is None or not request.user.is_authenticated or is_app(request):
            return None
        info.context.private = True
        return get_token(request)

    @strawberry.field(description="The other sites readers can sign in with (configured in the "
                                  "admin or the environment).")
    def sign_in_providers(self, info: Info) -> list[SignInProvider]:
        request = info.context.request
        return [SignInProvider(id=provider.sub_id, name=provider.name,
                               url=request.build_absolute_uri(provider.get_login_url(request)))
                for provider in social_adapter().list_providers(request)]
