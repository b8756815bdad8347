"""A faster execution path for read queries, with graphql-core's executor as the fallback.

graphql-core pays for every field of every object: a ResolveInfo, a path, awaitable checks and
Strawberry's resolver wrappers. A thread of 1,000 comments has some 15,000 fields, and that price
dominates a request. This executor plans each selection set once (per object type, per request),
then runs the plan over every object: a plain attribute is a getattr, a resolver is called with
its converted arguments and a small Info, and leaf values are coerced by their GraphQL types,
exactly as the standard executor does.

Field errors are the standard executor's too: a resolver's exception, a null in a non-null
position or a value its type refuses becomes an error located at its field (or list item), and
the nearest nullable position above becomes null. The path of an error is read from this
executor's own frames when it happens, so a query without errors pays nothing for paths.

It plans only what it fully understands: queries (never mutations), sync resolvers without field
extensions, @skip and @include as the only directives, no introspection. Anything else is a
fallback: the operation runs on the standard executor, and the reason is logged (logger
"hearth.engine") and counted in `fallbacks`. `HEARTH_FAST_EXECUTION = False` runs every
operation on the standard executor.
tests/engine/test_fast_execution.py checks that both paths give identical results.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections import Counter
from functools import cache
from typing import Any, Protocol

import strawberry
from asgiref.sync import sync_to_async
from django.conf import settings
from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DirectiveLocation,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationType,
    Undefined,
    located_error,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import inspect as graphql_inspect
from graphql.pyutils import is_iterable
from strawberry.relay import GlobalID
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments

logger = logging.getLogger("hearth.engine")

BACKREF = "strawberry-definition"

# Since the process started: queries this executor ran (`fast_runs["query"]`), and those the
# standard executor ran instead, by reason. Tests read them (tests/conftest.py fails an API test
# on an unexpected fallback).
fast_runs: Counter[str] = Counter()
fallbacks: Counter[str] = Counter()
# Subscription events run once for several subscribers ("run") and the answers given to the
# others ("shared"); tests read them.
shared_events: Counter[str] = Counter()


class ResolveInfo(Protocol):
    """What Hearth's resolvers read of their `info`: both executors' Info give exactly this.
    Resolvers annotate `info` with schema.core.context.Info, this protocol with the context
    typed."""

    @property
    def context(self) -> Any: ...

    @property
    def variable_values(self) -> dict[str, Any]: ...

    @property
    def field_nodes(self) -> list[FieldNode]: ...

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]: ...


class StandardInfo(strawberry.Info):
    """Strawberry's Info (the standard executor's) with the field's nodes and the document's
    fragments, which Strawberry keeps in graphql-core's info (`_raw_info`) and does not expose.
    Its public alternative, `selected_fields`, converts the field's whole subselection: measured
    on the test blog, 130 µs for a thread page's `post` (270 µs for a post page's, 54 µs for a
    post list's `posts`), where `schema.core.selection.selects` over these nodes takes 2 to 4 µs."""

    @property
    def field_nodes(self) -> list[FieldNode]:
        return self._raw_info.field_nodes

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        return self._raw_info.fragments


class FastInfo:
    """The fast executor's Info: one per field of a plan."""

    __slots__ = ("context", "variable_values", "field_nodes", "fragments")

    def __init__(self, context, variable_values, field_nodes, fragments):
        self.context = context
        self.variable_values = variable_values
        self.field_nodes = field_nodes
        self.fragments = fragments


class Fallback(Exception):
    """This operation needs the standard executor; the message says why."""


class _NullPropagates(Exception):
    """A located field error at a non-null position, on its way to the nearest nullable one."""

    def __init__(self, error: GraphQLError):
        self.error = error


def record_fallback(reason: str) -> None:
    fallbacks[reason] += 1
    logger.info("Standard executor for this operation: %s", reason)


