"""Delete the posts that have been in the trash longer than HEARTH_TRASH_DAYS. `run_webhooks`,
the worker `make run` starts, also does it once an hour."""

from django.conf import settings
from django.core.management.base import BaseCommand

from cms.services.posts import posts_purge_trash


class Command(BaseCommand):
    help = "Delete posts trashed more than HEARTH_TRASH_DAYS (30) days ago."

    def handle(self, *args, **options):
        purged = posts_purge_trash()
        self.stdout.write(f"{purged} post(s) in the trash for more than "
                          f"{settings.HEARTH_TRASH_DAYS} days deleted.")
