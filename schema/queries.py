import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import Info

from cms import models
from schema.ids import decode_global_id
from schema.loaders import paginate
from schema.pagination import PageArgs
from schema.types import (
    Author,
    Comment,
    CommentConnection,
    CommentStatus,
    Post,
    PostConnection,
    PostFilter,
    PostOrder,
    filter_posts,
    post_page,
    visible_posts,
)


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID, if the caller may see it; null "
                                  "for an ID of no such object or of a type without nodes.")
    def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        definition = info.schema.get_type_by_name(id.type_name)
        origin = getattr(definition, "origin", None)
        if not (isinstance(origin, type) and issubclass(origin, relay.Node)):
            return None
        found = origin.resolve_nodes(info=info, node_ids=[id.node_id], required=False)
        return next(iter(found), None)

    @strawberry.field(description="One post by slug or by ID. With `previewToken` (from "
                                  "`createPreviewToken`), the post that token opens, whatever "
                                  "its status, or null for a bad or expired token.")
    def post(self, info: Info, slug: str | None = None, id: strawberry.ID | None = None,
             preview_token: str | None = None) -> Post | None:
        if (slug is None) == (id is None):
            raise GraphQLError("Pass exactly one of `slug` and `id`.")
        from schema.previews import previewable_posts

        # Slug and id are unique: no ORDER BY to compile or run.
        posts = previewable_posts(info, preview_token).select_related("author").order_by()
        if id is not None:
            try:
                _, pk = decode_global_id(id, field="id", types=("Post",))
            except Exception:  # noqa: BLE001 - a malformed ID finds nothing
                return None
            found = posts.filter(pk=pk)[:1]
        else:
            found = posts.filter(slug=slug)[:1]
        post = next(iter(found), None)
        return info.context.loaders.remember_post(post) if post else None

    @strawberry.field(description="Posts the caller may read.")
    def posts(self, info: Info, first: int | None = None, after: str | None = None,
              last: int | None = None, before: str | None = None,
              filter: PostFilter | None = None,
              order: PostOrder | None = PostOrder.NEWEST_FIRST) -> PostConnection:
        queryset = filter_posts(visible_posts(info), filter)
        return post_page(info, queryset, first, after, last, before, order)

    @strawberry.field(description="One comment by ID, if the caller may see it.")
    def comment(self, info: Info, id: strawberry.ID) -> Comment | None:
        try:
            _, pk = decode_global_id(id, field="id", types=("Comment",))
        except Exception:  # noqa: BLE001
            return None
        return info.context.loaders.comment(pk)

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
