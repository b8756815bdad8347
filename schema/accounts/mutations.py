"""Reader accounts over GraphQL, for a JAMstack site: sign up, verify the e-mail, sign in and
out, reset a forgotten password (allauth's flows, schema/accounts/flows.py), change the public
profile and delete the account (cms services). A browser signs in with the session cookie;
later mutations send the payload's `csrfToken` as X-CSRFToken. A browser app that keeps no
cookies sends X-Session-Token instead (empty until signed in: allauth headless's app client),
and later requests send the payload's `sessionToken` in it; signing out revokes it."""

from typing import Annotated

import strawberry
from allauth.headless import app_settings as headless_settings
from django.middleware.csrf import get_token

from cms.models import User
from cms.services import accounts as account_services
from schema.accounts import flows
from schema.accounts.types import Author
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.http.auth import is_app
from schema.posts.mutations import DeletePayload, deleted


@strawberry.input(description="A new reader account.")
class SignUpInput:
    email: str = strawberry.field(description="The address to sign in with; a link to verify "
                                  "it is sent there. Never shown publicly.")
    password: str = strawberry.field(description="At least 8 characters, not a common password, "
                                     "not all digits, not like the address.")
    display_name: str | None = strawberry.field(default=None, description="The name shown with "
                                                "the reader's comments; `Member` when left out.")


@strawberry.input(description="An e-mail address and its password.")
class SignInInput:
    email: str = strawberry.field(description="The account's e-mail address.")
    password: str = strawberry.field(description="Its password.")


@strawberry.input(description="A new password, with the key of a reset mail.")
class ResetPasswordInput:
    key: str = strawberry.field(description="The `reset` key of the link in the mail.")
    password: str = strawberry.field(description="The new password (the sign-up rules).")


@strawberry.input(description="The signed-in reader's public profile; a field left out stays "
                              "as it is.")
class UpdateAccountInput:
    display_name: str | None = strawberry.field(default=None, description="The name shown with "
                                                "comments and reactions; not blank, at most 150 "
                                                "characters.")
    avatar_url: str | None = strawberry.field(default=None, description="The address of a "
                                              "picture (http or https); empty removes it.")


@strawberry.type(description="Who is signed in after an account mutation, or why it was "
                             "refused.")
class AccountPayload:
    viewer: Author | None = strawberry.field(description="The signed-in reader; null when nobody "
                                             "is (after signing up, until the address is "
                                             "verified).")
    csrf_token: str | None = strawberry.field(description="With a browser session: send it as "
                                              "X-CSRFToken with the session's mutations.")
    session_token: str | None = strawberry.field(description="With X-Session-Token in the "
                                                 "request (a browser app without cookies; "
                                                 "empty before signing in) and someone signed "
                                                 "in: the token to send in that header from "
                                                 "now on. It changes when signing in.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


def account_payload(info: Info, write) -> AccountPayload:
    """Run `write` (refusals as errors); the payload says who is signed in now: the session's
    reader (or an API token's account), as the write left it."""
    result, errors = attempt(info, write)
    context = info.context
    context.private = True
    request = context.request
    session_user = request.user if request.user.is_authenticated else None
    user = session_user or (context.user if request.headers.get("Authorization") else None)
    if isinstance(result, User) and user is not None:
        user = result
    app = is_app(request)
    session_token = csrf_token = None
    if session_user is not None and app:
        session_token = headless_settings.TOKEN_STRATEGY.create_session_token(request)
    elif session_user is not None:
        csrf_token = get_token(request)
    return AccountPayload(viewer=user, csrf_token=csrf_token, session_token=session_token,
                          errors=errors)


Email = Annotated[str, strawberry.argument(description="An e-mail address.")]
Key = Annotated[str, strawberry.argument(description="The `verify` key of the link in the "
                                                     "mail.")]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Open a reader account (the subscriber role) and send the "
                                     "link that verifies the address; the reader can sign in "
                                     "once it is followed. The answer is the same whether or not "
                                     "the address already had an account (that one gets a mail "
                                     "saying so).")
    def sign_up(self, info: Info, input: Annotated[SignUpInput, strawberry.argument(
            description="The address, password and name.")]) -> AccountPayload:
        return account_payload(info, lambda: flows.sign_up(
            info.context.request, email=input.email, password=input.password,
            display_name=input.display_name, client_ip=info.context.client_ip))

    @strawberry.mutation(description="Verify an address with the key of the link in the mail. "
                                     "Signs the reader in when this browser started the sign-up.")
    def verify_email(self, info: Info, key: Key) -> AccountPayload:
        return account_payload(info, lambda: flows.verify_email(info.context.request, key=key))

    @strawberry.mutation(description="Sign in with an e-mail address and password: the session "
                                     "cookie is set. An unverified address is sent its link "
                                     "again and stays signed out (UNAUTHENTICATED).")
    def sign_in(self, info: Info, input: Annotated[SignInInput, strawberry.argument(
            description="The address and password.")]) -> AccountPayload:
        return account_payload(info, lambda: flows.sign_in(
            info.context.request, email=input.email, password=input.password))

    @strawberry.mutation(description="Sign out of this browser session.")
    def sign_out(self, info: Info) -> AccountPayload:
        return account_payload(info, lambda: flows.sign_out(info.context.request))

    @strawberry.mutation(description="Send a link to reset the password to the address. The "
                                     "answer is the same whether or not an account has it.")
    def request_password_reset(self, info: Info, email: Email) -> AccountPayload:
        return account_payload(info, lambda: flows.request_password_reset(
            info.context.request, email=email, client_ip=info.context.client_ip))

    @strawberry.mutation(description="Set a new password with the key of a reset mail.")
    def reset_password(self, info: Info, input: Annotated[ResetPasswordInput, strawberry.argument(
            description="The key and the new password.")]) -> AccountPayload:
        return account_payload(info, lambda: flows.reset_password(
            info.context.request, key=input.key, password=input.password))

    @strawberry.mutation(description="Change the signed-in reader's display name or picture.")
    def update_account(self, info: Info, input: Annotated[
            UpdateAccountInput, strawberry.argument(description="What changes.")]
    ) -> AccountPayload:
        return account_payload(info, lambda: account_services.account_update(
            actor=info.context.user, display_name=input.display_name,
            avatar_url=input.avatar_url))

    @strawberry.mutation(description="Delete the signed-in reader's account and sign out: their "
                                     "reactions are taken back, their comments stay under the "
                                     "name they were signed with. An account with posts cannot "
                                     "be deleted (CONFLICT).")
    def delete_account(self, info: Info) -> DeletePayload:
        context = info.context

        def delete():
            pk = account_services.account_delete(actor=context.user)
            flows.sign_out(context.request)
            return pk

        return deleted("Author", attempt(info, delete))
