from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import slugify


class Role(models.TextChoices):
    """The WordPress roles, most powerful first. Each is a Django group of the same name."""

    ADMINISTRATOR = "administrator"
    EDITOR = "editor"
    AUTHOR = "author"
    CONTRIBUTOR = "contributor"
    SUBSCRIBER = "subscriber"


MODERATOR_ROLES = {Role.ADMINISTRATOR, Role.EDITOR}


# The name of an account that has none (no display name, no full name): never its login name,
# which the API does not show.
DEFAULT_DISPLAY_NAME = "Member"


class UserManager(DjangoUserManager):
    pass


class User(AbstractUser):
    display_name = models.CharField(max_length=150, blank=True)
    slug = models.SlugField(max_length=150, unique=True,
                            help_text="The public name in URLs, made from the display name; "
                                      "never the login name.")
    bio = models.TextField(blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)

    objects = UserManager()

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        if not self.display_name:
            self.display_name = self.get_full_name() or DEFAULT_DISPLAY_NAME
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.slug and self.slug.lower() in self.login_spellings():
            raise ValidationError({"slug": "The public slug may not be the login name."})

    def login_spellings(self) -> set[str]:
        return {self.username.lower(), slugify(self.username)}

    def unique_slug(self) -> str:
        """The display name as a slug, with -2, -3 ... when it is taken or is the login name."""
        base = slugify(self.display_name)[:140].strip("-") or slugify(DEFAULT_DISPLAY_NAME)
        taken = set(User.objects.filter(slug__startswith=base).exclude(pk=self.pk)
                    .values_list("slug", flat=True)) | self.login_spellings()
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    @property
    def profile_url(self) -> str | None:
        """The account's public page on the reader's site (HEARTH_PROFILE_URL with `{slug}`
        filled in), or None when the site has none."""
        template = settings.HEARTH_PROFILE_URL
        return template.replace("{slug}", self.slug) if template else None

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
