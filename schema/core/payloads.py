"""Payloads shared by every domain."""

import strawberry

from schema.core.context import Info
from schema.core.errors import UserError, attempt


@strawberry.type(description="The answer of a mutation that does something and returns nothing "
                             "to read: whether it was done, or why not.")
class ActionPayload:
    ok: bool = strawberry.field(description="True when it was done (or accepted, for requests "
                                            "whose outcome must not be revealed).")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                                           "success.")


def action(info: Info, write) -> ActionPayload:
    """Run `write` as `attempt` does; an ActionPayload of the outcome."""
    _, errors = attempt(info, write)
    return ActionPayload(ok=not errors, errors=errors)
