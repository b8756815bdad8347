"""Redis servers of the tests' own, on free ports: a cache that can be filled or stopped without
touching anyone else's Redis."""

import socket
import subprocess
import time

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """`redis-server` without persistence, with a `maxmemory` and a policy when given."""

    def __init__(self, directory, maxmemory: str = "0", policy: str = "noeviction"):
        self.maxmemory = maxmemory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", str(directory),
                     "--maxmemory", maxmemory, "--maxmemory-policy", policy]
        self.process = None
        self.client = redis.Redis(port=self.port)

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client.ping()
                return self
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                time.sleep(0.02)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.client.close()

    def empty(self) -> None:
        self.client.flushall()
        self.client.config_set("maxmemory", self.maxmemory)

    def fill(self) -> None:
        """Write junk until Redis refuses writes (needs a maxmemory and `noeviction`), then lower
        the maxmemory below what is used, so that it stays full (small writes succeed again
        whenever a freed buffer brings the use under the limit)."""
        chunk = b"x" * 65_536
        for n in range(100_000):
            try:
                self.client.set(f"junk:{n}", chunk)
            except redis.exceptions.OutOfMemoryError:
                used = self.client.info("memory")["used_memory"]
                self.client.config_set("maxmemory", used // 2)
                return
        raise AssertionError("Redis never filled up")

    def cache_settings(self, **extra) -> dict:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": self.url, **extra}
