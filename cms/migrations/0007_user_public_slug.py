"""A user's public slug comes from the display name and is never the login name; the display
name is never the login name by default either (issue 11, account enumeration)."""

from django.db import migrations, models
from django.utils.text import slugify

import cms.models.users

DEFAULT_DISPLAY_NAME = "Member"


def public_slugs(apps, schema_editor):
    User = apps.get_model("cms", "User")
    users = list(User.objects.order_by("pk"))
    taken: set[str] = set()
    for user in users:
        if not user.display_name or user.display_name == user.username:
            full_name = f"{user.first_name} {user.last_name}".strip()
            user.display_name = full_name or DEFAULT_DISPLAY_NAME
        login = {user.username.lower(), slugify(user.username)}
        base = slugify(user.display_name)[:140].strip("-") or slugify(DEFAULT_DISPLAY_NAME)
        candidate, n = base, 1
        while candidate in taken or candidate in login:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        user.new_slug = candidate
    # Through a slug no user can hold, so no two rows ever share one on the way.
    for user in users:
        user.slug = f"--{user.pk}"
    User.objects.bulk_update(users, ["slug"], batch_size=500)
    for user in users:
        user.slug = user.new_slug
    User.objects.bulk_update(users, ["slug", "display_name"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0006_reaction_visitor_index"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", cms.models.users.UserManager()),
            ],
        ),
        migrations.AlterField(
            model_name="user",
            name="slug",
            field=models.SlugField(help_text="The public name in URLs, made from the display "
                                             "name; never the login name.",
                                   max_length=150, unique=True),
        ),
        migrations.RunPython(public_slugs, migrations.RunPython.noop),
    ]
