"""The Hearth GraphQL schema: `from schema import schema`."""

from schema.build import schema

__all__ = ["schema"]
