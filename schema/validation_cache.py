"""Validation remembered per request shape.

Validating a document (graphql's rules and Hearth's limits, schema/limits.py) costs more than
executing a small query. Its outcome depends only on the query text, the variables (page sizes
count toward the node limit) and the limit settings, so it is computed once per such key and
reused, in a bounded LRU.
"""

import json
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_ENTRIES = 2_000
_results: OrderedDict = OrderedDict()
_lock = Lock()


def _key(context) -> tuple | None:
    try:
        variables = json.dumps(context.variables, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return (context.query, variables, context.operation_name, settings.DEBUG,
            settings.HEARTH_MAX_QUERY_DEPTH, settings.HEARTH_MAX_ALIASES,
            settings.HEARTH_MAX_NODES, settings.HEARTH_MAX_TOKENS, settings.HEARTH_INTROSPECTION,
            settings.HEARTH_DEFAULT_PAGE_SIZE)


class CachedValidation(SchemaExtension):
    def on_validate(self):
        context = self.execution_context
        key = _key(context)
        if key is not None and context.pre_execution_errors is None:
            with _lock:
                errors = _results.get(key)
                if errors is not None:
                    _results.move_to_end(key)
            if errors is None:
                errors = validate_document(context.schema._schema, context.graphql_document,
                                           context.validation_rules)
                with _lock:
                    _results[key] = errors
                    if len(_results) > MAX_ENTRIES:
                        _results.popitem(last=False)
            context.pre_execution_errors = list(errors)
        yield
