from typing import Annotated

import strawberry
from graphql import GraphQLError

from cms.selectors.posts import post_get
from schema.core.connections import After, Before, First, Last
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
    def post(self, info: Info,
             slug: Annotated[str | None, strawberry.argument(
                 description="The post's slug. Give `slug` or `id`, not both. A slug the "
                             "post had before (a renamed slug, an imported WordPress "
                             "permalink, percent-encoded or not) finds it too: the answer's "
                             "`slug` is then its current one, so a frontend that asked by "
                             "another slug redirects there (e.g. 301).")] = None,
             id: Annotated[strawberry.ID | None, strawberry.argument(
                 description="The post's global ID. Give `slug` or `id`, not both.")] = None,
             preview_token: Annotated[str | None, strawberry.argument(
                 description="A token from `createPreviewToken`, for this post: it opens the "
                             "post whatever its status, to anyone holding it, until it "
                             "expires.")] = None,
             ) -> Post | None:
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
    def posts(self, info: Info, first: First = None, after: After = None, last: Last = None,
              before: Before = None,
              filter: Annotated[PostFilter | None, strawberry.argument(
                  description="Only the posts that match every field given.")] = None,
              order: Annotated[PostOrder | None, strawberry.argument(
                  description="By publication time.")] = PostOrder.NEWEST_FIRST,
              ) -> PostConnection:
        return post_page(info, page_args(first, after, last, before), order,
                         **narrowed_by(filter))
