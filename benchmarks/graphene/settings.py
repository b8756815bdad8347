"""Settings for the graphene contender's processes (its own virtualenv, no strawberry)."""

from benchmarks.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "strawberry_django"]  # noqa: F405
INSTALLED_APPS += ["graphene_django"]
ROOT_URLCONF = "benchmarks.graphene.urls"
