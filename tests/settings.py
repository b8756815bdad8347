"""The test suite's settings: Hearth's own, with the development defaults `make run` and
`make test` use (DEBUG on, so no SECRET_KEY is needed), so a bare `pytest` works.

Only the environment's defaults change: config.settings still refuses to start without a SECRET_KEY
when DEBUG is off, and the tests of production behaviour (test_hardening_production.py,
test_foundation_settings.py) run config.settings itself, with DEBUG off, in processes of their own.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402,F403
