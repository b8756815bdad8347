import logging

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError
from strawberry.schema.config import StrawberryConfig

from schema.accounts.mutations import AccountMutation
from schema.accounts.queries import AccountQuery
from schema.comments.mutations import CommentMutation
from schema.comments.queries import CommentQuery, ModerationQuery
from schema.core.document_cache import CachedParsing, CachedValidation
from schema.core.limits import MutationRateLimit, QueryLimits
from schema.engine.fast_execution import FastExecutionContext, StandardInfo
from schema.http.http_cache import CacheTags
from schema.http.result_cache import MarkQueries
from schema.images.mutations import ImageMutation
from schema.images.queries import ImageQuery
from schema.live.types import LiveSubscription, SubscriptionsOnly
from schema.mail.mutations import MailMutation
from schema.nodes import NodeQuery
from schema.posts.mutations import PostMutation, PreviewMutation
from schema.posts.queries import PostQuery
from schema.privacy.mutations import PrivacyMutation
from schema.reactions.mutations import ReactionMutation

logger = logging.getLogger("hearth")


def is_unexpected(error: GraphQLError) -> bool:
    """In production, errors we raise on purpose (GraphQLError) reach the client; anything else
    is a bug, logged with its traceback and shown as "Unexpected error.". A malformed global ID
    (GlobalIDValueError) is the caller's mistake, not a bug."""
    original = error.original_error
    expected = (GraphQLError, GlobalIDValueError)
    if settings.DEBUG or original is None or isinstance(original, expected):
        return False
    logger.error("Unexpected error in %s", error.path, exc_info=original)
    return True


# Each domain's root fields, merged (as strawberry.tools.merge_types does, which takes no
# description) in the order schema.graphql has always listed them.
@strawberry.type(description="Reading: what the caller may see, and nothing else. Anonymous "
                             "callers see published posts, their approved comments and reaction "
                             "counts.")
class Query(NodeQuery, PostQuery, CommentQuery, AccountQuery, ModerationQuery, ImageQuery):
    pass


@strawberry.type(description="Writing. Each mutation returns a payload whose `errors` list says "
                             "why it was refused (then nothing was written). Callers are "
                             "authenticated by `Authorization: Bearer <token>` or a browser "
                             "session; anonymous visitors may comment and react.")
class Mutation(PostMutation, CommentMutation, ReactionMutation, PreviewMutation, MailMutation,
               PrivacyMutation, AccountMutation, ImageMutation):
    pass


@strawberry.type(description="Live: changes pushed as they commit, over WebSocket "
                             "(graphql-transport-ws) on /graphql/. Each subscriber gets what it "
                             "may see at that moment, as a query of its own would show it.")
class Subscription(LiveSubscription):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=FastExecutionContext,
    config=StrawberryConfig(info_class=StandardInfo),
    extensions=[CachedParsing, QueryLimits, CachedValidation, SubscriptionsOnly,
                MutationRateLimit, CacheTags, MarkQueries,
                lambda: MaskErrors(should_mask_error=is_unexpected,
                                   error_message="Unexpected error.")],
)
