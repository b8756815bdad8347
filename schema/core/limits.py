"""Query limits, checked on the parsed document before graphql-core's validation rules (some of
which cost time quadratic in the document) and before any resolver runs.

- tokens: the parser stops after `HEARTH_MAX_TOKENS` tokens (graphql-core's `max_tokens`);
- selections: fields, fragment spreads and inline fragments as written in the document, every
  operation and fragment included (`HEARTH_MAX_SELECTIONS`); this bounds graphql-core's rules,
  some of which compare same-named fields pairwise or walk every fragment once per operation;
- introspection: `__schema` and `__type` fields, counted like aliases
  (`HEARTH_MAX_INTROSPECTION_FIELDS`); each answers with much of the schema;
- depth: the longest chain of nested fields, top-level fields at depth 0 (`HEARTH_MAX_QUERY_DEPTH`);
- aliases: aliased fields, counted once per use of the fragment they sit in (`HEARTH_MAX_ALIASES`);
- mutations: top-level fields of a mutation, counted as the rate limit counts them (fragments
  included, @skip/@include whatever the condition), at most `HEARTH_MAX_MUTATION_FIELDS`; each
  is a write with its own validation and rendering, and real clients send one;
- nodes: GitHub's rule (`HEARTH_MAX_NODES`): each connection field asks for its page size times
  the page sizes of the connections around it; a connection without `first`/`last` counts the
  default page size. Page sizes come from literal arguments or the request's variables, read
  as graphql-core will coerce them (100.0 is 100); a value it cannot coerce counts as the
  largest page (`HEARTH_MAX_PAGE_SIZE`), and execution refuses it anyway.

Fragments are measured once each and remembered, so a spread repeated a thousand times or a
fragment spreading itself (which graphql-core reports as a cycle) costs one walk. Settings are read
per request, so a test or an operator can change them without a restart.
"""

import math
import re
from collections.abc import Iterator

from django.conf import settings
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from cms import ratelimit
from schema.core.context import Context

SUGGESTION = re.compile(r" Did you mean [^?]*\?")
TOO_MANY_TOKENS = "Document contains more than"
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def limit_error(limit: str, actual: int, maximum: int, setting: str) -> GraphQLError:
    return GraphQLError(
        f"The query exceeds the {limit} limit: {actual:,}, at most {maximum:,} ({setting}).",
        extensions={"code": "QUERY_TOO_COMPLEX", "limit": limit, "maximum": maximum},
    )


def counted_page_size(value) -> int | None:
    """The page size a variable's value asks for once graphql-core coerces it to Int (100.0 is
    100), rounded up; None (no size) for null. What Int cannot hold (a string, a list, a
    fraction's neighbour, infinity) counts as the largest page: execution refuses it anyway."""
    if value is None:
        return None
    if isinstance(value, int):  # bool included: True is 1
        return value
    if isinstance(value, float) and math.isfinite(value):
        return math.ceil(value)
    return settings.HEARTH_MAX_PAGE_SIZE


class Cost:
    """What one selection costs: fields on its longest path, aliases, introspection fields,
    nodes for one parent object."""

    __slots__ = ("aliases", "depth", "introspection", "nodes")

    def __init__(self, depth=0, aliases=0, introspection=0, nodes=0):
        self.depth, self.aliases = depth, aliases
        self.introspection, self.nodes = introspection, nodes

    def add(self, other: "Cost") -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases += other.aliases
        self.introspection += other.introspection
        self.nodes += other.nodes


class Measure:
    """Depth, aliases, introspection fields and nodes of one operation, walked with the
    schema's types."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode,
                 operation: OperationDefinitionNode, variables: dict):
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)
        self.known: dict[str, Cost] = {}
        self.walking: set[str] = set()

    def selections(self, selection_set, parent_type) -> Cost:
        cost = Cost()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost.add(self.field(selection, parent_type))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent_type
                cost.add(self.selections(selection.selection_set, type_))
            elif isinstance(selection, FragmentSpreadNode):
                cost.add(self.fragment(selection.name.value))
        return cost

    def fragment(self, name: str) -> Cost:
        if name in self.known:
            return self.known[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.walking:  # unknown or cyclic: validation reports it
            return Cost()
        self.walking.add(name)
        type_ = self.schema.get_type(fragment.type_condition.name.value)
        self.known[name] = self.selections(fragment.selection_set, type_)
        self.walking.discard(name)
        return self.known[name]

    def field(self, node: FieldNode, parent_type) -> Cost:
        alias = 1 if node.alias else 0
        introspection = 1 if node.name.value in INTROSPECTION_FIELDS else 0
        if node.selection_set is None:
            return Cost(1, alias, introspection)
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(node.name.value)
        type_ = get_named_type(definition.type) if definition else None
        cost = self.selections(node.selection_set, type_)
        if type_ is not None and type_.name.endswith("Connection"):
            size = self.page_size(node)
            cost.nodes = size + size * cost.nodes
        return Cost(cost.depth + 1, alias + cost.aliases, introspection + cost.introspection,
                    cost.nodes)

    def page_size(self, node: FieldNode) -> int:
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                size = counted_page_size(self.variables.get(value.name.value))
                if size is not None:
                    sizes.append(size)
        if not sizes:
            return settings.HEARTH_DEFAULT_PAGE_SIZE
        return max(0, *sizes)


def written_selections(document: DocumentNode) -> int:
    """Selections as written, each fragment's once (no recursion: any nesting is fine)."""
    count = 0
    pending = [d.selection_set for d in document.definitions
               if getattr(d, "selection_set", None) is not None]
    while pending:
        for selection in pending.pop().selections:
            count += 1
            if getattr(selection, "selection_set", None) is not None:
                pending.append(selection.selection_set)
    return count


