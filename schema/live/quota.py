"""Live subscriptions per client IP (HEARTH_LIVE_SUBSCRIPTIONS_PER_IP), across every process.

With Redis (the rate limits' and quotas' own, HEARTH_RATELIMIT_REDIS_URL, which is REDIS_URL
unless set) the count is one sorted set per IP: a member per subscription, scored by
when its lease ends. Taking a place is one Lua script (drop expired leases, count, add), so two
processes cannot both take the last place. Each process renews its leases while they run; a
process that dies leaves leases that expire after LEASE_SECONDS. A set never holds more than the
limit, and expires with its last lease. Without Redis the count is this process's own.
"""

import asyncio
import contextlib
import time
import uuid

import redis.asyncio as redis
from django.conf import settings

from cms import cache_guard

LEASE_SECONDS = 120
RENEW_SECONDS = 40

TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def _key(ip: str) -> str:
    return f"hearth:live:ip:{ip}"


class Quota:
    def __init__(self):
        url = settings.HEARTH_RATELIMIT_REDIS_URL
        self.redis = redis.from_url(url) if url else None
        self.take_script = self.redis.register_script(TAKE) if self.redis else None
        self.local: dict[str, int] = {}
        # member -> (ip, whether its place is in Redis), while the subscription runs
        self.leases: dict[str, tuple[str, bool]] = {}
        self.renewing: asyncio.Task | None = None

    async def take(self, ip: str | None) -> str | None:
        """A place for one more subscription from `ip`: its lease, or None when the IP has
        none left. A Redis that is down or full counts in this process instead (never open)."""
        limit = settings.HEARTH_LIVE_SUBSCRIPTIONS_PER_IP
        ip = ip or "unknown"
        member = uuid.uuid4().hex
        shared = self.redis is not None
        if shared:
            now = time.time()
            try:
                taken = await self.take_script(keys=[_key(ip)], args=[
                    now, now + LEASE_SECONDS, limit, member, LEASE_SECONDS + 1])
            except redis.RedisError:
                cache_guard.warn("live subscriptions per IP (counting in process memory)")
                shared = False
            else:
                if not taken:
                    return None
                if self.renewing is None or self.renewing.done():
                    self.renewing = asyncio.create_task(self.renew())
        if not shared:
            if self.local.get(ip, 0) >= limit:
                return None
            self.local[ip] = self.local.get(ip, 0) + 1
        self.leases[member] = (ip, shared)
        return member

    async def give_back(self, member: str) -> None:
        ip, shared = self.leases.pop(member, (None, False))
        if ip is None:
            return
        if shared:
            with contextlib.suppress(redis.RedisError):  # else the lease expires on its own
                await self.redis.zrem(_key(ip), member)
            return
        self.local[ip] -= 1
        if not self.local[ip]:
            del self.local[ip]

    async def renew(self) -> None:
        while self.leases:
            await asyncio.sleep(RENEW_SECONDS)
            until = time.time() + LEASE_SECONDS
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for member, (ip, shared) in list(self.leases.items()):
                        if not shared:
                            continue
                        pipe.zadd(_key(ip), {member: until}, xx=True)
                        pipe.expire(_key(ip), LEASE_SECONDS + 1)
                    await pipe.execute()
            except redis.RedisError:  # the next round tries again
                continue


_quotas: dict[asyncio.AbstractEventLoop, Quota] = {}


def quota() -> Quota:
    """This process's quota keeper (one per event loop, as its Redis connections are)."""
    loop = asyncio.get_running_loop()
    if loop not in _quotas:
        for closed in [other for other in _quotas if other.is_closed()]:
            del _quotas[closed]
        _quotas[loop] = Quota()
    return _quotas[loop]
