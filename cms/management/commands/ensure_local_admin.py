import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from cms.models import Role, User

USERNAME = "admin"
DEMO_ADMINISTRATOR = "maya"  # seed_demo's author, who signs in with the same password
PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "local-admin-password"


class Command(BaseCommand):
    help = ("For local development (DEBUG on): make a superuser `admin` with a generated password "
            "if there is none, and print how to sign in.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin is for local development (DEBUG=1). "
                               "In production use `python manage.py createsuperuser`.")
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(USERNAME, "admin@localhost", password,
                                                 display_name="Local admin")
            user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
            PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
            self.stdout.write(f"Created the local administrator. Sign in at /admin/ as "
                              f"{USERNAME} / {password}")
            self.demo_sign_in(password)
            return
        stored = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else ""
        if stored and user.check_password(stored):
            self.stdout.write(f"Sign in at /admin/ as {USERNAME} / {stored}")
            self.demo_sign_in(stored)
        else:
            self.stdout.write(f"Sign in at /admin/ as {USERNAME}. To set a new password, run "
                              f"`.venv/bin/python manage.py changepassword {USERNAME}`.")

    def demo_sign_in(self, password: str) -> None:
        """Let the demo's administrator sign in too, with the same password, unless a password
        of her own was set."""
        maya = User.objects.filter(username=DEMO_ADMINISTRATOR).first()
        if maya is None:
            return
        if not maya.has_usable_password():
            maya.set_password(password)
            maya.is_staff = True
            maya.save(update_fields=["password", "is_staff"])
        if maya.check_password(password):
            self.stdout.write(f"  or as {DEMO_ADMINISTRATOR} (the demo's author), same password")