# Not Strawberry's QueryDepthLimiter / MaxAliasesLimiter (0.341.2; checked 2026-11-30): they are
# graphql-core rules that walk a fragment once per spread, so 18 fragments each spreading the next
# twice (248 tokens) took them 1,289 ms / 431 ms, check_limits 0.1 ms (time.process_time); they
# run beside graphql-core's rules, not before them, fix their maximum at start-up and give no
# QUERY_TOO_COMPLEX code. Strawberry has no limit on nodes, selections or mutation fields.
def check_limits(schema: GraphQLSchema, document: DocumentNode, variables: dict,
                 operation_name: str | None) -> list[GraphQLError]:
    """Hearth's limits on a parsed document: cheap (linear in the document) and run before
    graphql-core's rules, which are skipped when any limit is exceeded. Depth, aliases,
    introspection and nodes are measured on the operation that would run."""
    errors = []
    selections = written_selections(document)
    if selections > settings.HEARTH_MAX_SELECTIONS:
        errors.append(limit_error("selections", selections, settings.HEARTH_MAX_SELECTIONS,
                                  "HEARTH_MAX_SELECTIONS"))
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation.value == OperationType.MUTATION.value:
        mutations = top_level_fields(document, operation)
        if mutations > settings.HEARTH_MAX_MUTATION_FIELDS:
            errors.append(limit_error("mutations", mutations, settings.HEARTH_MAX_MUTATION_FIELDS,
                                      "HEARTH_MAX_MUTATION_FIELDS"))
    if operation is not None:
        root = schema.get_root_type(operation.operation)
        cost = Measure(schema, document, operation, variables).selections(
            operation.selection_set, root)
        checks = (
            ("depth", max(0, cost.depth - 1), settings.HEARTH_MAX_QUERY_DEPTH,
             "HEARTH_MAX_QUERY_DEPTH"),
            ("aliases", cost.aliases, settings.HEARTH_MAX_ALIASES, "HEARTH_MAX_ALIASES"),
            ("introspection", cost.introspection, settings.HEARTH_MAX_INTROSPECTION_FIELDS,
             "HEARTH_MAX_INTROSPECTION_FIELDS"),
            ("nodes", cost.nodes, settings.HEARTH_MAX_NODES, "HEARTH_MAX_NODES"),
        )
        errors.extend(limit_error(limit, actual, maximum, setting)
                      for limit, actual, maximum, setting in checks if actual > maximum)
    return errors


class NoNulInStrings(ValidationRule):
    def enter_string_value(self, node, *_args) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError("Strings may not contain NUL characters.",
                                           nodes=[node]))


class QueryLimits(SchemaExtension):
    """Tokens and introspection per the settings (the other limits: check_limits, run by
    schema/core/document_cache.py before validation); no suggestions of field names in errors unless
    DEBUG is on."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # Strawberry's MaxTokensLimiter sets just this, as one more extension: +5 to +9 us a
        # request (`{ viewer { id } __typename }`, time.process_time, best of 2,000, 3 rounds,
        # 2026-11-30).
        context.parse_options["max_tokens"] = settings.HEARTH_MAX_TOKENS
        rules = [NoNulInStrings, MaxIntrospectionDepthRule]
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
    moderators exempt. Every top-level mutation field counts, those inside inline fragments and
    fragment spreads too, and those under @skip/@include whatever the condition. A refusal runs
    nothing: 429, a Retry-After header, and RATE_LIMITED with `retryAfter` in the error's
    extensions."""

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
        cost = max(1, top_level_fields(context.graphql_document, operation)) if operation else 1
        return ratelimit.hit(f"mutation:{who}", limit=settings.HEARTH_MUTATION_RATE_LIMIT,
                             window=settings.HEARTH_MUTATION_RATE_WINDOW_SECONDS, cost=cost)


def top_level_fields(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """The operation's top-level fields, each use of a fragment counted (a cycle counts 0:
    validation refuses it)."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    known: dict[str, int] = {}

    def count(selection_set, walking: frozenset) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, walking)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in known and name in fragments and name not in walking:
                    known[name] = count(fragments[name].selection_set, walking | {name})
                total += known.get(name, 0)
        return total

    return count(operation.selection_set, frozenset())
