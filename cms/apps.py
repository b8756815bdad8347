from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Hearth"

    def ready(self):
        from cms.models import Comment
        from cms.prepared import Among

        # The fields prepared queries filter with `__among` (cms/selectors/comments.py).
        for name in ("id", "parent"):
            Comment._meta.get_field(name).register_lookup(Among)
