from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Hearth"

    def ready(self):
        from cms import prepared  # noqa: F401 - registers the `among` lookup
