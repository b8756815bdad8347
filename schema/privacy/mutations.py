"""Personal data: a guest asks for a link by e-mail; the link's token (or a signed-in reader's
session) exports everything Hearth holds about them as JSON, or erases it."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from cms.errors import DomainError, ErrorCode
from cms.services import privacy
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.payloads import ActionPayload, action


@strawberry.enum(description="What to do with one's personal data.")
class PersonalDataAction(Enum):
    EXPORT = strawberry.enum_value("export", description="Download it as JSON.")
    ERASE = strawberry.enum_value("erase", description="Erase it (cannot be undone).")


@strawberry.type(description="Everything Hearth holds about a person, or why it was refused.")
class PersonalDataPayload:
    data: JSON | None = strawberry.field(description="Comments, reactions, subscriptions and "
                                                     "accounts, as JSON; null when refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                                           "success.")


OptionalToken = Annotated[str | None, strawberry.argument(
    description="The token of the link in the message; left out, the signed-in reader's own "
                "account.")]


def _whom(info: Info, token: str | None, what: str) -> dict:
    if token is not None:
        return {"email": privacy.email_from_token(token, what)}
    user = info.context.user
    if user is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in, or use the link sent by e-mail.",
                          field="token")
    return {"user": user}


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Mail a link to export or erase the personal data Hearth "
                                     "holds about an address, valid for "
                                     "HEARTH_MAIL_LINK_SECONDS. The same answer whether or not "
                                     "the address is known; limited per caller (RATE_LIMITED).")
    def request_personal_data(
            self, info: Info,
            email: Annotated[str, strawberry.argument(description="The address.")],
            action_: Annotated[PersonalDataAction, strawberry.argument(
                name="action", description="Export or erase.")]) -> ActionPayload:
        context = info.context
        return action(info, lambda: privacy.personal_data_request(
            email=email, action=action_.value, ip=context.client_ip, user=context.user))

    @strawberry.mutation(description="Everything Hearth holds about the link's address, or the "
                                     "signed-in reader's account, as JSON.")
    def export_personal_data(self, info: Info, token: OptionalToken = None
                             ) -> PersonalDataPayload:
        data, errors = attempt(info, lambda: privacy.personal_data_export(
            **_whom(info, token, "export")))
        info.context.private = True
        return PersonalDataPayload(data=data, errors=errors)

    @strawberry.mutation(description="Erase the personal data of the link's address, or of the "
                                     "signed-in reader's account: comments anonymised or removed "
                                     "(the site's choice), reactions and subscriptions deleted.")
    def erase_personal_data(self, info: Info, token: OptionalToken = None) -> ActionPayload:
        return action(info, lambda: privacy.personal_data_erase(**_whom(info, token, "erase")))
