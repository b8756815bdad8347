"""Cache calls that degrade instead of failing.

A cache that is down (connection refused) or full (Redis `maxmemory` with `noeviction` refuses
writes) must never turn a read or a committed write into an error: the caller goes on uncached.
Each kind of failure is logged at most once a minute per process, so an outage does not flood
the log.
"""

import logging
import time

logger = logging.getLogger("hearth")

QUIET_SECONDS = 60
_last_warned: dict[str, float] = {}


def warn(what: str) -> None:
    """Log the exception being handled as `what`, unless `what` was logged in the last minute."""
    now = time.monotonic()
    if now - _last_warned.get(what, -QUIET_SECONDS) >= QUIET_SECONDS:
        _last_warned[what] = now
        logger.warning("Cache unavailable for %s; going on without it", what, exc_info=True)


def attempt(what: str, call, fallback=None):
    """`call()`, or `fallback` (after a warning) when the cache fails."""
    try:
        return call()
    except Exception:  # noqa: BLE001 - any cache failure: down, full, timed out
        warn(what)
        return fallback
