"""N, naive strawberry-django: the obvious types over Hearth's models, no optimizer, no loaders.

The field names follow Hearth's contract so every GraphQL contender runs the same documents.
Writes call the same `cms` services as Hearth: the difference measured is the read side.
"""

from collections.abc import Iterable
from enum import Enum

import strawberry
import strawberry_django
from django.views.decorators.csrf import csrf_exempt
from strawberry import relay
from strawberry.django.views import GraphQLView
from strawberry.types import Info
from strawberry_django.relay import DjangoListConnection

from cms import models
from cms.errors import DomainError
from cms.services import comments as comment_services
from cms.services import reactions as reaction_services
from cms.visitors import new_visitor, visitor_key_from_token


@strawberry.enum
class ReactionKind(Enum):
    LIKE = "like"
    LOVE = "love"
    HUG = "hug"
    LAUGH = "laugh"
    WOW = "wow"
    SAD = "sad"
    CELEBRATE = "celebrate"


def visitor_key(info: Info) -> str | None:
    token = info.context.request.headers.get("X-Visitor-Token")
    try:
        return visitor_key_from_token(token) if token else None
    except DomainError:
        return None


@strawberry.type
class ReactionCount:
    kind: ReactionKind
    count: int


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
    def viewer_reactions(self, info: Info) -> list[ReactionKind]:
        key = visitor_key(info)
        if key is None:
            return []
        kinds = self.subject.reactions.filter(visitor_key=key).order_by("id")
        return [ReactionKind(k) for k in dict.fromkeys(kinds.values_list("kind", flat=True))]


@strawberry_django.type(models.User, name="Author")
class Author(relay.Node):
    slug: strawberry.auto
    display_name: strawberry.auto

    @strawberry_django.field
    def avatar_url(self) -> str | None:
        return self.avatar_url or None


@strawberry_django.type(models.Tag, name="Tag")
class Tag(relay.Node):
    slug: strawberry.auto
    name: strawberry.auto


@strawberry.type
class CommentAuthor:
    name: str
    url: str | None


@strawberry_django.type(models.Comment, name="Comment")
class Comment(relay.Node):
    depth: strawberry.auto
    html: strawberry.auto
    created_at: strawberry.auto
    reply_count: strawberry.auto
    descendant_count: strawberry.auto
    status: str
    parent: "Comment | None"

    @strawberry_django.field
    def author(self) -> CommentAuthor:
        return CommentAuthor(name=self.display_name, url=self.author_url or None)

    @strawberry_django.field
    def reactions(self) -> ReactionSummary:
        return ReactionSummary(subject=self)

    @strawberry_django.connection(DjangoListConnection["Comment"])
    def replies(self) -> Iterable["Comment"]:
        return self.children.filter(status=models.CommentStatus.APPROVED).order_by("path")


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

    @strawberry_django.field
    def reactions(self) -> ReactionSummary:
        return ReactionSummary(subject=self)

    @strawberry_django.connection(DjangoListConnection[Comment])
    def comments(self) -> Iterable[Comment]:
        return self.comments.filter(parent=None, status=models.CommentStatus.APPROVED) \
            .order_by("path")

    @strawberry_django.connection(DjangoListConnection[Comment])
    def thread(self) -> Iterable[Comment]:
        return self.comments.filter(status=models.CommentStatus.APPROVED).order_by("path")


@strawberry.type
class Query:
    @strawberry_django.field
    def post(self, slug: str) -> Post | None:
        return models.Post.objects.live().filter(slug=slug).first()

    @strawberry_django.connection(DjangoListConnection[Post])
    def posts(self) -> Iterable[Post]:
        return models.Post.objects.live().order_by("-published_at", "-id")


@strawberry.input
class AddCommentInput:
    post_id: relay.GlobalID
    parent_id: relay.GlobalID | None = None
    body: str
    author_name: str | None = None
    author_email: str | None = None


@strawberry.input
class ReactInput:
    subject_id: relay.GlobalID
    kind: ReactionKind = ReactionKind.LIKE


@strawberry.type
class UserError:
    code: str
    message: str


@strawberry.type
class CommentPayload:
    comment: Comment | None
    errors: list[UserError]


@strawberry.type
class ReactionPayload:
    reactions: ReactionSummary | None
    visitor_token: str | None
    errors: list[UserError]


def _react(info: Info, input: ReactInput, service) -> ReactionPayload:
    key, token = visitor_key(info), None
    if key is None:
        key, token = new_visitor()
    subject = models.Comment.objects.get(pk=int(input.subject_id.node_id))
    service(subject=subject, kind=input.kind.value, visitor_key=key)
    subject.refresh_from_db()
    return ReactionPayload(reactions=ReactionSummary(subject=subject), visitor_token=token,
                           errors=[])


@strawberry.type
class Mutation:
    @strawberry_django.mutation
    def add_comment(self, info: Info, input: AddCommentInput) -> CommentPayload:
        post = models.Post.objects.get(pk=int(input.post_id.node_id))
        parent = models.Comment.objects.get(pk=int(input.parent_id.node_id)) \
            if input.parent_id else None
        try:
            comment = comment_services.comment_create(
                actor=None, post=post, parent=parent, body=input.body,
                author_name=input.author_name, author_email=input.author_email,
                ip_address=info.context.request.META.get("REMOTE_ADDR"))
        except DomainError as error:
            return CommentPayload(comment=None, errors=[UserError(code=error.code.value,
                                                                  message=error.message)])
        return CommentPayload(comment=comment, errors=[])

    @strawberry_django.mutation
    def react(self, info: Info, input: ReactInput) -> ReactionPayload:
        return _react(info, input, reaction_services.reaction_add)

    @strawberry_django.mutation
    def unreact(self, info: Info, input: ReactInput) -> ReactionPayload:
        return _react(info, input, reaction_services.reaction_remove)


naive_schema = strawberry.Schema(query=Query, mutation=Mutation)
naive_view = csrf_exempt(GraphQLView.as_view(schema=naive_schema))
