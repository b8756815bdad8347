from django.core.management.base import BaseCommand, CommandError

from cms.models import User
from cms.services.tokens import token_create


class Command(BaseCommand):
    help = "Make an API token for USERNAME and print it (alone, on stdout). Only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is not active; a token would not work.")
        _, raw = token_create(user=user, name=name or "created with manage.py create_token")
        self.stdout.write(raw)
