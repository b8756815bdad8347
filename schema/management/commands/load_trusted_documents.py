import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from graphql import GraphQLError, parse, validate

from cms.errors import DomainError
from cms.services.trusted_documents import trusted_documents_load


class Command(BaseCommand):
    help = ("Load a persisted-documents.json (graphql-codegen's client preset: SHA-256 document "
            "id -> document) into the trusted documents, which clients run by `documentId`.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="persisted-documents.json")
        parser.add_argument("--replace", action="store_true",
                            help="Also remove the trusted documents the file does not hold.")

    def handle(self, *args, file: str, replace: bool, **options):
        path = Path(file)
        if path.stat().st_size > 8 * settings.HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS:  # escapes
            raise CommandError(f"{file} is larger than the trusted documents may hold "
                               "(HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS).")
        try:
            documents = json.loads(path.read_bytes())
        except (ValueError, RecursionError) as error:
            raise CommandError(f"{file} is not JSON: {error}") from None
        if not isinstance(documents, dict):
            raise CommandError(f"{file} must hold one JSON object: document id -> document.")
        check_documents(documents)
        try:
            loaded = trusted_documents_load(documents=documents, replace=replace)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Loaded {len(documents)} trusted documents ({loaded.added} new, "
                          f"{loaded.kept} already known), removed {loaded.removed}; the store "
                          f"holds {loaded.total} ({loaded.total_chars:,} characters).")


def check_documents(documents: dict) -> None:
    """Every document parses and is valid against today's schema, so a client build that does
    not match the API is refused at load time, not at the first request."""
    from schema import schema

    for key, text in documents.items():
        if not isinstance(text, str):
            continue  # the service names it
        try:
            errors = validate(schema._schema, parse(text, max_tokens=settings.HEARTH_MAX_TOKENS))
        except GraphQLError as error:
            errors = [error]
        if errors:
            raise CommandError(f"{key}: {errors[0].message}")