@cache
def _unplanned_directives(schema: GraphQLSchema) -> list[str]:
    """Directives a query may carry that field collection does not apply (it applies @skip and
    @include): @defer and @stream, if the schema ever offers them."""
    query_locations = {DirectiveLocation.FIELD, DirectiveLocation.FRAGMENT_SPREAD,
                       DirectiveLocation.INLINE_FRAGMENT, DirectiveLocation.QUERY}
    return sorted(d.name for d in schema.directives
                  if d.name not in {"skip", "include"} and query_locations & set(d.locations))


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially=None):
        if self.operation.operation == OperationType.SUBSCRIPTION:
            # One event of a subscription: its fields read the database as a query's do, so
            # they run in the thread Django's synchronous code runs in, off the event loop.
            run = sync_to_async(super().execute_operation)
            shared = getattr(self.root_value, "shared_results", None)
            key = None if shared is None else _variables_key(self.variable_values.coerced)
            if key is None:
                return run(serially)
            return _shared(shared, (id(self.operation), key), run, serially)
        if not settings.HEARTH_FAST_EXECUTION or self.operation.operation != OperationType.QUERY:
            return super().execute_operation(serially)
        try:
            unplanned = _unplanned_directives(self.schema)
            if unplanned:
                raise Fallback(f"the schema has directives {unplanned}")
            data = self._run_fast()
        except Fallback as fallback:
            record_fallback(str(fallback))
            return super().execute_operation(serially)
        fast_runs["query"] += 1
        return self.finish(self.build_response(data))

    # Planning ----------------------------------------------------------------------------------

    def _run_fast(self) -> dict[str, Any] | None:
        self._plans: dict[tuple, list] = {}
        self._errors: list[GraphQLError] = []  # the standard executor's own, if it runs
        # Strawberry's schema, which converts the arguments; a GraphQLSchema Strawberry built
        # points to it (there is no public way from the executor).
        strawberry_schema = self.schema._strawberry_schema
        self._config = strawberry_schema.config
        self._scalars = strawberry_schema.schema_converter.scalar_registry
        root_type = self.schema.get_root_type(self.operation.operation)
        grouped, _, _ = collect_fields(self.schema, self.fragments, self.variable_values,
                                       root_type, self.operation, self.hide_suggestions)
        plan = self._plan_fields(root_type, grouped)
        self._cushioned = False
        try:
            data = self._run_object(plan, self.root_value)
        except _NullPropagates as propagated:  # a non-null root field failed: no data
            self._errors.append(propagated.error)
            data = None
        self.collected_errors.errors.extend(self._errors)
        return data

    def _plan_fields(self, parent_type: GraphQLObjectType, grouped) -> list:
        plan = []
        for key, details in grouped.items():
            node = details[0].node
            name = node.name.value
            nodes = [d.node for d in details]
            if name == "__typename":
                plan.append((key, _constant(parent_type.name), None, (nodes, True)))
                continue
            if name.startswith("__"):
                raise Fallback("introspection")
            field_def = parent_type.fields.get(name)
            if field_def is None:
                raise Fallback(f"no field {parent_type.name}.{name}")
            strawberry_field = field_def.extensions.get(BACKREF)
            if strawberry_field is None:
                raise Fallback(f"{parent_type.name}.{name} is not Strawberry's")
            if strawberry_field.extensions:
                raise Fallback(f"{parent_type.name}.{name} has field extensions")
            resolve = self._resolver(parent_type, field_def, strawberry_field, details)
            label = f"{parent_type.name}.{name}"
            complete = self._completer(field_def.type, details, label)
            plan.append((key, resolve, complete,
                         (nodes, isinstance(field_def.type, GraphQLNonNull))))
        return plan

    def _resolver(self, parent_type, field_def, strawberry_field, details):
        node = details[0].node
        if strawberry_field.python_name == "_id" and node.name.value == "id":
            return _global_id(parent_type)
        resolver = strawberry_field.base_resolver
        if resolver is None:
            attribute = strawberry_field.python_name
            return lambda source: getattr(source, attribute)
        if resolver.is_async or not callable(resolver.wrapped_func):
            raise Fallback(f"{parent_type.name}.{node.name.value} resolves asynchronously")
        info = FastInfo(self.context_value, self.variable_values.coerced,
                        [d.node for d in details], self.fragment_definitions)
        # Arguments depend on the document and the variables only: convert them once. Arguments
        # refused are the field's error, as in graphql-core.
        try:
            raw_args = (get_argument_values(field_def, node, self.variable_values,
                                            details[0].fragment_variable_values)
                        if field_def.args or node.arguments else {})
            kwargs = convert_arguments(raw_args, strawberry_field.arguments,
                                       scalar_registry=self._scalars, config=self._config,
                                       info=info)
        except Exception as error:  # noqa: BLE001 - reported where the field is resolved
            return _raising(error)
        if resolver.info_parameter:
            kwargs[resolver.info_parameter.name] = info
        source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
        function = resolver.wrapped_func
        if resolver.self_parameter:
            if source_names:
                name = source_names[0]
                return lambda source: function(source, **{name: source}, **kwargs)
            return lambda source: function(source, **kwargs)
        return lambda source: function(**dict.fromkeys(source_names, source), **kwargs)

    def _completer(self, graphql_type, details, label: str):
        """A function completing a resolved value of `graphql_type` as graphql-core's
        `complete_value` does; `label` is the field's "Type.field", for error messages."""
        if isinstance(graphql_type, GraphQLNonNull):
            inner = self._completer(graphql_type.of_type, details, label)

            def non_null(value):
                completed = inner(value)
                if completed is None:
                    raise TypeError(f"Cannot return null for non-nullable field {label}.")
                return completed

            return non_null
        if isinstance(graphql_type, GraphQLList):
            return self._list_completer(graphql_type, details, label)
        if isinstance(graphql_type, GraphQLEnumType):
            names = {value.value: name for name, value in graphql_type.values.items()}
            coerce = _leaf_coercer(graphql_type)

            def enum(value):
                if value is None:
                    return None
                name = names.get(value)  # members of Hearth's str enums hash as their values
                return coerce(value) if name is None else name

            return enum
        if isinstance(graphql_type, GraphQLScalarType):
            coerce = _leaf_coercer(graphql_type)
            if graphql_type.name == "Int":

                def int_leaf(value):
                    if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                        return value
                    return None if value is None else coerce(value)  # it refuses the rest

                return int_leaf
            if graphql_type.name in {"String", "Boolean", "ID"}:
                plain = {"String": str, "Boolean": bool, "ID": str}[graphql_type.name]

                def leaf(value):
                    if value is None:
                        return None
                    return value if type(value) is plain else coerce(value)

                return leaf
            return lambda value: None if value is None else coerce(value)
        if isinstance(graphql_type, GraphQLObjectType):
            key = (graphql_type.name, id(details))

            def obj(value):
                if value is None:
                    return None
                plan = self._plans.get(key)
                if plan is None:
                    plan = self._plans[key] = self._plan_subfields(graphql_type, details)
                return self._run_object(plan, value)

            return obj
        return self._abstract_completer(graphql_type, details, label)

    def _list_completer(self, list_type: GraphQLList, details, label: str):
        item_type = list_type.of_type
        item = self._completer(item_type, details, label)
        position = ([d.node for d in details], isinstance(item_type, GraphQLNonNull))
        failed = self._failed

        def complete_list(value):
            if value is None:
                return None
            if not is_iterable(value):
                raise GraphQLError(f"Expected Iterable, but did not find one for field '{label}'.")
            if self._cushioned:
                return _complete_items(value, item, position, failed)
            # The outermost list runs from a fresh stack chunk (see _stack_cushion); a query
            # without lists does not pay for the chunk (about 20 us).
            self._cushioned = True
            try:
                return _in_fresh_stack_chunk(_complete_items, value, item, position, failed)
            finally:
                self._cushioned = False

        return complete_list

    def _abstract_completer(self, abstract_type, details, label: str):
        possible = self.schema.get_possible_types(abstract_type)
        completers = {t.name: self._completer(t, details, label) for t in possible}

        def abstract(value):
            if value is None:
                return None
            for object_type in possible:
                if object_type.is_type_of is not None and object_type.is_type_of(value, None):
                    return completers[object_type.name](value)
            raise Fallback(f"no type of {abstract_type.name} for a value of {label}")

        return abstract

    def _plan_subfields(self, object_type, details) -> list:
        collected = collect_subfields(self.schema, self.fragments, self.variable_values,
                                      self.operation, object_type, details, self.hide_suggestions)
        return self._plan_fields(object_type, collected.grouped_field_set)

    # Running -----------------------------------------------------------------------------------

    def _run_object(self, plan: list, source) -> dict[str, Any]:
        result = {}
        for key, resolve, complete, position in plan:
            try:
                value = resolve(source)
                result[key] = value if complete is None else complete(value)
            except Fallback:
                raise
            except Exception as error:  # noqa: BLE001 - a field's error, as graphql-core
                result[key] = self._failed(error, position, inspect.currentframe())
        return result

    def _failed(self, error: Exception, position: tuple, frame) -> None:
        """A field or list item failed: its error is located there (unless a non-null position
        below already located it); null here if the position is nullable, else further up."""
        if isinstance(error, Fallback):
            raise error
        if isinstance(error, _NullPropagates):
            located = error.error
        else:
            located = located_error(error, position[0], _path_at(frame))
        if position[1]:
            raise _NullPropagates(located)
        self._errors.append(located)
        return None


