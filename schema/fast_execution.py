"""A faster execution path for read queries, with graphql-core's executor as the fallback.

graphql-core pays for every field of every object: a ResolveInfo, a path, awaitable checks and
Strawberry's resolver wrappers. A thread of 1,000 comments has some 15,000 fields, and that price
dominates a request. This executor plans each selection set once (per object type, per request),
then runs the plan over every object: a plain attribute is a getattr, a resolver is called with
its converted arguments and a small Info, and leaf values are serialized by their GraphQL types,
exactly as the standard executor does.

It only takes what it fully understands: queries (never mutations), sync resolvers without field
extensions, no directives. Anything else, any error, any null in a non-null position, and the
whole operation is executed again by the standard executor, which produces the standard result
and errors. Reads have no side effects, so running again is safe. tests/test_fast_execution.py
checks that both paths give identical results.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationType,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry.relay import GlobalID
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments

BACKREF = "strawberry-definition"


class Fallback(Exception):
    """This operation needs the standard executor."""


class FastInfo:
    """The part of Strawberry's Info that Hearth's resolvers use: one per field of a plan."""

    __slots__ = ("context", "variable_values", "field_nodes", "fragments")

    def __init__(self, context, variable_values, field_nodes, fragments):
        self.context = context
        self.variable_values = variable_values
        self.field_nodes = field_nodes
        self.fragments = fragments


def _has_directives(node) -> bool:
    stack = [node]
    while stack:
        node = stack.pop()
        if getattr(node, "directives", None):
            return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    enabled = True  # tests switch it off to compare with the standard executor

    def execute_operation(self, serially=None):
        operation = self.operation
        if (self.enabled and operation.operation == OperationType.QUERY
                and not self.fragments_have_directives()):
            try:
                data = self._run_fast()
            except Exception:  # noqa: BLE001, S110 - any surprise: the standard executor decides
                pass
            else:
                return self.finish(self.build_response(data))
        return super().execute_operation(serially)

    def fragments_have_directives(self) -> bool:
        if _has_directives(self.operation):
            return True
        return any(_has_directives(f.definition) for f in self.fragments.values())

    # Planning ----------------------------------------------------------------------------------

    def _run_fast(self) -> dict[str, Any]:
        self._plans: dict[tuple, list] = {}
        strawberry_schema = self.schema._strawberry_schema
        self._config = strawberry_schema.config
        self._scalars = strawberry_schema.schema_converter.scalar_registry
        root_type = self.schema.get_root_type(self.operation.operation)
        grouped, _, _ = collect_fields(self.schema, self.fragments, self.variable_values,
                                       root_type, self.operation, self.hide_suggestions)
        plan = self._plan_fields(root_type, grouped)
        return self._run_object(plan, self.root_value)

    def _plan_fields(self, parent_type: GraphQLObjectType, grouped) -> list:
        plan = []
        for key, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                plan.append((key, _constant(parent_type.name), None))
                continue
            if name.startswith("__"):
                raise Fallback
            field_def = parent_type.fields.get(name)
            if field_def is None:
                raise Fallback
            strawberry_field = field_def.extensions.get(BACKREF)
            if strawberry_field is None or strawberry_field.extensions:
                raise Fallback
            resolve = self._resolver(parent_type, field_def, strawberry_field, details)
            complete = self._completer(field_def.type, details)
            plan.append((key, resolve, complete))
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
            raise Fallback
        # Arguments depend on the document and the variables only: convert them once.
        raw_args = (get_argument_values(field_def, node, self.variable_values,
                                        details[0].fragment_variable_values)
                    if field_def.args or node.arguments else {})
        info = FastInfo(self.context_value, self.variable_values, [d.node for d in details],
                        self.fragments)
        kwargs = convert_arguments(raw_args, strawberry_field.arguments,
                                   scalar_registry=self._scalars, config=self._config, info=info)
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

    def _completer(self, graphql_type, details):
        if isinstance(graphql_type, GraphQLNonNull):
            inner = self._completer(graphql_type.of_type, details)

            def non_null(value):
                if value is None:
                    raise Fallback  # the standard executor reports the error
                return inner(value)

            return non_null
        if isinstance(graphql_type, GraphQLList):
            item = self._completer(graphql_type.of_type, details)
            return lambda value: None if value is None else [item(v) for v in value]
        if isinstance(graphql_type, GraphQLEnumType):
            names = {value.value: name for name, value in graphql_type.values.items()}
            serialize = graphql_type.serialize

            def enum(value):
                if value is None:
                    return None
                name = names.get(value)  # members of Hearth's str enums hash as their values
                return serialize(value) if name is None else name

            return enum
        if isinstance(graphql_type, GraphQLScalarType):
            serialize = graphql_type.serialize
            if graphql_type.name == "Int":

                def int_leaf(value):
                    if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                        return value
                    return None if value is None else serialize(value)  # it refuses the rest

                return int_leaf
            if graphql_type.name in {"String", "Boolean", "ID"}:
                plain = {"String": str, "Boolean": bool, "ID": str}[graphql_type.name]

                def leaf(value):
                    if value is None:
                        return None
                    return value if type(value) is plain else serialize(value)

                return leaf
            return lambda value: None if value is None else serialize(value)
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
        return self._abstract_completer(graphql_type, details)

    def _abstract_completer(self, abstract_type, details):
        possible = self.schema.get_possible_types(abstract_type)
        completers = {t.name: self._completer(t, details) for t in possible}

        def abstract(value):
            if value is None:
                return None
            for object_type in possible:
                if object_type.is_type_of is not None and object_type.is_type_of(value, None):
                    return completers[object_type.name](value)
            raise Fallback

        return abstract

    def _plan_subfields(self, object_type, details) -> list:
        collected = collect_subfields(self.schema, self.fragments, self.variable_values,
                                      self.operation, object_type, details, self.hide_suggestions)
        return self._plan_fields(object_type, collected.grouped_field_set)

    # Running -----------------------------------------------------------------------------------

    @staticmethod
    def _run_object(plan: list, source) -> dict[str, Any]:
        result = {}
        for key, resolve, complete in plan:
            value = resolve(source)
            result[key] = value if complete is None else complete(value)
        return result


def _constant(value):
    return lambda source: value


def _global_id(parent_type: GraphQLObjectType):
    origin = parent_type.extensions[BACKREF].origin
    attribute = origin.resolve_id_attr()
    type_name = parent_type.name

    def resolve(source):
        return str(GlobalID(type_name=type_name, node_id=str(getattr(source, attribute))))

    return resolve
