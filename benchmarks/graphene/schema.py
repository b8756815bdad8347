"""G, graphene-django 3.2: the schema a Django developer writes by hand (DjangoObjectType, relay
connections, resolvers over the ORM), and a tuned variant of it (`select_related`,
`prefetch_related` with `Prefetch` objects) that keeps graphene's idioms.

The field names follow Hearth's contract so every GraphQL contender runs the same documents.
Writes call the same `cms` services as Hearth.
"""

import graphene
from django.db.models import Prefetch
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.fields import DjangoConnectionField
from graphene_django.registry import Registry
from graphql_relay import from_global_id

from cms import models
from cms.errors import DomainError
from cms.services import comments as comment_services
from cms.services import reactions as reaction_services
from cms.visitors import new_visitor, visitor_key_from_token

APPROVED = models.CommentStatus.APPROVED


def visitor_key(request) -> str | None:
    token = request.headers.get("X-Visitor-Token")
    try:
        return visitor_key_from_token(token) if token else None
    except DomainError:
        return None


class ReactionKind(graphene.Enum):
    LIKE = "like"
    LOVE = "love"
    HUG = "hug"
    LAUGH = "laugh"
    WOW = "wow"
    SAD = "sad"
    CELEBRATE = "celebrate"


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True)

    def resolve_total_count(root, info):
        return root.length


class ReactionCount(graphene.ObjectType):
    kind = graphene.Field(ReactionKind, required=True)
    count = graphene.Int(required=True)


class ReactionSummary(graphene.ObjectType):
    """Resolved from the post or comment itself."""

    total = graphene.Int(required=True)
    counts = graphene.List(graphene.NonNull(ReactionCount), required=True)
    viewer_reactions = graphene.List(graphene.NonNull(ReactionKind), required=True)

    def resolve_total(subject, info):
        return sum(subject.reaction_counts().values())

    def resolve_counts(subject, info):
        counts = sorted(((k, n) for k, n in subject.reaction_counts().items() if n),
                        key=lambda item: -item[1])
        return [ReactionCount(kind=k, count=n) for k, n in counts]

    def resolve_viewer_reactions(subject, info):
        if hasattr(subject, "viewer_rows"):  # the tuned schema prefetched them
            return list(dict.fromkeys(r.kind for r in subject.viewer_rows))
        key = visitor_key(info.context)
        if key is None:
            return []
        rows = subject.reactions.filter(visitor_key=key).order_by("id")
        return list(dict.fromkeys(rows.values_list("kind", flat=True)))


class CommentAuthor(graphene.ObjectType):
    name = graphene.String(required=True)
    url = graphene.String()


def viewer_prefetch(request) -> Prefetch:
    return Prefetch("reactions", to_attr="viewer_rows",
                    queryset=models.Reaction.objects.filter(visitor_key=visitor_key(request))
                    .order_by("id"))


