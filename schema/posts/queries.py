import strawberry
from graphql import GraphQLError

from cms.selectors.posts import post_get
from schema.core.context import Info
from schema.core.ids import pk_of
from schema.core.pagination import page_args
from schema.core.selection import selects
from schema.posts.types import Post, PostConnection, PostFilter, PostOrder, narrowed_by, post_page


@strawberry.type
class PostQuery:
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
