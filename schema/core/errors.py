"""Refusals as the contract shows them: `UserError`s in a mutation's payload, or a GraphQL error
with its code for a query."""

from __future__ import annotations

from contextlib import contextmanager

import strawberry
from django.db import transaction
from graphql import GraphQLError

from cms import errors
from cms.errors import DomainError, ValidationErrors
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.loaders import Loaders

# The domain's codes (cms/errors.py), defined once, exposed as the contract's enum.
ErrorCode = described_enum(
    errors.ErrorCode, name="ErrorCode", description="Why a mutation was refused.",
    values={"INVALID": "A value is malformed, out of range or not allowed here; `field` names it.",
            "REQUIRED": "A value that must be given is missing or blank; `field` names it.",
            "NOT_FOUND": "There is no such object, or the caller may not see it.",
            "UNAUTHENTICATED": "Sign in (or send an API token) first.",
            "FORBIDDEN": "The caller's role may not do this to this object.",
            "COMMENTS_CLOSED": "The post takes no comments: closed, or not published.",
            "DUPLICATE": "Already there: the same comment again, or a slug another post has.",
            "RATE_LIMITED": "Too soon after the last one; `retryAfter` says how many seconds to "
                            "wait.",
            "CONFLICT": "The change clashes with the current state of what it touches."})


@strawberry.type(description="A reason a mutation was refused, which the caller can fix.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, when one is.")
    message: str = strawberry.field(description="A sentence a person can read.")
    code: ErrorCode = strawberry.field(description="The kind of refusal, for code to act on.")
    retry_after: int | None = strawberry.field(
        default=None, description="For RATE_LIMITED: seconds to wait before trying again.")

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=error.message, code=error.code,
                   retry_after=error.retry_after)


def attempt(info: Info, write):
    """Run `write` in one transaction. A refusal rolls it back and becomes `errors`."""
    try:
        with transaction.atomic():
            result = write()
    except ValidationErrors as error:
        return None, [UserError.from_domain(e) for e in error.errors]
    except DomainError as error:
        return None, [UserError.from_domain(error)]
    context = info.context
    context.loaders = Loaders(user=context.user, visitor_key=context.visitor_key)
    return result, []


@contextmanager
def refusals_as_errors():
    """A domain refusal as a GraphQL error with its code."""
    try:
        yield
    except DomainError as error:
        raise GraphQLError(error.message, extensions={"code": error.code.value}) from None