def build_schema(*, tuned: bool) -> graphene.Schema:
    """The idiomatic schema, or the tuned one: same types, resolvers that prefetch."""
    types_registry = Registry()

    class Author(DjangoObjectType):
        class Meta:
            model = models.User
            name = "Author"
            interfaces = (relay.Node,)
            registry = types_registry
            fields = ("slug", "display_name")

        avatar_url = graphene.String()

        def resolve_avatar_url(user, info):
            return user.avatar_url or None

    class Tag(DjangoObjectType):
        class Meta:
            model = models.Tag
            name = "Tag"
            interfaces = (relay.Node,)
            registry = types_registry
            fields = ("slug", "name")

    class Comment(DjangoObjectType):
        class Meta:
            model = models.Comment
            name = "Comment"
            interfaces = (relay.Node,)
            registry = types_registry
            connection_class = CountableConnection
            fields = ("depth", "html", "created_at", "reply_count", "descendant_count", "status",
                      "parent")

        author = graphene.Field(CommentAuthor, required=True)
        reactions = graphene.Field(ReactionSummary, required=True)
        replies = DjangoConnectionField(lambda: Comment)

        def resolve_author(comment, info):
            return CommentAuthor(name=comment.display_name, url=comment.author_url or None)

        def resolve_reactions(comment, info):
            return comment

        def resolve_replies(comment, info, **kwargs):
            if tuned and "children" in getattr(comment, "_prefetched_objects_cache", {}):
                return comment.children.all()
            return comment.children.filter(status=APPROVED).order_by("path")

    def replies_prefetch(request, levels: int) -> Prefetch:
        queryset = (models.Comment.objects.filter(status=APPROVED).order_by("path")
                    .select_related("user").prefetch_related(viewer_prefetch(request)))
        if levels > 1:
            queryset = queryset.prefetch_related(replies_prefetch(request, levels - 1))
        return Prefetch("children", queryset=queryset)

    class Post(DjangoObjectType):
        class Meta:
            model = models.Post
            name = "Post"
            interfaces = (relay.Node,)
            registry = types_registry
            connection_class = CountableConnection
            fields = ("slug", "title", "excerpt", "html", "published_at", "comment_count",
                      "author", "tags")

        tags = graphene.List(graphene.NonNull(Tag), required=True)
        reactions = graphene.Field(ReactionSummary, required=True)
        comments = DjangoConnectionField(Comment)
        thread = DjangoConnectionField(Comment)

        def resolve_tags(post, info):
            return post.tags.all()

        def resolve_reactions(post, info):
            return post

        def resolve_comments(post, info, **kwargs):
            queryset = post.comments.filter(parent=None, status=APPROVED).order_by("path")
            if tuned:
                queryset = queryset.select_related("user").prefetch_related(
                    viewer_prefetch(info.context), replies_prefetch(info.context, 2))
            return queryset

        def resolve_thread(post, info, **kwargs):
            queryset = post.comments.filter(status=APPROVED).order_by("path")
            if tuned:
                queryset = queryset.select_related("user", "parent").prefetch_related(
                    viewer_prefetch(info.context))
            return queryset

    class Query(graphene.ObjectType):
        post = graphene.Field(Post, slug=graphene.String(required=True))
        posts = DjangoConnectionField(Post)

        def resolve_post(root, info, slug):
            queryset = models.Post.objects.live().filter(slug=slug)
            if tuned:
                queryset = queryset.select_related("author").prefetch_related(
                    "tags", viewer_prefetch(info.context))
            return queryset.first()

        def resolve_posts(root, info, **kwargs):
            queryset = models.Post.objects.live().order_by("-published_at", "-id")
            if tuned:
                queryset = queryset.select_related("author").prefetch_related(
                    "tags", viewer_prefetch(info.context))
            return queryset

    class UserError(graphene.ObjectType):
        code = graphene.String(required=True)
        message = graphene.String(required=True)

    class AddCommentInput(graphene.InputObjectType):
        post_id = graphene.ID(required=True)
        parent_id = graphene.ID()
        body = graphene.String(required=True)
        author_name = graphene.String()
        author_email = graphene.String()

    class ReactInput(graphene.InputObjectType):
        subject_id = graphene.ID(required=True)
        kind = ReactionKind(default_value=ReactionKind.LIKE.value)

    class AddComment(graphene.Mutation):
        class Arguments:
            input = AddCommentInput(required=True)

        comment = graphene.Field(Comment)
        errors = graphene.List(graphene.NonNull(UserError), required=True)

        def mutate(root, info, input):
            _, post_pk = from_global_id(input.post_id)
            post = models.Post.objects.get(pk=post_pk)
            parent = None
            if input.parent_id:
                parent = models.Comment.objects.get(pk=from_global_id(input.parent_id)[1])
            try:
                comment = comment_services.comment_create(
                    actor=None, post=post, parent=parent, body=input.body,
                    author_name=input.author_name, author_email=input.author_email,
                    ip_address=info.context.META.get("REMOTE_ADDR"))
            except DomainError as error:
                return AddComment(comment=None, errors=[UserError(code=error.code.value,
                                                                  message=error.message)])
            return AddComment(comment=comment, errors=[])

    def reaction_mutation(service):
        class ReactionMutation(graphene.Mutation):
            class Arguments:
                input = ReactInput(required=True)

            reactions = graphene.Field(ReactionSummary)
            visitor_token = graphene.String()
            errors = graphene.List(graphene.NonNull(UserError), required=True)

            def mutate(root, info, input):
                key, token = visitor_key(info.context), None
                if key is None:
                    key, token = new_visitor()
                subject = models.Comment.objects.get(
                    pk=from_global_id(input.subject_id)[1])
                kind = input.kind.value if hasattr(input.kind, "value") else input.kind
                service(subject=subject, kind=kind, visitor_key=key)
                subject.refresh_from_db()
                return ReactionMutation(reactions=subject, visitor_token=token, errors=[])

        return ReactionMutation

    React = type("React", (reaction_mutation(reaction_services.reaction_add),), {})
    Unreact = type("Unreact", (reaction_mutation(reaction_services.reaction_remove),), {})

    class Mutation(graphene.ObjectType):
        add_comment = AddComment.Field()
        react = React.Field()
        unreact = Unreact.Field()

    return graphene.Schema(query=Query, mutation=Mutation)
