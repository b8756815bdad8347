"""The five roles of the contract as groups, with the model permissions the admin checks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "administrator": "__all__",
    "editor": [
        "add_post", "change_post", "delete_post", "view_post",
        "add_tag", "change_tag", "delete_tag", "view_tag",
        "change_comment", "delete_comment", "view_comment", "view_reaction",
    ],
    "author": ["add_post", "change_post", "delete_post", "view_post", "add_tag", "view_tag"],
    "contributor": ["add_post", "change_post", "view_post", "view_tag"],
    "subscriber": [],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if codenames == "__all__":
            permissions = Permission.objects.all()
        else:
            permissions = Permission.objects.filter(content_type__app_label="cms",
                                                    codename__in=codenames)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