async def _shared(shared: dict, key: tuple, run, serially):
    """A subscription event whose payload carries `shared_results`: the subscribers that must
    see the same answer to it (the payload's maker decides who), running the same document with
    the same variables, share one execution instead of one each."""
    if key in shared:
        shared_events["shared"] += 1
    else:
        shared_events["run"] += 1
        shared[key] = asyncio.ensure_future(run(serially))
    return await asyncio.shield(shared[key])


def _variables_key(variables: dict) -> str | None:
    try:
        return json.dumps(variables, sort_keys=True)
    except (TypeError, ValueError):
        return None


def _complete_items(value, item, position, failed) -> list:
    items = []
    for one in value:
        try:
            items.append(item(one))
        except Exception as error:  # noqa: BLE001 - an item's error, as graphql-core's
            items.append(failed(error, position, inspect.currentframe()))
    return items


def _stack_cushion(slots: int):
    """A function that calls `run(*args)` from a frame of `slots` local variables.

    CPython 3.11 keeps frames in 16 KB chunks and frees a chunk as soon as the first frame in it
    returns. A plan runs the same few functions millions of times at nearly the same depth: when
    that depth sits on a chunk's edge, every call maps and unmaps a chunk (measured with strace:
    54,550 16 KB mmap/munmap pairs for 50 thread pages, which doubled their time, against 350
    when the depth happened to fall elsewhere). A frame larger than a chunk always gets a chunk
    of its own (64 KB for this one) and keeps it while the plan runs in the room after it, so
    the run's depth no longer depends on the caller's."""
    names = " = ".join(f"_{i}" for i in range(slots))
    source = (f"def cushioned(run, *args):\n    if 0:\n        {names} = None\n"
              "    return run(*args)\n")
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102 - fixed source: only local variable names
    return namespace["cushioned"]


