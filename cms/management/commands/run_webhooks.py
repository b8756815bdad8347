"""Drain the webhook queue: `python manage.py run_webhooks` runs until stopped; `--once` attempts
every due delivery and exits."""

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from cms.services.posts import posts_purge_trash
from cms.webhooks import deliver_due

PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = "Send queued publish webhooks, retrying failures with exponential backoff."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Attempt the due deliveries and exit.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between polls of the queue (default 1).")

    def handle(self, *args, once: bool = False, interval: float = 1.0, **options):
        if once:
            made = deliver_due()
            self.stdout.write(f"{made} webhook attempt(s) made.")
            return
        self.stdout.write("Sending webhooks; stop with Ctrl-C.")
        purged_at = 0.0
        try:
            while True:
                close_old_connections()
                try:
                    if time.monotonic() - purged_at > PURGE_EVERY_SECONDS:
                        posts_purge_trash()  # the trash's 30 days, without a cron job
                        purged_at = time.monotonic()
                    made = deliver_due()
                except DatabaseError as error:  # the database restarting must not end the worker
                    self.stderr.write(f"Webhook queue unavailable: {error}")
                    made = 0
                if not made:
                    time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
