from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.graphql"


def schema_sdl() -> str:
    """The live schema in SDL, as the committed `schema.graphql` holds it."""
    from schema import schema

    return str(schema).rstrip("\n") + "\n"


class Command(BaseCommand):
    help = "Write the GraphQL schema as SDL to schema.graphql at the repository root."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Write nothing; fail if schema.graphql is not current.")

    def handle(self, *args, check: bool, **options):
        sdl = schema_sdl()
        if check:
            current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
            if current != sdl:
                raise CommandError(f"{SCHEMA_FILE.name} is out of date; run "
                                   "`python manage.py export_schema` and commit it.")
            self.stdout.write(f"{SCHEMA_FILE.name} is current.")
            return
        SCHEMA_FILE.write_text(sdl)
        self.stdout.write(f"Wrote {SCHEMA_FILE}.")
