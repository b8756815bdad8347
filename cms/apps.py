from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Hearth"

    def ready(self):
        from cms import content_versions, prepared, webhooks  # noqa: F401 - prepared: `among`

        webhooks.register()
        content_versions.register()
