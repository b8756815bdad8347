from dataclasses import dataclass, replace
from functools import cache

import strawberry
from django.utils import timezone
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import Info

from cms import models
from cms.prepared import PreparedQuery
from cms.services import previews as preview_services
from schema.ids import parse_global_id
from schema.loaders import paginate, with_authors
from schema.pagination import PageArgs
from schema.selection import selects
from schema.types import (
    Author,
    Comment,
    CommentConnection,
    CommentStatus,
    Post,
    PostConnection,
    PostFilter,
    PostOrder,
    Tag,
    filter_posts,
    post_page,
    visible_posts,
)


@dataclass(frozen=True)
class Reader:
    """What post visibility reads of a caller (`PostQuerySet.visible_to`): a post lookup is
    prepared once per kind of reader, with the caller's id as a value."""

    is_authenticated: bool
    is_active: bool
    is_moderator: bool
    pk: int | None = None

    @classmethod
    def of(cls, user) -> "Reader | None":
        return None if user is None else cls(user.is_authenticated, user.is_active,
                                             user.is_moderator)


@cache
def post_lookup(field: str, with_author: bool, reader: Reader | None, *,
                preview: bool) -> PreparedQuery:
    """One post by `field` that the reader may see, or with a preview token the post it
    opens. Slug and id are unique: no ORDER BY to compile or run."""

    def build(key, now, user, opened):
        if preview:
            posts = models.Post.objects.filter(pk=opened)
        else:
            posts = models.Post.objects.visible_to(reader and replace(reader, pk=user), now)
        posts = posts.filter(**{field: key}).order_by()[:1]
        return with_authors(posts) if with_author else posts

    return PreparedQuery(build)


def pk_of(value: str, type_name: str) -> int | None:
    """The key of a canonical ID of `type_name`; None for anything else, which finds nothing."""
    parsed = parse_global_id(value)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


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
        opened = None
        if preview_token is not None:
            info.context.request.hearth_private = True  # a preview is never cached publicly
            opened = preview_services.post_id_from_preview_token(preview_token)
            if opened is None:
                return None
        user = info.context.user
        lookup = post_lookup("slug" if id is None else "pk", selects(info, "author"),
                             Reader.of(user), preview=opened is not None)
        found = lookup(key=slug if id is None else key, now=timezone.now(),
                       user=user.pk if user is not None else 0, opened=opened or 0)
        return info.context.loaders.remember_post(found[0]) if found else None

    @strawberry.field(description="Posts the caller may read.")
    def posts(self, info: Info, first: int | None = None, after: str | None = None,
              last: int | None = None, before: str | None = None,
              filter: PostFilter | None = None,
              order: PostOrder | None = PostOrder.NEWEST_FIRST) -> PostConnection:
        queryset = filter_posts(visible_posts(info), filter)
        return post_page(info, queryset, first, after, last, before, order)

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
        user = info.context.user
        if user is None or not user.is_authenticated:
            raise GraphQLError("Sign in as an editor or administrator to read the moderation "
                               "queue.", extensions={"code": "UNAUTHENTICATED"})
        if not info.context.is_moderator:
            raise GraphQLError("Only editors and administrators may read the moderation queue.",
                               extensions={"code": "FORBIDDEN"})
        args = PageArgs.parse(first, after)
        queryset = (models.Comment.objects.filter(status=(status or CommentStatus.PENDING).value)
                    .select_related("user").order_by("created_at", "id"))
        page = paginate(queryset, args)
        info.context.loaders.remember(page.rows)
        return CommentConnection(page=page)
