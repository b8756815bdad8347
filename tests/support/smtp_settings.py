"""Hearth's settings for a server process the browser tests start: the tests' own settings,
sending mail over SMTP to the test's server (tests/support/smtp.py) on HEARTH_TEST_SMTP_PORT."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["HEARTH_TEST_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
