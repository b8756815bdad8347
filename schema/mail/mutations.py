"""Subscribing to new posts by e-mail (double opt-in) and unsubscribing. No query tells who is
subscribed."""

from typing import Annotated

import strawberry

from cms.services import mail as mail_services
from schema.core.context import Info
from schema.core.payloads import ActionPayload, action

Token = Annotated[str, strawberry.argument(description="The token of the link in the message.")]


@strawberry.type
class MailMutation:
    @strawberry.mutation(description="Ask for new posts by e-mail: a confirmation link is sent "
                                     "to the address (at most one an hour). The answer is the "
                                     "same whether or not the address was known; limited per "
                                     "caller (RATE_LIMITED).")
    def subscribe(self, info: Info, email: Annotated[str, strawberry.argument(
            description="The address to send new posts to.")]) -> ActionPayload:
        context = info.context
        return action(info, lambda: mail_services.subscription_request(
            email=email, ip=context.client_ip, user=context.user))

    @strawberry.mutation(description="Confirm a subscription with the token of the link in the "
                                     "confirmation message (INVALID when forged or expired).")
    def confirm_subscription(self, info: Info, token: Token) -> ActionPayload:
        return action(info, lambda: mail_services.subscription_confirm(token=token))

    @strawberry.mutation(description="Stop what a message's unsubscribe link is about, with the "
                                     "link's token: new posts, replies on one post, comment or "
                                     "moderation notices, or every message.")
    def unsubscribe(self, info: Info, token: Token) -> ActionPayload:
        return action(info, lambda: mail_services.unsubscribe(token=token))
