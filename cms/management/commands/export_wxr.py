import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.wordpress.writer import write_wxr


class Command(BaseCommand):
    help = ("Write the whole site as a WordPress export (WXR 1.2): authors, tags, posts of "
            "every status and their comment threads. It holds commenters' e-mail and IP "
            "addresses: keep it private.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write it (default: stdout).")

    def handle(self, *args, file=None, **options):
        if file is None:
            write_wxr(_Unended(self.stdout), site_url=settings.HEARTH_SITE_URL)
            return
        try:
            with open(file, "w", encoding="utf-8") as out:
                counts = write_wxr(out, site_url=settings.HEARTH_SITE_URL)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        sys.stderr.write(f"Exported {counts['posts']:,} posts, {counts['comments']:,} comments, "
                         f"{counts['authors']:,} authors and {counts['tags']:,} tags to "
                         f"{file}.\n")


class _Unended:
    """The command's stdout, writing each piece as it is (OutputWrapper adds line endings)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
