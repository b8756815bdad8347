"""Fixed-window rate limits in Django's cache.

The local-memory cache counts per process; with `REDIS_URL` set, every server process shares one
count. A window is `window` seconds long and starts at a multiple of `window`, so its key expires
on its own. The counters use the `ratelimit` cache when one is configured (cms/settings.py keeps
them apart, so a flood of other entries, such as persisted queries, cannot cull them), else
`default`. If the cache is unreachable the request is let through and a warning is logged: a
broken cache should not take the site down with it.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger("hearth")


def hit(key: str, *, limit: int, window: int, cost: int = 1) -> int | None:
    """Count `cost` requests for `key`. Over `limit` in this window: the seconds until the window
    ends (a Retry-After); within it: None."""
    now = time.time()
    start = int(now // window) * window
    cache_key = f"hearth:rate:{key}:{start}"
    cache = caches["ratelimit" if "ratelimit" in settings.CACHES else "default"]
    try:
        if cache.add(cache_key, cost, timeout=window + 1):
            count = cost
        else:
            count = cache.incr(cache_key, cost)
    except ValueError:  # the key expired between add and incr: a new window
        count = cost
    except Exception:  # noqa: BLE001 - the cache is down; fail open
        logger.warning("Rate limit cache unavailable; letting %s through", key, exc_info=True)
        return None
    if count > limit:
        return max(1, math.ceil(start + window - now))
    return None
