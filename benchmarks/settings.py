"""Settings for benchmark processes: Hearth's own, with the benchmark URLconf and DEBUG off.

The database is Hearth's usual `DATABASE_URL`; `benchmarks.run` points it at a working copy of
the generated data set before it starts a process.
"""

import os

os.environ.setdefault("DEBUG", "1")  # config.settings wants a SECRET_KEY when DEBUG is off
os.environ.setdefault("HEARTH_COMMENT_FLOOD_SECONDS", "0")  # W1 adds comments back to back
os.environ.setdefault("HEARTH_MUTATION_RATE_LIMIT", "1000000000")  # W1, W2: one IP, many writes
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")  # persistent connections, as in production

from config.settings import *  # noqa: E402,F403

DEBUG = False  # Django keeps no query log; the benchmark counts queries with its own capture
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
ROOT_URLCONF = "benchmarks.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False}