_in_fresh_stack_chunk = _stack_cushion(4_200)


def _path_at(frame) -> list[str | int]:
    """The response path of the field or list item that `frame` (of `_run_object` or of a list
    completer) is completing: the keys and indexes of the frames above it, up to the root."""
    path = []
    while frame is not None and frame.f_code is not _RUN_FAST:
        if frame.f_code is _RUN_OBJECT:
            path.append(frame.f_locals["key"])
        elif frame.f_code is _COMPLETE_ITEMS:
            path.append(len(frame.f_locals["items"]))
        frame = frame.f_back
    return path[::-1]


def _leaf_coercer(leaf_type):
    coerce_output_value = leaf_type.coerce_output_value

    def coerce(value):
        coerced = coerce_output_value(value)
        if coerced is Undefined or coerced is None:
            raise TypeError(f"Expected `{graphql_inspect(leaf_type)}.coerce_output_value("
                            f"{graphql_inspect(value)})` to return non-nullable value, returned:"
                            f" {graphql_inspect(coerced)}")
        return coerced

    return coerce


def _raising(error: Exception):
    def resolve(source):
        raise error

    return resolve


def _constant(value):
    return lambda source: value


def _global_id(parent_type: GraphQLObjectType):
    origin = parent_type.extensions[BACKREF].origin
    attribute = origin.resolve_id_attr()
    type_name = parent_type.name

    def resolve(source):
        return str(GlobalID(type_name=type_name, node_id=str(getattr(source, attribute))))

    return resolve


_RUN_FAST = FastExecutionContext._run_fast.__code__
_RUN_OBJECT = FastExecutionContext._run_object.__code__
_COMPLETE_ITEMS = _complete_items.__code__
