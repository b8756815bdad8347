"""Query limits, checked on the parsed document before any resolver runs.

- tokens: the parser stops after `HEARTH_MAX_TOKENS` tokens (graphql-core's `max_tokens`);
- depth: the longest chain of nested fields, top-level fields at depth 0 (`HEARTH_MAX_QUERY_DEPTH`);
- aliases: aliased fields, counted once per use of the fragment they sit in (`HEARTH_MAX_ALIASES`);
- nodes: GitHub's rule (`HEARTH_MAX_NODES`): each connection field asks for its page size times
  the page sizes of the connections around it; a connection without `first`/`last` counts the
  default page size. Page sizes come from literal arguments or the request's variables.

Fragments are measured once each and remembered, so a spread repeated a thousand times or a
fragment spreading itself (which graphql-core reports as a cycle) costs one walk. Settings are read
per request, so a test or an operator can change them without a restart.
"""

import re
from collections.abc import Iterator

from django.conf import settings
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from cms import ratelimit
from schema.context import Context

SUGGESTION = re.compile(r" Did you mean [^?]*\?")
TOO_MANY_TOKENS = "Document contains more than"


def limit_error(limit: str, actual: int, maximum: int, setting: str) -> GraphQLError:
    return GraphQLError(
        f"The query exceeds the {limit} limit: {actual:,}, at most {maximum:,} ({setting}).",
        extensions={"code": "QUERY_TOO_COMPLEX", "limit": limit, "maximum": maximum},
    )


class Measure:
    """Depth, aliases and nodes of one operation, walked with the schema's types."""

    def __init__(self, context: ValidationContext, operation: OperationDefinitionNode,
                 variables: dict):
        self.schema = context.schema
        self.fragments = {d.name.value: d for d in context.document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)
        self.known: dict[str, tuple[int, int, int]] = {}
        self.walking: set[str] = set()

    def selections(self, selection_set, parent_type) -> tuple[int, int, int]:
        """(fields on the longest path, aliases, nodes for one parent object)."""
        depth = aliases = nodes = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                d, a, n = self.field(selection, parent_type)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent_type
                d, a, n = self.selections(selection.selection_set, type_)
            elif isinstance(selection, FragmentSpreadNode):
                d, a, n = self.fragment(selection.name.value)
            else:
                continue
            depth, aliases, nodes = max(depth, d), aliases + a, nodes + n
        return depth, aliases, nodes

    def fragment(self, name: str) -> tuple[int, int, int]:
        if name in self.known:
            return self.known[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.walking:  # unknown or cyclic: validation reports it
            return 0, 0, 0
        self.walking.add(name)
        type_ = self.schema.get_type(fragment.type_condition.name.value)
        self.known[name] = self.selections(fragment.selection_set, type_)
        self.walking.discard(name)
        return self.known[name]

    def field(self, node: FieldNode, parent_type) -> tuple[int, int, int]:
        alias = 1 if node.alias else 0
        if node.selection_set is None:
            return 1, alias, 0
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(node.name.value)
        type_ = get_named_type(definition.type) if definition else None
        depth, aliases, nodes = self.selections(node.selection_set, type_)
        if type_ is not None and type_.name.endswith("Connection"):
            size = self.page_size(node)
            nodes = size + size * nodes
        return depth + 1, alias + aliases, nodes

    def page_size(self, node: FieldNode) -> int:
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int):
                    sizes.append(given)
        if not sizes:
            return settings.HEARTH_DEFAULT_PAGE_SIZE
        return max(0, *sizes)


def limits_rule(variables: dict) -> type[ValidationRule]:
    """A validation rule measuring every operation of the document against the settings."""

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            for operation in context.document.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    self.check(operation, variables)

        def check(self, operation: OperationDefinitionNode, variables: dict) -> None:
            measure = Measure(self.context, operation, variables)
            root = self.context.schema.get_root_type(operation.operation)
            fields, aliases, nodes = measure.selections(operation.selection_set, root)
            depth = max(0, fields - 1)
            checks = (("depth", depth, settings.HEARTH_MAX_QUERY_DEPTH, "HEARTH_MAX_QUERY_DEPTH"),
                      ("aliases", aliases, settings.HEARTH_MAX_ALIASES, "HEARTH_MAX_ALIASES"),
                      ("nodes", nodes, settings.HEARTH_MAX_NODES, "HEARTH_MAX_NODES"))
            for limit, actual, maximum, setting in checks:
                if actual > maximum:
                    self.report_error(limit_error(limit, actual, maximum, setting))

        def enter_string_value(self, node, *_args) -> None:
            if "\x00" in node.value:
                self.report_error(GraphQLError("Strings may not contain NUL characters.",
                                               nodes=[node]))

    return QueryLimitsRule


class QueryLimits(SchemaExtension):
    """Tokens, depth, aliases, nodes and introspection, per the settings; no suggestions of field
    names in errors unless DEBUG is on."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = settings.HEARTH_MAX_TOKENS
        variables = context.variables if isinstance(context.variables, dict) else {}
        rules = [limits_rule(variables)]
        if not settings.HEARTH_INTROSPECTION:
            rules.append(NoSchemaIntrospectionCustomRule)
        context.validation_rules = (*context.validation_rules, *rules)
        try:
            yield
        except GraphQLError as error:  # a parse error raised in another extension's on_parse
            finish([error])
            raise
        if context.result is not None and context.result.errors:
            finish(context.result.errors)


def finish(errors: list[GraphQLError]) -> None:
    """Our code on the parser's token error; no "Did you mean ...?" unless DEBUG is on."""
    for error in errors:
        if TOO_MANY_TOKENS in error.message:
            error.extensions = {"code": "QUERY_TOO_COMPLEX", "limit": "tokens",
                                "maximum": settings.HEARTH_MAX_TOKENS}
        if not settings.DEBUG:
            error.message = SUGGESTION.sub("", error.message)


class MutationRateLimit(SchemaExtension):
    """Mutations per caller and window (HEARTH_MUTATION_RATE_LIMIT per
    HEARTH_MUTATION_RATE_WINDOW_SECONDS): signed-in callers per user, anonymous ones per IP,
    moderators exempt. Each top-level mutation field counts once. A refusal runs nothing: 429,
    a Retry-After header, and RATE_LIMITED with `retryAfter` in the error's extensions."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type == OperationType.MUTATION:
            retry_after = self.check(context)
            if retry_after is not None:
                response = context.context.response
                response.status_code = 429
                response["Retry-After"] = str(retry_after)
                context.result = ExecutionResult(data=None, errors=[GraphQLError(
                    f"Too many changes; try again in {retry_after} seconds.",
                    extensions={"code": "RATE_LIMITED", "retryAfter": retry_after})])
        yield

    def check(self, context) -> int | None:
        request_context = context.context
        if not isinstance(request_context, Context) or request_context.is_moderator:
            return None
        user = request_context.user
        who = f"user:{user.pk}" if user is not None else f"ip:{request_context.client_ip}"
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        cost = max(1, len(operation.selection_set.selections)) if operation else 1
        return ratelimit.hit(f"mutation:{who}", limit=settings.HEARTH_MUTATION_RATE_LIMIT,
                             window=settings.HEARTH_MUTATION_RATE_WINDOW_SECONDS, cost=cost)
