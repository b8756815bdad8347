"""Reacting and taking a reaction back: `react`, `unreact`."""

from __future__ import annotations

import functools
from typing import Annotated

import strawberry
from strawberry import relay

from cms.services import reactions as reaction_services
from cms.visitors import new_visitor
from schema.core import lookups
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.ids import decode_global_id
from schema.reactions.types import ReactionKind, ReactionSummary


@strawberry.input(description="A reaction of one kind to a post or a comment.")
class ReactInput:
    subject_id: strawberry.ID = strawberry.field(description="A Post or a Comment.")
    kind: ReactionKind | None = strawberry.field(default=ReactionKind.LIKE,
                                                 description="The kind; LIKE when left out.")
    private: bool | None = strawberry.field(
        default=False, description="`react` only: count the reaction without listing the reader "
        "among the subject's `reactors` (a guest is never listed). Reacting again with another "
        "value changes only this.")


@strawberry.type(description="The subject and its reactions after the change, or why not.")
class ReactionPayload:
    subject: relay.Node | None = strawberry.field(description="The post or comment reacted to; "
                                                  "null when it was refused.")
    reactions: ReactionSummary | None = strawberry.field(description="The subject's reactions "
                                                         "after the change; null when it was "
                                                         "refused.")
    visitor_token: str | None = strawberry.field(description="Issued to an anonymous reactor; send "
                                                             "it back as X-Visitor-Token.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty on "
                                               "success.")


ReactArgument = Annotated[ReactInput, strawberry.argument(
    description="The subject and the kind. Anonymous visitors send their X-Visitor-Token "
                "header, if they have one.")]


@strawberry.type
class ReactionMutation:
    @strawberry.mutation(description="React to a post or a comment. Idempotent.")
    def react(self, info: Info, input: ReactArgument) -> ReactionPayload:
        return _reaction(info, input, functools.partial(reaction_services.reaction_add,
                                                        private=bool(input.private)))

    @strawberry.mutation(description="Take a reaction back. Idempotent.")
    def unreact(self, info: Info, input: ReactArgument) -> ReactionPayload:
        return _reaction(info, input, reaction_services.reaction_remove)


def _reaction(info: Info, input: ReactInput, service) -> ReactionPayload:
    context = info.context
    issued_token = None

    def write():
        nonlocal issued_token
        if context.visitor_token_error is not None:
            raise context.visitor_token_error
        subject = _reaction_subject(info, input.subject_id)
        visitor_key = context.visitor_key
        if context.user is None and visitor_key is None:
            visitor_key, issued_token = new_visitor()
        service(subject=subject, kind=(input.kind or ReactionKind.LIKE).value, user=context.user,
                visitor_key=visitor_key)
        context.visitor_key = visitor_key
        subject.refresh_from_db()
        return subject

    subject, errors = attempt(info, write)
    token = issued_token or (context.visitor_token if context.user is None else None)
    return ReactionPayload(subject=subject, reactions=ReactionSummary(subject=subject)
                           if subject else None, visitor_token=token if subject else None,
                           errors=errors)


def _reaction_subject(info: Info, value: str):
    type_name, _ = decode_global_id(value, field="subjectId", types=("Post", "Comment"))
    if type_name == "Post":
        return lookups.visible_post(info, value, "subjectId")
    return lookups.visible_comment(info, value, "subjectId")  # reactions take only approved ones
