"""People with accounts as the Reading half shows them."""

from __future__ import annotations

import strawberry
from strawberry import relay

from cms import models
from cms.selectors.users import authors_by_ids
from schema.core.connections import After, First
from schema.core.context import Info
from schema.core.ids import in_order, node_keys
from schema.core.pagination import page_args
from schema.posts.types import PostConnection, post_page


@strawberry.type(name="Author", description="A person with an account: writes posts, comments "
                                            "as themselves.")
class Author(relay.Node):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="The person in addresses and in "
                                 "`PostFilter.author`.")
    display_name: str = strawberry.field(description="The name shown with their posts and "
                                                      "comments.")
    bio: str = strawberry.field(description="A few words about them, as plain text; empty when "
                                "they wrote none.")

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, models.User)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return in_order(authors_by_ids(reader=info.context.reader, ids=node_keys(node_ids)),
                        node_ids)

    @strawberry.field(description="The address of their picture; null when they have none.")
    def avatar_url(self, root: strawberry.Parent[models.User]) -> str | None:
        return root.avatar_url or None

    @strawberry.field(description="Their posts the caller may read, newest first.")
    def posts(self, root: strawberry.Parent[models.User], info: Info, first: First = None,
              after: After = None) -> PostConnection:
        return post_page(info, page_args(first, after), author_id=root.pk)
