"""S, strawberry-django as its documentation teaches: the same types as N, with the query
optimizer (DjangoOptimizerExtension) switched on, relations and connections declared as fields
so the optimizer can prefetch them (nested connections sliced per parent with window functions),
hints (`only`, `select_related`, `prefetch_related`) on the fields computed in Python, and
`get_queryset` for what a reader may see. Reads only: the writes are the same `cms` services for
every contender, measured through N, H and G.

The field names follow Hearth's contract so every GraphQL contender runs the same documents.
"""


import strawberry
import strawberry_django
from django.db.models import Prefetch
from django.views.decorators.csrf import csrf_exempt
from strawberry import relay
from strawberry.django.views import GraphQLView
from strawberry.types import Info
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.relay import DjangoListConnection

from benchmarks.naive_schema import CommentAuthor, ReactionCount, ReactionKind, visitor_key
from cms import models
from cms.models.reactions import COUNT_FIELDS


def viewer_prefetch(info: Info) -> Prefetch:
    """The visitor's own reactions, prefetched beside the subjects (the optimizer merges it)."""
    return Prefetch("reactions", to_attr="viewer_rows",
                    queryset=models.Reaction.objects.filter(visitor_key=visitor_key(info))
                    .only("id", "kind", "post_id", "comment_id").order_by("id"))


@strawberry.type
class ReactionSummary:
    subject: strawberry.Private[object]

    @strawberry.field
    def total(self) -> int:
        return sum(self.subject.reaction_counts().values())

    @strawberry.field
    def counts(self) -> list[ReactionCount]:
        counts = sorted(((k, n) for k, n in self.subject.reaction_counts().items() if n),
                        key=lambda item: -item[1])
        return [ReactionCount(kind=ReactionKind(k), count=n) for k, n in counts]

    @strawberry.field
    def viewer_reactions(self) -> list[ReactionKind]:
        kinds = dict.fromkeys(row.kind for row in self.subject.viewer_rows)
        return [ReactionKind(k) for k in kinds]


REACTION_HINTS = {"only": COUNT_FIELDS, "prefetch_related": [viewer_prefetch]}


@strawberry_django.type(models.User, name="Author")
class Author(relay.Node):
    slug: strawberry.auto
    display_name: strawberry.auto

    @strawberry_django.field(only=["avatar_url"])
    def avatar_url(self) -> str | None:
        return self.avatar_url or None


@strawberry_django.type(models.Tag, name="Tag")
class Tag(relay.Node):
    slug: strawberry.auto
    name: strawberry.auto

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.order_by("name")


@strawberry_django.type(models.Comment, name="Comment")
class Comment(relay.Node):
    depth: strawberry.auto
    html: strawberry.auto
    created_at: strawberry.auto
    reply_count: strawberry.auto
    descendant_count: strawberry.auto
    status: str
    parent: "Comment | None"
    replies: DjangoListConnection["Comment"] = strawberry_django.connection(field_name="children")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(status=models.CommentStatus.APPROVED).order_by("path")

    @strawberry_django.field(only=["author_name", "author_url", "user_id"],
                             select_related=["user"])
    def author(self) -> CommentAuthor:
        return CommentAuthor(name=self.display_name, url=self.author_url or None)

    @strawberry_django.field(**REACTION_HINTS)
    def reactions(self) -> ReactionSummary:
        return ReactionSummary(subject=self)


@strawberry_django.type(models.Post, name="Post")
class Post(relay.Node):
    slug: strawberry.auto
    title: strawberry.auto
    excerpt: strawberry.auto
    html: strawberry.auto
    published_at: strawberry.auto
    comment_count: strawberry.auto
    author: Author
    tags: list[Tag]
    thread: DjangoListConnection[Comment] = strawberry_django.connection(field_name="comments")

    @strawberry_django.field(**REACTION_HINTS)
    def reactions(self) -> ReactionSummary:
        return ReactionSummary(subject=self)

    @strawberry_django.connection(DjangoListConnection[Comment])
    def comments(self) -> list[Comment]:
        return self.comments.filter(parent=None)


@strawberry.type
class Query:
    @strawberry_django.field
    def post(self, slug: str) -> Post | None:
        return models.Post.objects.live().filter(slug=slug)

    @strawberry_django.connection(DjangoListConnection[Post])
    def posts(self) -> list[Post]:
        return models.Post.objects.live().order_by("-published_at", "-id")


optimized_schema = strawberry.Schema(query=Query, extensions=[DjangoOptimizerExtension])
optimized_view = csrf_exempt(GraphQLView.as_view(schema=optimized_schema))
