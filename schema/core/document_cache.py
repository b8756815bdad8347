"""Parsing and validation remembered per request shape, within a byte budget.

Parsing and validating a document (Hearth's limits, schema/core/limits.py, then graphql's rules)
costs more than executing a small query. The parse depends on the query text (and the token
limit); validation on the document's tokens (so comments and spacing do not matter), the
variables (page sizes count toward the node limit), the operation name and the limit settings.
Both are computed once per such key and reused.

Both live in one least-recently-used cache bounded by the estimated bytes of its entries
(HEARTH_DOCUMENT_CACHE_BYTES): a parsed document costs about BYTES_PER_TOKEN per token plus
BYTES_PER_CHARACTER per character of its text. A document estimated above a sixteenth of the
budget is parsed and validated every time and never kept, so a few large unique documents cannot
flush the small ones that real clients repeat.
"""

import hashlib
import json
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, TokenKind, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.core.limits import check_limits, limit_error

# Calibrated once with tracemalloc on graphql-core 3.3 (CPython 3.11, 64-bit): 2,000-token
# documents cost 190 (comments) to 620 (`{ __typename __typename ... }`: a FieldNode, a NameNode,
# two Locations and a Token per token) bytes per token, plus about one byte per character for
# the text and once more for each token's value. Both figures are rounded up; the key (the
# query text, up to 4 bytes a character) is in the per-character figure.
BYTES_PER_TOKEN = 700
BYTES_PER_CHARACTER = 8
BYTES_PER_VALIDATION = 400  # a validation entry's key and list, without variables or errors
BYTES_PER_ERROR = 2_000  # a validation error without its message
ENTRY_SHARE = 16  # no entry larger than budget / ENTRY_SHARE is kept

# Not Strawberry's ParserCache / ValidationCache (0.341.2; checked 2026-11-30): they are
# functools.lru_cache by entries (128 by default), where issue 11 bounds every cache by bytes (a
# document of 2,000 tokens and 150,000 characters holds ~1.5 MB parsed, so 128 hold ~190 MB); and
# ValidationCache keys on the document object and rules only, where validation here depends on
# the variables (page sizes count toward the node limit) and the limit settings, and it would
# skip check_limits.


class ByteBoundedLRU:
    """A thread-safe least-recently-used map whose entries' estimated sizes add up to at most
    `budget()` bytes."""

    def __init__(self, budget):
        self.budget = budget
        self.entries: OrderedDict = OrderedDict()  # key -> (value, size)
        self.size = 0
        self.lock = Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        """Keep `value` unless it is over its share of the budget; either way, evict down to the
        budget (which may have shrunk since the last put)."""
        budget = self.budget()
        with self.lock:
            if size <= budget // ENTRY_SHARE:
                old = self.entries.pop(key, None)
                if old is not None:
                    self.size -= old[1]
                self.entries[key] = (value, size)
                self.size += size
            while self.size > budget:
                _, (_, evicted) = self.entries.popitem(last=False)
                self.size -= evicted

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


cache = ByteBoundedLRU(lambda: settings.HEARTH_DOCUMENT_CACHE_BYTES)


class Parsed:
    """A parsed document, its operations, its estimated size and a digest of its tokens (not of
    comments or spacing), which keys its validation."""

    __slots__ = ("digest", "document", "operations", "size")

    def __init__(self, query: str, document: DocumentNode):
        self.document = document
        self.operations = sum(isinstance(definition, OperationDefinitionNode)
                              for definition in document.definitions)
        tokens = 0
        digest = hashlib.sha256()
        token = document.loc.start_token if document.loc else None
        while token is not None:
            tokens += 1
            if token.kind != TokenKind.COMMENT:
                value = token.value or ""
                digest.update(f"{token.kind.value}{len(value)}:{value}".encode(
                    "utf-8", "surrogatepass"))
            token = token.next
        self.digest = digest.digest()
        self.size = BYTES_PER_TOKEN * tokens + BYTES_PER_CHARACTER * len(query)


def parse_key(context) -> tuple:
    return ("parse", context.query, context.parse_options.get("max_tokens"))


def parsed(context) -> Parsed:
    """The request's document from the cache, or parsed now (and kept when small enough)."""
    if len(context.query) > settings.HEARTH_MAX_QUERY_CHARS:  # the lexer costs per character
        raise limit_error("characters", len(context.query), settings.HEARTH_MAX_QUERY_CHARS,
                          "HEARTH_MAX_QUERY_CHARS")
    key = parse_key(context)
    entry = cache.get(key)
    if entry is None:
        entry = Parsed(context.query, parse(context.query, **context.parse_options))
        cache.put(key, entry, entry.size)
    return entry


class CachedParsing(SchemaExtension):
    """The parsed document, from the cache. A document of several operations must come with
    `operationName` (GraphQL's GetOperation; Strawberry would silently take the first)."""

    def on_parse(self):
        context = self.execution_context
        if context.query is not None:
            entry = parsed(context)
            # Strawberry's operation_name falls back to the first operation's: only the private
            # attribute says whether the request named one.
            if entry.operations > 1 and context._provided_operation_name is None:
                raise GraphQLError(
                    "The document holds several operations: name the one to run in "
                    "`operationName`.", extensions={"code": "OPERATION_NAME_REQUIRED"})
            context.graphql_document = entry.document
        yield


def validation_key(context, entry: Parsed) -> tuple | None:
    try:
        variables = json.dumps(context.variables, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return ("validate", entry.digest, variables, context.operation_name, settings.DEBUG,
            settings.HEARTH_MAX_QUERY_DEPTH, settings.HEARTH_MAX_ALIASES,
            settings.HEARTH_MAX_NODES, settings.HEARTH_MAX_TOKENS, settings.HEARTH_INTROSPECTION,
            settings.HEARTH_DEFAULT_PAGE_SIZE, settings.HEARTH_MAX_SELECTIONS,
            settings.HEARTH_MAX_INTROSPECTION_FIELDS, settings.HEARTH_MAX_MUTATION_FIELDS)


def validate(context) -> list[GraphQLError]:
    """Hearth's limits first; graphql's rules only for a document within them."""
    variables = context.variables if isinstance(context.variables, dict) else {}
    schema = context.schema._schema
    return (check_limits(schema, context.graphql_document, variables, context.operation_name)
            or validate_document(schema, context.graphql_document, context.validation_rules))


class CachedValidation(SchemaExtension):
    """Validation of a document kept in the cache is kept too; any other is validated each
    time."""

    def on_validate(self):
        context = self.execution_context
        if context.pre_execution_errors is None:
            entry = cache.get(parse_key(context))
            kept = entry is not None and entry.document is context.graphql_document
            key = validation_key(context, entry) if kept else None
            errors = None if key is None else cache.get(key)
            if errors is None:
                errors = validate(context)
                if key is not None:
                    cache.put(key, errors, validation_size(key, errors, entry))
            context.pre_execution_errors = list(errors)
        yield


def validation_size(key: tuple, errors: list[GraphQLError], entry: Parsed) -> int:
    """The key's variables, and for errors the errors and their document (they point into it)."""
    size = BYTES_PER_VALIDATION + BYTES_PER_CHARACTER * len(key[2])
    if errors:
        size += entry.size + sum(BYTES_PER_ERROR + BYTES_PER_CHARACTER * len(error.message)
                                 for error in errors)
    return size
