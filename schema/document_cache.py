"""Parsing and validation remembered per request shape.

Parsing and validating a document (graphql's rules and Hearth's limits, schema/limits.py) costs
more than executing a small query. The parse depends on the query text (and the token limit);
validation also on the variables (page sizes count toward the node limit) and the limit
settings. Both are computed once per such key and reused, in bounded LRUs. Only documents up to
HEARTH_MAX_CACHED_QUERY_CHARS are kept, so large unique queries cannot fill memory.
"""

import json
from collections import OrderedDict
from functools import lru_cache
from threading import Lock

from django.conf import settings
from graphql import parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_ENTRIES = 1_000
_cached_parse = lru_cache(maxsize=MAX_ENTRIES)(parse)
_validations: OrderedDict = OrderedDict()
_lock = Lock()


def _small(*texts: str) -> bool:
    return sum(len(text) for text in texts) <= settings.HEARTH_MAX_CACHED_QUERY_CHARS


class CachedParsing(SchemaExtension):
    def on_parse(self):
        context = self.execution_context
        if context.query is not None and _small(context.query):
            context.graphql_document = _cached_parse(context.query, **context.parse_options)
        yield


def _validation_key(context) -> tuple | None:
    try:
        variables = json.dumps(context.variables, sort_keys=True)
    except (TypeError, ValueError):
        return None
    if not _small(context.query or "", variables):
        return None
    return (context.query, variables, context.operation_name, settings.DEBUG,
            settings.HEARTH_MAX_QUERY_DEPTH, settings.HEARTH_MAX_ALIASES,
            settings.HEARTH_MAX_NODES, settings.HEARTH_MAX_TOKENS, settings.HEARTH_INTROSPECTION,
            settings.HEARTH_DEFAULT_PAGE_SIZE)


class CachedValidation(SchemaExtension):
    def on_validate(self):
        context = self.execution_context
        key = _validation_key(context)
        if key is not None and context.pre_execution_errors is None:
            with _lock:
                errors = _validations.get(key)
                if errors is not None:
                    _validations.move_to_end(key)
            if errors is None:
                errors = validate_document(context.schema._schema, context.graphql_document,
                                           context.validation_rules)
                with _lock:
                    _validations[key] = errors
                    if len(_validations) > MAX_ENTRIES:
                        _validations.popitem(last=False)
            context.pre_execution_errors = list(errors)
        yield
