import logging

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from schema.mutations import Mutation
from schema.queries import Query

logger = logging.getLogger("hearth")


def is_unexpected(error: GraphQLError) -> bool:
    """Errors we raise on purpose (GraphQLError) reach the client; anything else is a bug."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _extensions():
    if settings.DEBUG:
        return []
    return [lambda: MaskErrors(should_mask_error=is_unexpected, error_message="Unexpected error.")]


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=_extensions())
