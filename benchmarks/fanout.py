"""Fan-out of live events (issue 14): N subscribers on one post over real WebSocket connections,
spread over P uvicorn processes that share a PostgreSQL database and a Redis of the benchmark's
own; one comment added at a time through HTTP. It measures:

- delivery: from the mutation's response to the last subscriber's message (median and p99 over
  the writes), and each message's own delay (p99 over every message of every write);
- the write's own latency (the mutation's response time) without subscribers and with N;
- memory per idle connection: the servers' RSS with N subscribers, less before, over N.

Targets (issue 14): p99 delivery under 500 ms at 1,000 subscribers, and the write's latency
growing by at most 20% with them. The subscribers run in this process (one asyncio loop), on the
same machine as the servers: their own CPU is part of what is measured.

    .venv/bin/python -m benchmarks.fanout                  # 1,000 subscribers, 2 processes
    .venv/bin/python -m benchmarks.fanout --quick          # 50 subscribers, a few writes
    .venv/bin/python -m benchmarks.fanout --subscribers 200 --writes 10 --processes 2

Writes its section of BENCHMARKS.md (var/BENCHMARKS-quick.md with --quick) and
var/fanout[-quick].json. PostgreSQL: DATABASE_URL's server, else 127.0.0.1:5432 as postgres.
"""

import argparse
import asyncio
import http.client
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.hostile import Database, Redis, free_port, machine, rss_bytes

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BEGIN, END = "<!-- fanout -->", "<!-- /fanout -->"
SUBSCRIPTION = """subscription($id: ID!) { postActivity(postId: $id) {
  kind comment { id body } post { commentCount } } }"""
ADD = """mutation($input: AddCommentInput!) { addComment(input: $input) {
  comment { id } errors { code } } }"""
