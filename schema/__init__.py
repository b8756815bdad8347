"""The Hearth GraphQL schema: `from schema import schema`.

`schema` is also a Django app (for its management commands), so the package imports nothing at
load time: the schema is built on first use, once Django's apps are ready."""


def __getattr__(name: str):
    if name == "schema":
        from schema.build import schema

        return schema
    raise AttributeError(f"module 'schema' has no attribute {name!r}")
