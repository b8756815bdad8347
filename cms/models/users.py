from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from cms.models.loading import LoadsWithoutInit


class Role(models.TextChoices):
    """The WordPress roles, most powerful first. Each is a Django group of the same name."""

    ADMINISTRATOR = "administrator"
    EDITOR = "editor"
    AUTHOR = "author"
    CONTRIBUTOR = "contributor"
    SUBSCRIBER = "subscriber"


MODERATOR_ROLES = {Role.ADMINISTRATOR, Role.EDITOR}


class User(AbstractUser, LoadsWithoutInit):
    display_name = models.CharField(max_length=150, blank=True)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        if not self.slug:
            from django.utils.text import slugify

            self.slug = slugify(self.username) or f"user-{self.username}"
        if not self.display_name:
            self.display_name = self.username
        super().save(*args, **kwargs)

    @cached_property
    def role(self) -> Role | None:
        """The strongest role the user holds; superusers are administrators."""
        if self.is_superuser:
            return Role.ADMINISTRATOR
        names = set(self.groups.values_list("name", flat=True))
        return next((role for role in Role if role.value in names), None)

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in MODERATOR_ROLES
