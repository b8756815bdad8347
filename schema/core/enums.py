"""Enums of the domain (cms) exposed as they are, each value described."""

import strawberry


def described_enum(enum_class, *, name: str, description: str, values: dict[str, str]):
    """`strawberry.enum(enum_class)` with a description for each value. The domain's enums stay
    free of GraphQL, so their members cannot carry `strawberry.enum_value(description=...)`."""
    exposed = strawberry.enum(enum_class, name=name, description=description)
    definition = exposed.__strawberry_definition__
    names = {value.name for value in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: describe exactly {sorted(names)}, not {sorted(values)}.")
    for value in definition.values:
        value.description = values[value.name]
    return exposed