SEED = """
import json
from django.contrib.auth.models import Group
from strawberry.relay import GlobalID
from cms.models import User
from cms.services.posts import post_create, post_publish
from cms.services.tokens import token_create
author = User.objects.create_user("fanout-author", email="fanout@example.com", password=None)
author.groups.add(Group.objects.get(name="author"))
post = post_publish(actor=author, post=post_create(actor=author, title="Fan-out", body="Hi."))
print("SEED " + json.dumps({"post": str(GlobalID("Post", str(post.pk))),
                            "token": token_create(user=author)[1]}))
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Cluster:
    """PostgreSQL database, Redis, and P uvicorn processes serving config.asgi."""

    def __init__(self, processes: int, name: str = "hearth_fanout"):
        server = os.environ.get("DATABASE_URL", "")
        if not server.startswith(("postgres://", "postgresql://")):
            server = "postgres://postgres@127.0.0.1:5432/postgres"
        self.database = Database(urlunsplit(urlsplit(server)._replace(path="/" + name)))
        self.redis = Redis("512mb", "noeviction")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("HEARTH_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            DATABASE_URL=self.database.url, REDIS_URL=self.redis.url, DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0", DJANGO_SETTINGS_MODULE="config.settings",
            HEARTH_COMMENT_FLOOD_SECONDS="0", HEARTH_MUTATION_RATE_LIMIT="1000000",
            HEARTH_LIVE_SUBSCRIPTIONS_PER_IP="1000000", PYTHONUNBUFFERED="1")
        self.database.create()
        self.manage("migrate", "--noinput")
        out = self.manage("shell", "-c", SEED)
        self.seed = json.loads(next(line[5:] for line in out.splitlines()
                                    if line.startswith("SEED ")))
        self.ports = [free_port() for _ in range(processes)]
        self.processes = [subprocess.Popen(
            [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port",
             str(port), "--ws", "websockets-sansio", "--log-level", "warning", "--backlog", "4096"],
            cwd=ROOT, env=self.env) for port in self.ports]
        for port in self.ports:
            self.wait(port)

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def wait(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                post(port, {"query": "{ __typename }"})
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def rss(self) -> int:
        return sum(rss_bytes(process.pid) or 0 for process in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)
        self.redis.stop()
        self.database.drop()


def post(port: int, payload: dict, token: str | None = None) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", "/graphql/", json.dumps(payload), headers)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def add_comment(cluster: Cluster, port: int, body: str) -> tuple[float, float]:
    """(when it was sent, when its response came), perf_counter seconds."""
    started = time.perf_counter()
    answer = post(port, {"query": ADD, "variables": {"input": {
        "postId": cluster.seed["post"], "body": body}}}, cluster.seed["token"])
    assert answer["data"]["addComment"]["errors"] == [], answer
    return started, time.perf_counter()


async def subscriber(port: int, post_id: str, arrivals: dict, ready: asyncio.Event,
                     counter: list) -> None:
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{port}/graphql/", subprotocols=["graphql-transport-ws"],
                       open_timeout=120, ping_interval=None, compression=None) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": SUBSCRIPTION, "variables": {"id": post_id}}}))
        counter[0] += 1
        if counter[0] == counter[1]:
            ready.set()
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next":
                body = message["payload"]["data"]["postActivity"]["comment"]["body"]
                arrivals.setdefault(body, []).append(time.perf_counter())


async def measure(cluster: Cluster, subscribers: int, writes: int) -> dict:
    ports = cluster.ports
    quiet = [add_comment(cluster, ports[n % len(ports)], f"warm {n}") for n in range(3)]
    quiet = [add_comment(cluster, ports[n % len(ports)], f"quiet {n}") for n in range(writes)]
    rss_before = cluster.rss()
    arrivals: dict[str, list[float]] = {}
    ready = asyncio.Event()
    counter = [0, subscribers]
    tasks = []
    for n in range(subscribers):
        tasks.append(asyncio.create_task(subscriber(
            ports[n % len(ports)], cluster.seed["post"], arrivals, ready, counter)))
        if n % 50 == 49:
            await asyncio.sleep(0.05)  # not all handshakes at once
    await asyncio.wait_for(ready.wait(), timeout=300)
    await asyncio.sleep(2)  # every subscription registered with its process's hub
    rss_after = cluster.rss()
    loaded, complete, per_message = [], [], []
    for n in range(writes):
        body = f"fan-out {n}"
        started, answered = await asyncio.to_thread(
            add_comment, cluster, ports[n % len(ports)], body)
        loaded.append(answered - started)
        deadline = time.perf_counter() + 10
        while len(arrivals.get(body, ())) < subscribers and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        times = arrivals.get(body, [])
        per_message += [arrival - answered for arrival in times]
        complete.append((max(times) - answered) if len(times) == subscribers else None)
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delivered = [value for value in complete if value is not None]
    quiet_latency = [answered - started for started, answered in quiet]
    return {
        "subscribers": subscribers, "processes": len(ports), "writes": writes,
        "complete_writes": len(delivered),
        "last_message_median_ms": statistics.median(delivered) * 1000 if delivered else None,
        "last_message_p99_ms": percentile(delivered, 0.99) * 1000 if delivered else None,
        "message_p99_ms": percentile(per_message, 0.99) * 1000 if per_message else None,
        "write_quiet_median_ms": statistics.median(quiet_latency) * 1000,
        "write_loaded_median_ms": statistics.median(loaded) * 1000,
        "memory_per_connection_kib": (rss_after - rss_before) / subscribers / 1024,
    }


def render(result: dict) -> str:
    growth = result["write_loaded_median_ms"] / result["write_quiet_median_ms"] - 1
    p99 = result["last_message_p99_ms"]
    held = "held" if p99 is not None and p99 < 500 else "missed"
    grown = "held" if growth <= 0.20 else "missed"
    lines = [
        BEGIN,
        "## Fan-out of live events (issue 14)",
        "",
        f"`make bench` ran `python -m benchmarks.fanout`: {result['subscribers']:,} subscribers "
        f"over real WebSocket connections to {result['processes']} uvicorn processes (shared "
        "PostgreSQL and Redis channel layer), one post, one comment added at a time through "
        f"HTTP, {result['writes']} writes; the subscribers run in the benchmark's own process "
        f"on the same machine. {machine()}; {result['when']}.",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| mutation response to last subscriber's message, median | "
        f"{fmt(result['last_message_median_ms'])} ms | |",
        f"| mutation response to last subscriber's message, p99 | {fmt(p99)} ms | "
        f"< 500 ms: {held} |",
        f"| one message's delay, p99 over all | {fmt(result['message_p99_ms'])} ms | |",
        f"| writes whose every subscriber got the message within 10 s | "
        f"{result['complete_writes']} of {result['writes']} | all |",
        f"| addComment latency without subscribers, median | "
        f"{fmt(result['write_quiet_median_ms'])} ms | |",
        f"| addComment latency with {result['subscribers']:,} subscribers, median | "
        f"{fmt(result['write_loaded_median_ms'])} ms ({growth:+.0%}) | at most +20%: {grown} |",
        f"| server memory per idle connection | "
        f"{result['memory_per_connection_kib']:.0f} KiB | |",
        END,
    ]
    return "\n".join(lines) + "\n"


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def write_section(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    path.write_text(text)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 subscribers, 5 writes")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.writes = min(args.subscribers, 50), min(args.writes, 5)
    return args


def main() -> None:
    args = arguments()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    cluster = Cluster(args.processes)
    try:
        result = asyncio.run(measure(cluster, args.subscribers, args.writes))
    finally:
        cluster.stop()
    result["when"] = time.strftime("%Y-%m-%d %H:%M %Z")
    section = render(result)
    print(section)
    (ROOT / "var").mkdir(exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (ROOT / "var" / f"fanout{suffix}.json").write_text(json.dumps(result, indent=2))
    write_section(ROOT / ("var/BENCHMARKS-quick.md" if args.quick else "BENCHMARKS.md"), section)


if __name__ == "__main__":
    main()
