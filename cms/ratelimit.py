"""Fixed-window rate limits and quotas, counted in Django's cache.

A window is `window` seconds long and starts at a multiple of `window`, so its key expires on its
own. The counters use the `ratelimit` cache when one is configured (config/settings.py keeps it
apart: its own Redis, `HEARTH_RATELIMIT_REDIS_URL`, so a flood of cache entries can neither cull
nor crowd out the counters), else `default`. With Redis every server process shares one count.

A limit never fails open: if the store is down or full (Redis refuses writes), the request is
counted in this process's memory instead, so each process still holds the limit on its own.
"""

import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from cms import cache_guard

# Where counts go while the store fails: bounded like the local-memory store of settings.
_fallback = LocMemCache("hearth-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def _count(cache, key: str, cost: int, window: int) -> int:
    if cache.add(key, cost, timeout=window + 1):
        return cost
    try:
        return cache.incr(key, cost)
    except ValueError:  # the key expired between add and incr: a new window
        cache.add(key, cost, timeout=window + 1)
        return cost


def hit(key: str, *, limit: int, window: int, cost: int = 1) -> int | None:
    """Count `cost` requests for `key`. Over `limit` in this window: the seconds until the window
    ends (a Retry-After); within it: None."""
    now = time.time()
    start = int(now // window) * window
    cache_key = f"hearth:rate:{key}:{start}"
    store = caches["ratelimit" if "ratelimit" in settings.CACHES else "default"]
    try:
        count = _count(store, cache_key, cost, window)
    except Exception:  # noqa: BLE001 - the store is down or full: count in this process
        cache_guard.warn("rate limits (counting in process memory)")
        count = _count(_fallback, cache_key, cost, window)
    if count > limit:
        return max(1, math.ceil(start + window - now))
    return None
