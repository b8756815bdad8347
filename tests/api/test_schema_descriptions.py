"""Every element of the public schema is described, and schema.graphql is what export_schema
writes: a frontend developer reads the API from the playground's docs or from that file."""

from io import StringIO

from django.core.management import call_command
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    specified_scalar_types,
)

from schema import schema
from schema.management.commands.export_schema import SCHEMA_FILE


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    """Types, fields, arguments, input fields and enum values without a description; built-in
    scalars and introspection types (`__Type` ...) excepted."""
    missing = []
    for name, graphql_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [f"{name}.{field_name}({arg_name}:)"
                            for arg_name, arg in field.args.items() if not arg.description]
        elif isinstance(graphql_type, GraphQLInputObjectType):
            missing += [f"{name}.{field_name}" for field_name, field in graphql_type.fields.items()
                        if not field.description]
        elif isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{value_name}" for value_name, value in graphql_type.values.items()
                        if not value.description]
    return missing


def test_the_check_finds_every_kind_of_undescribed_element():
    sdl = '''
        """Described."""
        type Query { a(x: Int): Int  """Described.""" b: E }
        input I { y: Int }
        """Described."""
        enum E { """Described.""" ONE TWO }
    '''
    assert undescribed(build_schema(sdl)) == ["Query.a", "Query.a(x:)", "I", "I.y", "E.TWO"]


def test_every_element_of_the_live_schema_is_described():
    assert undescribed(schema._schema) == []


def test_every_element_of_schema_graphql_is_described():
    assert undescribed(build_schema(SCHEMA_FILE.read_text())) == []


def test_schema_graphql_is_what_export_schema_writes():
    out = StringIO()
    call_command("export_schema", "--check", stdout=out)  # raises CommandError when stale
    assert "is current" in out.getvalue()
