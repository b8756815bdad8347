"""G, graphene-django 3.2: the schema a Django developer writes by hand (DjangoObjectType, relay
connections, resolvers over the ORM), and a tuned variant of it as a strong graphene-django
developer writes it, keeping graphene's idioms: `select_related` and `prefetch_related` only for
what the query selects, replies prefetched sliced per parent (Django's sliced `Prefetch`, a
window function) with their totals from the stored counters, `only()` the columns read,
`parent { id }` answered from the foreign key without loading the parent, and parsed and
validated documents kept (`ValidatedDocumentsView`).

The field names follow Hearth's contract so every GraphQL contender runs the same documents.
Writes call the same `cms` services as Hearth.
"""

from collections import OrderedDict

import graphene
from django.db.models import Prefetch
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.fields import DjangoConnectionField
from graphene_django.registry import Registry
from graphene_django.views import GraphQLView
from graphql import GraphQLError, OperationType, execute, get_operation_ast, parse, validate
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode
from graphql_relay import from_global_id

from cms import models
from cms.errors import DomainError
from cms.models.reactions import COUNT_FIELDS
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


class Counted(list):
    """A prefetched page of rows with the total the stored counter gives."""

    def __init__(self, rows, total: int):
        super().__init__(rows)
        self.total = total


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True)

    def resolve_total_count(root, info):
        return getattr(root.iterable, "total", root.length)


def subfields(nodes, info) -> list[FieldNode]:
    """The fields selected under `nodes`, through fragments."""
    found = []
    for node in nodes:
        for selection in node.selection_set.selections if node.selection_set else []:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found += subfields([selection], info)
            elif isinstance(selection, FragmentSpreadNode):
                found += subfields([info.fragments[selection.name.value]], info)
    return found


def selects(info, *path: str) -> bool:
    """Whether the query selects `path` (field names) under the field being resolved."""
    nodes = info.field_nodes
    for name in path:
        nodes = [field for field in subfields(nodes, info) if field.name.value == name]
        if not nodes:
            return False
    return True


def selects_only_id(info) -> bool:
    return {field.name.value for field in subfields(info.field_nodes, info)} <= {"id"}


# The columns the Comment type reads (not the Markdown body, e-mail, IP or user agent).
COMMENT_COLUMNS = ["id", "post_id", "parent_id", "path", "depth", "html", "created_at", "status",
                   "author_name", "author_url", "user_id", "reply_count", "descendant_count",
                   *COUNT_FIELDS]
USER_COLUMNS = ["user__id", "user__display_name", "user__username"]


class ValidatedDocumentsView(GraphQLView):
    """graphene-django's view keeping the documents it parsed and validated (the 256 last
    different ones), so a repeated query is only executed. Anything else (an invalid document,
    a mutation over GET) goes the base class's way, which answers it as before."""

    documents: OrderedDict = OrderedDict()

    def execute_graphql_request(self, request, data, query, variables, operation_name,
                                show_graphiql=False):
        document = self.documents.get(query)
        if document is None and query:
            try:
                document = parse(query)
            except GraphQLError:
                document = None
            if document is not None and not validate(self.schema.graphql_schema, document):
                self.documents[query] = document
                if len(self.documents) > 256:
                    self.documents.popitem(last=False)
            else:
                document = None
        operation = document and get_operation_ast(document, operation_name)
        if operation is None or (request.method == "GET"
                                 and operation.operation != OperationType.QUERY):
            return super().execute_graphql_request(request, data, query, variables,
                                                   operation_name, show_graphiql)
        return execute(self.schema.graphql_schema, document,
                       root_value=self.get_root_value(request),
                       context_value=self.get_context(request), variable_values=variables,
                       operation_name=operation_name, middleware=self.get_middleware(request))


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

        def resolve_parent(comment, info):
            if tuned and selects_only_id(info):  # the id is the foreign key: no parent row
                return models.Comment(pk=comment.parent_id) if comment.parent_id else None
            return comment.parent

        def resolve_replies(comment, info, **kwargs):
            if tuned and hasattr(comment, "reply_page"):
                return Counted(comment.reply_page, comment.reply_count)
            return comment.children.filter(status=APPROVED).order_by("path")

    def first_argument(info, path: tuple[str, ...]) -> int:
        """The `first:` of the connection field at `path` (a literal or a variable)."""
        nodes = info.field_nodes
        for name in path:
            nodes = [field for field in subfields(nodes, info) if field.name.value == name]
        for argument in nodes[0].arguments if nodes else []:
            if argument.name.value == "first":
                value = argument.value
                if hasattr(value, "name"):  # a variable
                    return int(info.variable_values[value.name.value])
                return int(value.value)
        return 100

    def comments(info, path: tuple[str, ...]):
        """Approved comments as the query at `path` (a comment node) reads them: the columns
        read, the author's row, the visitor's reactions and a page of replies only when
        selected."""
        columns = COMMENT_COLUMNS
        queryset = models.Comment.objects.filter(status=APPROVED).order_by("path")
        if selects(info, *path, "author"):
            queryset, columns = queryset.select_related("user"), columns + USER_COLUMNS
        if selects(info, *path, "reactions", "viewerReactions"):
            queryset = queryset.prefetch_related(viewer_prefetch(info.context))
        if selects(info, *path, "replies"):
            first = first_argument(info, (*path, "replies"))
            page = comments(info, (*path, "replies", "edges", "node"))[:first + 1]
            queryset = queryset.prefetch_related(Prefetch("children", queryset=page,
                                                          to_attr="reply_page"))
        return queryset.only(*columns)

    def posts(info, path: tuple[str, ...]):
        queryset = models.Post.objects.live().defer("body")
        if selects(info, *path, "author"):
            queryset = queryset.select_related("author")
        if selects(info, *path, "tags"):
            queryset = queryset.prefetch_related("tags")
        if selects(info, *path, "reactions", "viewerReactions"):
            queryset = queryset.prefetch_related(viewer_prefetch(info.context))
        return queryset

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
            if tuned:
                return comments(info, ("edges", "node")).filter(post=post, parent=None)
            return post.comments.filter(parent=None, status=APPROVED).order_by("path")

        def resolve_thread(post, info, **kwargs):
            if tuned:
                return comments(info, ("edges", "node")).filter(post=post)
            return post.comments.filter(status=APPROVED).order_by("path")

    class Query(graphene.ObjectType):
        post = graphene.Field(Post, slug=graphene.String(required=True))
        posts = DjangoConnectionField(Post)

        def resolve_post(root, info, slug):
            queryset = posts(info, ()) if tuned else models.Post.objects.live()
            return queryset.filter(slug=slug).first()

        def resolve_posts(root, info, **kwargs):
            queryset = posts(info, ("edges", "node")) if tuned else models.Post.objects.live()
            return queryset.order_by("-published_at", "-id")

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
