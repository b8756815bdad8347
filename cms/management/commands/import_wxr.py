import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.services.wordpress import wxr_import
from cms.wordpress.reader import WxrError


class Command(BaseCommand):
    help = ("Import a WordPress export (WXR): authors, categories and tags, posts and their "
            "comment threads. A second run of the same file changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xml file from WordPress's Tools > Export.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Read and check everything, report what would be imported, "
                                 "write nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            stream = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        with stream:
            size = _size(stream)
            # A progress bar only for a person at a terminal, never in a pipe or a log.
            with tqdm(total=size, unit="B", unit_scale=True, desc="Importing",
                      disable=not sys.stderr.isatty(), file=sys.stderr, leave=False) as bar:
                def progress(done: int) -> None:
                    bar.update(done - bar.n)

                try:
                    summary = wxr_import(stream=stream, dry_run=dry_run, progress=progress)
                except WxrError as error:
                    raise CommandError(f"Nothing was imported. {error}") from None
        self.stdout.write(summary.line())


def _size(stream) -> int | None:
    try:
        return stream.seek(0, 2) or None
    finally:
        stream.seek(0)
