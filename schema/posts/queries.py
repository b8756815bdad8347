from contextlib import contextmanager

import strawberry
from graphql import GraphQLError
from strawberry import relay

from cms.errors import DomainError
from cms.policies import require_moderation_queue_reader
from cms.selectors.posts import post_get
from schema.core.ids import parse_global_id
from schema.core.pagination import page_args
from schema.core.selection import selects
from schema.engine.fast_execution import Info
from schema.posts.types import (
    Author,
    Comment,
    CommentConnection,
    CommentStatus,
    Post,
    PostConnection,
    PostFilter,
    PostOrder,
    Tag,
    narrowed_by,
    post_page,
)


def pk_of(value: str, type_name: str) -> int | None:
    """The key of a canonical ID of `type_name`; None for anything else, which finds nothing."""
    parsed = parse_global_id(value)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


@contextmanager
def refusals_as_errors():
    """A domain refusal as a GraphQL error with its code."""
    try:
        yield
    except DomainError as error:
        raise GraphQLError(error.message, extensions={"code": error.code.value}) from None


# The types `node(id:)` opens; an ID of any other type (`Node`, `Query`, `UserError`) is null.
NODE_TYPES = {node_type.__name__: node_type for node_type in (Author, Comment, Post, Tag)}


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID, if the caller may see it; null "
                                  "for an ID of no such object or of a type without nodes.")
    def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        parsed = parse_global_id(id)
        node_type = NODE_TYPES.get(parsed[0]) if parsed else None
        if node_type is None:
            return None
        found = node_type.resolve_nodes(info=info, node_ids=[str(parsed[1])], required=False)
        return next(iter(found), None)

    @strawberry.field(description="One post by slug or by ID. With `previewToken` (from "
                                  "`createPreviewToken`), the post that token opens, whatever "
                                  "its status, or null for a bad or expired token.")
    def post(self, info: Info, slug: str | None = None, id: strawberry.ID | None = None,
             preview_token: str | None = None) -> Post | None:
        if (slug is None) == (id is None):
            raise GraphQLError("Pass exactly one of `slug` and `id`.")
        if id is not None:
            key = pk_of(id, "Post")
            if key is None:
                return None
        if preview_token is not None:
            info.context.private = True  # a preview is never cached publicly
        found = post_get(reader=info.context.reader, slug=slug, pk=None if id is None else key,
                         preview_token=preview_token, with_author=selects(info, "author"))
        return info.context.loaders.remember_post(found) if found else None

    @strawberry.field(description="Posts the caller may read.")
    def posts(self, info: Info, first: int | None = None, after: str | None = None,
              last: int | None = None, before: str | None = None,
              filter: PostFilter | None = None,
              order: PostOrder | None = PostOrder.NEWEST_FIRST) -> PostConnection:
        return post_page(info, page_args(first, after, last, before), order,
                         **narrowed_by(filter))

    @strawberry.field(description="One comment by ID, if the caller may see it.")
    def comment(self, info: Info, id: strawberry.ID) -> Comment | None:
        pk = pk_of(id, "Comment")
        return None if pk is None else info.context.loaders.comment(pk)

    @strawberry.field(description="The signed-in user; null when anonymous.")
    def viewer(self, info: Info) -> Author | None:
        user = info.context.user
        return user if user is not None and user.is_authenticated else None

    @strawberry.field(description="Comments awaiting a decision, oldest first. Editors and "
                                  "administrators only.")
    def moderation_queue(self, info: Info, first: int | None = None, after: str | None = None,
                         status: CommentStatus | None = CommentStatus.PENDING,
                         ) -> CommentConnection:
        with refusals_as_errors():  # before any complaint about the arguments
            require_moderation_queue_reader(info.context.reader)
        page = info.context.loaders.moderation_queue(page_args(first, after),
                                                     (status or CommentStatus.PENDING).value)
        return CommentConnection(page=page)
