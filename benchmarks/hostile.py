"""`make bench-hostile`: the hostile requests of issue 11, and what each costs the server.

    .venv/bin/python -m benchmarks.hostile [--quick] [--sqlite] [--database-url URL]
        [--output PATH] [--redis-maxmemory 64mb] [--redis-policy noeviction] [--posts 110]

The deployment is the README's: gunicorn with 2 gthread workers of 4 threads each
(`--worker-class gthread --workers 2 --threads 4`, benchmarks.http_load.Server),
DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, a fresh PostgreSQL database of its own (created and
dropped here; SQLite with --sqlite), and two redis-servers of its own on free ports, each with a
`maxmemory`: one for the caches (REDIS_URL), one for the rate-limit counters
(HEARTH_RATELIMIT_REDIS_URL), so what callers make Redis store is measured in isolation. The
blog is benchmarks.hostile_seed's; the requests are benchmarks.hostile_corpus's.

What it measures, in this order:
1. CPU: each attack's requests, sent one at a time; the workers' CPU time (utime + stime of
   gunicorn's worker processes, read from /proc at microsecond resolution where the kernel
   offers /proc/<pid>/task/*/sched, else in clock ticks) before and after each request.
2. Memory: N unique requests of the memory attacks, from 4 clients at once; the workers' peak
   RSS against their RSS before; Redis `used_memory` before and after. Then unique persisted
   queries until the cache Redis is full (or a number is sent) and unique reads of the largest
   allowed answer, and what a reader, a moderator, a commenter and a flood of mutations get.
3. The quiet median of a normal read (a post page), the same read while 2 connections send
   nothing, and while 4 clients loop the costliest attacks (by median CPU in step 1); then the
   same three with 2 sync workers (gunicorn's default) on the same database, for context.

Every figure goes to stdout and to benchmarks/HOSTILE.md (the markdown the lead merges into
BENCHMARKS.md), with the machine, the date and the commit; the raw figures to var/hostile-*.json.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CPU_TARGET_MS = 250
RSS_TARGET_MB = 64
SLOWDOWN_TARGET = 10
LOGIN_LOCKOUT_TARGET = 10  # wrong passwords before the admin login refuses without checking
MB = 1024 * 1024
THREADS = 4  # gunicorn gthread threads per worker, as the README recommends


@dataclass
class Plan:
    quick: bool
    smoke: bool
    cpu_index: int = field(init=False)
    memory_requests: int = field(init=False)
    fill_registrations: int = field(init=False)
    fill_requests: int = field(init=False)
    quiet_reads: int = field(init=False)
    attack_seconds: float = field(init=False)
    idle_seconds: float = field(init=False)
    scale: float = field(init=False)

    def __post_init__(self):
        self.cpu_index = 0 if self.quick or self.smoke else 1
        self.scale = 0.02 if self.smoke else 1.0
        if self.smoke:
            self.memory_requests, self.fill_registrations, self.fill_requests = 40, 20, 1
            self.quiet_reads, self.attack_seconds, self.idle_seconds = 5, 2, 1
        elif self.quick:
            self.memory_requests, self.fill_registrations, self.fill_requests = 1_000, 1_500, 5
            self.quiet_reads, self.attack_seconds, self.idle_seconds = 20, 8, 3
        else:
            self.memory_requests, self.fill_registrations, self.fill_requests = 10_000, 6_000, 20
            self.quiet_reads, self.attack_seconds, self.idle_seconds = 50, 20, 5

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "quick" if self.quick else "full"


# The deployment ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """A redis-server of the benchmark's own: no persistence, a `maxmemory`."""

    def __init__(self, maxmemory: str, policy: str):
        import redis

        self.port = free_port()
        self.maxmemory, self.policy = maxmemory, policy
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--maxmemory", maxmemory, "--maxmemory-policy", policy],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis(port=self.port)
        deadline = time.time() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.maxmemory_bytes = int(self.client.config_get("maxmemory")["maxmemory"])

    def used(self) -> int:
        return int(self.client.info("memory")["used_memory"])

    def flush(self) -> None:
        self.client.flushall()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Database:
    """A fresh database: PostgreSQL (created and dropped on the URL's server) or SQLite."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.name = urlsplit(url).path.lstrip("/")

    def _admin(self, statement: str) -> None:
        import psycopg

        maintenance = urlunsplit(urlsplit(self.url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(statement)

    def _sqlite_files(self) -> list[Path]:
        return [Path("/" + self.name + suffix) for suffix in ("", "-wal", "-shm")]

    def create(self) -> None:
        self.drop()
        if not self.sqlite:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.sqlite:
            for path in self._sqlite_files():
                path.unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def count(self, table: str) -> int:
        if self.sqlite:
            import sqlite3

            with sqlite3.connect(self._sqlite_files()[0]) as connection:
                return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        import psycopg

        with psycopg.connect(self.url) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class Deployment:
    """Database, Redis, the seeded blog and gunicorn, started in that order."""

    def __init__(self, database_url: str, maxmemory: str, policy: str, posts: int):
        from benchmarks import http_load, run

        self.database = Database(database_url)
        self.started = []  # what to stop, last started first
        try:
            self.caches = Redis(maxmemory, policy)
            self.started.append(self.caches.stop)
            self.limits = Redis("16mb", "noeviction")
            self.started.append(self.limits.stop)
            self.database.create()
            self.started.append(self.database.drop)
            os.environ.update({
                "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
                "REDIS_URL": self.caches.url, "HEARTH_RATELIMIT_REDIS_URL": self.limits.url,
                "HEARTH_TRUSTED_PROXIES": "127.0.0.1", "DATABASE_CONN_MAX_AGE": "600",
                "GUNICORN_CMD_ARGS": "--timeout 30",
            })
            self.seed = json.loads(run.python(
                ".venv", ["-m", "benchmarks.hostile_seed", str(posts)], database_url,
                "config.settings"))
            self.port = free_port()
            (ROOT / "var").mkdir(exist_ok=True)
            self.server = http_load.Server(".venv", "config.settings", database_url, self.port,
                                           threads=THREADS)
            self.started.append(self.server.stop)
            self.master = self.server.process.pid
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for stop in reversed(self.started):
            try:
                stop()
            except Exception as error:  # noqa: BLE001 - stop the rest regardless
                print(f"  (stopping: {error})", flush=True)


# Measuring the workers -----------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def workers(master: int) -> list[int]:
    """gunicorn's worker processes: the master's children that are alive (not zombies a killed
    worker leaves until the master reaps it)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                state, parent = stat.rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(parent) == master and state != "Z":
                found.append(int(entry))
    return found


def cpu_seconds(pid: int) -> float | None:
    """The process's CPU time so far: the sum of its threads' sum_exec_runtime when the kernel
    shows it (microseconds), else utime + stime from /proc/<pid>/stat (clock ticks)."""
    try:
        total, tasks = 0.0, os.listdir(f"/proc/{pid}/task")
        if not tasks:
            return None
        for task in tasks:
            for line in Path(f"/proc/{pid}/task/{task}/sched").read_text().splitlines():
                if line.startswith("se.sum_exec_runtime"):
                    total += float(line.split(":")[1]) / 1000
                    break
            else:
                raise FileNotFoundError
        return total
    except FileNotFoundError:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return None


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_snapshot(master: int) -> dict[int, float]:
    return {pid: cpu for pid in workers(master) if (cpu := cpu_seconds(pid)) is not None}


def send(port: int, request: tuple, timeout: float = 120) -> tuple[int, bytes]:
    """One request; status 0 when the connection failed or was dropped (a killed worker)."""
    method, path, headers, body = request
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data
    except (OSError, http.client.HTTPException):
        return 0, b""


def outcome(status: int, data: bytes) -> tuple[str, dict | None]:
    """answered, refused (a 4xx, a GraphQL error, a UserError), or failed (no answer, a 5xx,
    or "Unexpected error": a bug's traceback in the log)."""
    try:
        answer = json.loads(data)
    except ValueError:
        answer = None
    if status == 0 or status >= 500:
        return "failed", answer
    if not isinstance(answer, dict):
        return ("refused" if status >= 400 else "answered"), None
    errors = answer.get("errors") or []
    if any("Unexpected error" in str(error.get("message")) for error in errors):
        return "failed", answer
    payloads = (answer.get("data") or {}).values()
    if status >= 400 or errors or any(isinstance(p, dict) and p.get("errors") for p in payloads):
        return "refused", answer
    return "answered", answer


@dataclass
class Sample:
    kind: str
    status: int
    cpu_ms: float
    wall_ms: float
    killed: bool


def measured(deployment: Deployment, request: tuple) -> tuple[Sample, dict | None]:
    """Send one request alone and read what it cost the workers. A worker that died on it (the
    timeout) is charged at least the request's wall time."""
    before = cpu_snapshot(deployment.master)
    started = time.perf_counter()
    status, data = send(deployment.port, request)
    wall = time.perf_counter() - started
    time.sleep(0.01)  # the worker's own work after the answer (closing, logging)
    after = cpu_snapshot(deployment.master)
    cpu = sum(max(0, after[pid] - before[pid]) for pid in before if pid in after)
    killed = any(pid not in after or after[pid] < before[pid] for pid in before)
    if killed:
        cpu = max(cpu, wall)
        time.sleep(1)  # the master starts a new worker
    kind, answer = outcome(status, data)
    return Sample(kind, status, cpu * 1000, wall * 1000, killed), answer


def warm(deployment: Deployment) -> None:
    """Both workers past their first requests (imports, schema, connections) before measuring."""
    from benchmarks.hostile_corpus import normal_read

    in_parallel(deployment, (normal_read(deployment.seed["post_slug"], f"warm-{n}")
                             for n in range(20)), clients=2)


# Phase 1: CPU per request --------------------------------------------------------------------


def admin_login(deployment: Deployment, findings: dict):
    """Wrong passwords for the administrator at /admin/login/, each with a fresh CSRF token (the
    GET that fetches it is not measured)."""
    from benchmarks.hostile_corpus import Attack

    def make(i: int) -> tuple:
        status, page = send(deployment.port, ("GET", "/admin/login/", {}, None))
        text = page.decode(errors="replace")
        marker = 'name="csrfmiddlewaretoken" value="'
        token = text.split(marker, 1)[1].split('"', 1)[0] if marker in text else ""
        body = urlencode({"csrfmiddlewaretoken": token, "username": "admin",
                          "password": f"wrong-{i}", "next": "/admin/"}).encode()
        return ("POST", "/admin/login/", {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}",
            "X-Forwarded-For": "203.0.113.13"}, body)

    def observe(i: int, status: int, answer) -> None:
        if status != 200 and "login_refused_at" not in findings:
            findings["login_refused_at"] = i + 1
        findings["login_tries"] = i + 1

    return Attack("13 Enumeration", "admin login, wrong password (one caller)", make, (12, 30),
                  observe=observe)


def cpu_phase(deployment: Deployment, attacks: list, plan: Plan) -> dict:
    rows = {}
    reactions_before = deployment.database.count("cms_reaction")
    for attack in attacks:
        wanted = attack.count[plan.cpu_index]
        if plan.smoke and not attack.observe:  # an observed class's check needs every request
            wanted = min(wanted, 1)
        if attack.group.startswith("3 "):
            rate_window_start()  # what one caller gets through is counted in one window
        samples = []
        for i in range(wanted):
            request = attack.make(i)
            if request is None:
                break
            sample, answer = measured(deployment, request)
            samples.append(sample)
            if attack.observe:
                attack.observe(i, sample.status, answer)
        rows[attack.name] = samples
        if samples:
            cpu = [s.cpu_ms for s in samples]
            print(f"  {attack.group} | {attack.name}: {len(samples)} sent, CPU median "
                  f"{statistics.median(cpu):.0f} ms, worst {max(cpu):.0f} ms, "
                  f"{summary(samples)}", flush=True)
        if attack.group.startswith("3 "):
            rows["_reactions_created"] = (deployment.database.count("cms_reaction")
                                          - reactions_before)
            rows["_mutation_requests"] = len(samples)
    return rows


def rate_limit() -> tuple[int, int]:
    """The server's mutation limit: (mutations, per seconds)."""
    return (int(os.environ.get("HEARTH_MUTATION_RATE_LIMIT", "60")),
            int(os.environ.get("HEARTH_MUTATION_RATE_WINDOW_SECONDS", "60")))


def rate_window_start() -> None:
    """Wait for a new fixed window of the rate limit, unless the current one has 20 s left: a
    flood measured across two windows could pass twice the limit, rightly."""
    window = rate_limit()[1]
    if window - time.time() % window < 20:
        time.sleep(window - time.time() % window + 0.2)


def summary(samples: list[Sample]) -> str:
    kinds = [s.kind for s in samples]
    text = ", ".join(f"{kinds.count(k)} {k}" for k in ("answered", "refused", "failed")
                     if kinds.count(k))
    killed = sum(s.killed for s in samples)
    return text + (f", {killed} worker{'s' * (killed > 1)} killed" if killed else "")


def after_dates(deployment: Deployment, findings: dict) -> dict:
    """After the hostile publishPost calls: do lists, node(id) and deletePost still work?"""
    from benchmarks.hostile_corpus import gid, gql

    seed = deployment.seed
    accepted = findings.get("dates_accepted", [])
    checks = {}
    status, data = send(deployment.port, gql(
        "{ posts(first: 100) { edges { node { id publishedAt } } } }\n# after dates"))
    checks["posts list"] = outcome(status, data)[0]
    kinds = []
    for i in accepted:
        post_id = gid("Post", seed["draft_ids"][i])
        status, data = send(deployment.port, gql(
            'query($id: ID!) { node(id: $id) { id } } # after', {"id": post_id},
            headers={"Authorization": f"Bearer {seed['tokens']['author']}"}))
        kinds.append(outcome(status, data)[0])
        status, data = send(deployment.port, gql(
            "mutation($id: ID!) { deletePost(id: $id) { deletedId errors { code } } }",
            {"id": post_id}, headers={"Authorization": f"Bearer {seed['tokens']['author']}"}))
        kinds.append(outcome(status, data)[0])
    checks["node and deletePost of those posts"] = (
        "failed" if "failed" in kinds else "fine" if kinds else "n/a")
    return checks


# Phase 2: memory -----------------------------------------------------------------------------


class RssWatch:
    """Samples the workers' RSS every 0.2 s: each worker's first and peak figure."""

    def __init__(self, master: int):
        self.master, self.first, self.peak = master, {}, {}
        self.stopped = threading.Event()
        self.sample()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        for pid in workers(self.master):
            rss = rss_bytes(pid)
            if rss is not None:
                self.first.setdefault(pid, rss)
                self.peak[pid] = max(self.peak.get(pid, 0), rss)

    def _run(self) -> None:
        while not self.stopped.wait(0.2):
            self.sample()

    def stop(self) -> dict:
        self.stopped.set()
        self.thread.join()
        self.sample()
        original = set(self.first) & set(workers(self.master))
        return {"workers": [{"pid": pid, "before_mb": self.first[pid] / MB,
                             "peak_mb": self.peak[pid] / MB,
                             "growth_mb": (self.peak[pid] - self.first[pid]) / MB,
                             "replaced": pid not in original} for pid in sorted(self.first)]}


def in_parallel(deployment: Deployment, requests, clients: int = 4) -> dict:
    """Send every request of the iterator from `clients` threads; count the outcomes."""
    counts, lock = {"answered": 0, "refused": 0, "failed": 0}, threading.Lock()
    iterator = iter(requests)

    def client() -> None:
        while True:
            with lock:
                request = next(iterator, None)
            if request is None:
                return
            kind = outcome(*send(deployment.port, request))[0]
            with lock:
                counts[kind] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def memory_phase(deployment: Deployment, attacks: list, plan: Plan) -> dict:
    memory = [a for a in attacks if a.memory]
    caches_before, limits_before = deployment.caches.used(), deployment.limits.used()
    watch = RssWatch(deployment.master)
    started = time.perf_counter()
    counts = in_parallel(deployment, (memory[k % len(memory)].make(100_000 + k // len(memory))
                                      for k in range(plan.memory_requests)))
    result = watch.stop()
    result.update(requests=plan.memory_requests, seconds=time.perf_counter() - started,
                  outcomes=counts, attacks=[a.name for a in memory],
                  redis_caches_before=caches_before, redis_caches_after=deployment.caches.used(),
                  redis_limits_before=limits_before, redis_limits_after=deployment.limits.used())
    grew = max(w["growth_mb"] for w in result["workers"])
    print(f"  {plan.memory_requests} unique requests in {result['seconds']:.0f}s: {counts}; "
          f"RSS growth up to {grew:.0f} MB; cache Redis "
          f"{(result['redis_caches_after'] - caches_before) / MB:+.1f} MB", flush=True)
    return result


def redis_phase(deployment: Deployment, attacks: list, plan: Plan) -> dict:
    """Unique persisted queries until the cache Redis is full (or the plan's number is sent), and
    unique reads with the largest allowed answer; then what a reader, a moderator, a commenter
    and a flood of mutations get."""
    from benchmarks.hostile_corpus import gid, gql, normal_read

    seed = deployment.seed
    register = next(a for a in attacks if "persisted-query registration" in a.name)
    caches = deployment.caches

    def registrations():
        for k in range(plan.fill_registrations):
            if k % 100 == 0 and caches.used() > 0.95 * caches.maxmemory_bytes:
                return
            yield register.make(500_000 + k)

    started = time.perf_counter()
    counts = in_parallel(deployment, registrations())
    largest = next(a for a in attacks if "largest allowed answer" in a.name)
    kinds = [outcome(*send(deployment.port, largest.make(i)))[0]
             for i in range(plan.fill_requests)]
    full = {"fill_registrations": sum(counts.values()), "fill_requests": plan.fill_requests,
            "fill_failed": kinds.count("failed") + counts["failed"],
            "fill_seconds": time.perf_counter() - started,
            "redis_caches_after_fill": caches.used(),
            "maxmemory": deployment.caches.maxmemory_bytes, "policy": deployment.caches.policy}
    reads = [outcome(*send(deployment.port, normal_read(seed["post_slug"], "reader")))[0]
             for _ in range(3)]
    reads += [outcome(*send(deployment.port, gql(
        "{ posts(first: 5) { edges { node { id title } } } }" + f"\n# read {n}")))[0]
        for n in range(3)]
    full["reads_failed"] = f"{reads.count('failed')} of {len(reads)}"
    admin = {"Authorization": f"Bearer {seed['tokens']['admin']}"}
    full["moderation"] = outcome(*send(deployment.port, gql(
        "mutation($input: ModerateCommentInput!) { moderateComment(input: $input) { "
        "comment { status } errors { code } } }",
        {"input": {"id": gid("Comment", seed["pending_ids"][0]), "status": "APPROVED"}},
        headers=admin)))[0]
    full["comment"] = outcome(*send(deployment.port, gql(
        "mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } "
        "errors { code } } }",
        {"input": {"postId": gid("Post", seed["post_ids"][0]), "body": "While Redis is full."}},
        headers=admin)))[0]
    limit, window = rate_limit()
    rate_window_start()
    flood = []
    for _ in range(limit + 10):
        status, data = send(deployment.port, gql(
            "mutation($input: ReactInput!) { unreact(input: $input) { errors { code } } }",
            {"input": {"subjectId": gid("Post", seed["post_ids"][0])}},
            headers={"X-Forwarded-For": "203.0.113.66"}))
        limited = status == 429 or b"RATE_LIMITED" in data
        flood.append("limited" if limited else outcome(status, data)[0])
    full.update(flood_sent=len(flood),
                flood_accepted=len(flood) - flood.count("limited") - flood.count("failed"),
                flood_failed=flood.count("failed"), limit=limit, window=window,
                redis_limits_after=deployment.limits.used())
    print(f"  after filling Redis: {full}", flush=True)
    deployment.caches.flush()
    deployment.limits.flush()
    return full


# Phase 3: a normal read, quiet, beside idle connections, under attack ------------------------


def timed_reads(deployment: Deployment, seconds: float = 0, count: int = 0) -> dict:
    from benchmarks.hostile_corpus import normal_read

    latencies, failed = [], 0
    stop_at = time.perf_counter() + seconds
    while (len(latencies) < count) if count else (time.perf_counter() < stop_at):
        request = normal_read(deployment.seed["post_slug"], secrets.token_hex(6))
        started = time.perf_counter()
        kind = outcome(*send(deployment.port, request))[0]
        latencies.append((time.perf_counter() - started) * 1000)
        failed += kind == "failed"
    return {"requests": len(latencies), "median_ms": statistics.median(latencies),
            "worst_ms": max(latencies), "failed": failed}


def idle_connections(deployment: Deployment, plan: Plan) -> dict:
    """Two connections that say nothing (one not even a request line, one a request whose body
    never comes) while a normal read is timed."""
    sockets = [socket.create_connection(("127.0.0.1", deployment.port)) for _ in range(2)]
    sockets[1].sendall(b"POST /graphql/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                       b"application/json\r\nContent-Length: 1000\r\n\r\n{")
    closing = threading.Timer(plan.idle_seconds, lambda: [sock.close() for sock in sockets])
    closing.start()
    figures = timed_reads(deployment, seconds=plan.idle_seconds)
    closing.join()
    figures["held_seconds"] = plan.idle_seconds
    return figures


def sync_workers(deployment: Deployment, attacks: list, cpu: dict, plan: Plan) -> dict:
    """Phase 3 again with 2 sync workers (gunicorn's default) on the same database and Redis:
    context for the README's advice, not a target."""
    from benchmarks import http_load

    port, deployment.port = deployment.port, free_port()
    server = http_load.Server(".venv", "config.settings", deployment.database.url, deployment.port)
    try:
        warm(deployment)
        timed_reads(deployment, count=3)
        return {"quiet": timed_reads(deployment, count=plan.quiet_reads),
                "idle": idle_connections(deployment, plan),
                "attack": under_attack(deployment, attacks, cpu, plan)}
    finally:
        server.stop()
        deployment.port = port


def under_attack(deployment: Deployment, attacks: list, cpu: dict, plan: Plan) -> dict:
    def median_cpu(attack) -> float:
        samples = cpu.get(attack.name) or []
        return statistics.median(s.cpu_ms for s in samples) if samples else -1

    chosen = sorted((a for a in attacks if a.flood and cpu.get(a.name)), key=median_cpu,
                    reverse=True)[:4] or [a for a in attacks if a.group.startswith("0 ")]
    stop = threading.Event()
    sent = [0] * 4

    def client(n: int) -> None:
        attack = chosen[n % len(chosen)]
        i = 200_000 + n * 100_000
        while not stop.is_set():
            request = attack.make(i)
            if request is None:
                return
            send(deployment.port, request, timeout=60)
            sent[n] += 1
            i += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    figures = timed_reads(deployment, seconds=plan.attack_seconds)
    stop.set()
    figures.update(attacks=[a.name for a in chosen], hostile_sent=sum(sent))
    return figures


# Report --------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (f"{model}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def mark(held: bool | None) -> str:
    return "n/a" if held is None else "held" if held else "**missed**"


def render(results: dict) -> str:
    plan, cpu, findings = results["plan"], results["cpu"], results["findings"]
    lines = [
        "## Hostile requests", "",
        f"`make bench-hostile{' HOSTILE_ARGS=--quick' if plan == 'quick' else ''}` "
        f"({plan} mode), {results['date']}, commit {results['commit']}; "
        f"{results['database']}; {results['machine']}; took {results['seconds']:.0f} s.",
        "",
        f"Deployment: gunicorn, 2 gthread workers of {THREADS} threads each (`--worker-class "
        f"gthread --workers 2 --threads {THREADS}`, as the README recommends), DEBUG off; "
        "a fresh database and two "
        f"redis-servers of the benchmark's own (caches: maxmemory {results['redis_caches']}; "
        "rate limits: 16 MB, noeviction). Each request is sent alone; its CPU is the workers' "
        "CPU time before and after it (/proc). Targets: every hostile request refused or "
        f"answered within {CPU_TARGET_MS} ms of CPU; worker RSS growth at most {RSS_TARGET_MB} MB "
        "after the unique requests; Redis growth bounded by its settings, and nothing failing "
        f"when it is full; a normal read under attack within {SLOWDOWN_TARGET}x its quiet "
        "median.", "",
        "### CPU per request", "",
        "| Class | Request | Sent | Outcomes | CPU median ms | CPU worst ms | Wall worst ms "
        f"| ≤ {CPU_TARGET_MS} ms |",
        "|---|---|--:|---|--:|--:|--:|---|",
    ]
    for row in cpu:
        held = None if row["group"].startswith("0 ") else (
            row["worst_cpu_ms"] <= CPU_TARGET_MS and not row["failed"])
        lines.append(f"| {row['group']} | {row['name']} | {row['sent']} | {row['outcomes']} | "
                     f"{row['median_cpu_ms']:.0f} | {row['worst_cpu_ms']:.0f} | "
                     f"{row['worst_wall_ms']:.0f} | {mark(held)} |")
    lines += ["", "### What got through", ""]
    lines += [f"- {text}: {mark(held)}" for text, held in findings]
    memory, full = results["memory"], results["redis"]
    lines += ["", f"### Memory after {memory['requests']} unique hostile requests", "",
              f"From 4 clients in {memory['seconds']:.0f} s, round robin over: "
              f"{'; '.join(memory['attacks'])}. Outcomes: {memory['outcomes']}.", "",
              "| Worker | RSS before MB | RSS peak MB | Growth MB | Replaced | "
              f"≤ {RSS_TARGET_MB} MB |", "|---|--:|--:|--:|---|---|"]
    for worker in memory["workers"]:
        lines.append(f"| {worker['pid']} | {worker['before_mb']:.0f} | {worker['peak_mb']:.0f} "
                     f"| {worker['growth_mb']:.0f} | {'yes' if worker['replaced'] else 'no'} | "
                     f"{mark(worker['growth_mb'] <= RSS_TARGET_MB and not worker['replaced'])} |")
    lines += ["", "| Redis | Before MB | After the unique requests MB | After the fill MB | "
              "maxmemory MB |", "|---|--:|--:|--:|--:|",
              f"| caches | {memory['redis_caches_before'] / MB:.1f} | "
              f"{memory['redis_caches_after'] / MB:.1f} | "
              f"{full['redis_caches_after_fill'] / MB:.1f} | "
              f"{full['maxmemory'] / MB:.0f} ({full['policy']}) |",
              f"| rate limits | {memory['redis_limits_before'] / MB:.1f} | "
              f"{memory['redis_limits_after'] / MB:.1f} | {full['redis_limits_after'] / MB:.1f} "
              "| 16 (noeviction) |", "",
              f"The fill, from 4 clients in {full['fill_seconds']:.0f} s: "
              f"{full['fill_registrations']} more unique persisted-query registrations (until "
              "the cache Redis is 95% full, or the plan's number) and "
              f"{full['fill_requests']} unique anonymous reads of the largest allowed answer; "
              f"{full['fill_failed']} failed. Then: normal reads failed "
              f"{full['reads_failed']}; a moderator's moderateComment {full['moderation']}; "
              f"a moderator's addComment {full['comment']}; {full['flood_sent']} mutations from "
              f"one caller: {full['flood_accepted']} accepted, {full['flood_failed']} failed "
              f"(limit {full['limit']} per {full['window']} s)."]
    quiet, idle, attack = results["quiet"], results["idle"], results["attack"]
    lines += ["", "### A normal read (a post page)", "",
              "| While | Requests | Median ms | Worst ms | Failed | Median / quiet | "
              f"≤ {SLOWDOWN_TARGET}x |", "|---|--:|--:|--:|--:|--:|---|"]
    for label, figures, measure in (
            ("quiet", quiet, None),
            (f"2 idle connections held {idle['held_seconds']} s (worst counts)", idle, "worst_ms"),
            ("4 hostile clients", attack, "median_ms")):
        ratio = figures[measure or "median_ms"] / quiet["median_ms"]
        held = None if measure is None else ratio <= SLOWDOWN_TARGET and not figures["failed"]
        lines.append(f"| {label} | {figures['requests']} | {figures['median_ms']:.1f} | "
                     f"{figures['worst_ms']:.1f} | {figures['failed']} | {ratio:.1f}x | "
                     f"{mark(held)} |")
    sync = results["sync"]
    for label, figures, measure in (
            ("quiet, 2 sync workers (context)", sync["quiet"], None),
            ("2 idle connections, 2 sync workers (context)", sync["idle"], "worst_ms"),
            ("4 hostile clients, 2 sync workers (context)", sync["attack"], "median_ms")):
        ratio = figures[measure or "median_ms"] / sync["quiet"]["median_ms"]
        lines.append(f"| {label} | {figures['requests']} | {figures['median_ms']:.1f} | "
                     f"{figures['worst_ms']:.1f} | {figures['failed']} | {ratio:.1f}x | n/a |")
    lines += ["", f"The 4 hostile clients looped (costliest median CPU first): "
              f"{'; '.join(attack['attacks'])}; {attack['hostile_sent']} hostile requests sent.",
              "", "### Targets", ""]
    lines += [f"- {text}: {mark(held)}" for text, held in results["targets"]]
    return "\n".join(lines) + "\n"


def cpu_rows(attacks: list, cpu: dict) -> list[dict]:
    rows = []
    for attack in attacks:
        samples = cpu.get(attack.name) or []
        if not samples:
            continue
        kinds = [s.kind for s in samples]
        rows.append({"group": attack.group, "name": attack.name.replace("|", "\\|"),
                     "sent": len(samples), "outcomes": summary(samples),
                     "failed": kinds.count("failed") + sum(s.killed for s in samples),
                     "median_cpu_ms": statistics.median(s.cpu_ms for s in samples),
                     "worst_cpu_ms": max(s.cpu_ms for s in samples),
                     "worst_wall_ms": max(s.wall_ms for s in samples)})
    return rows


def class_findings(cpu: dict, findings: dict, dates: dict, seed: dict) -> list[tuple]:
    limit, window = rate_limit()
    created = cpu.get("_reactions_created", 0)
    out = [(f"3 Mutation limit: {cpu.get('_mutation_requests', 0)} requests of one caller, "
            f"{created} reactions created (limit {limit} mutations per {window} s)",
            created <= limit)]
    accepted = findings.get("dates_accepted", [])
    out.append((f"7 Dates: {len(accepted)} of the hostile dates accepted by publishPost; "
                f"afterwards the posts list is {dates['posts list']}, node and deletePost of "
                f"the accepted posts {dates['node and deletePost of those posts']}",
                dates["posts list"] != "failed"
                and dates["node and deletePost of those posts"] != "failed"
                and not [i for i in accepted if i < 4]))
    total, reached = findings.get("chain_total"), findings.get("chain_reached", 0)
    error = findings.get("chain_error")
    out.append((f"9 Deep reply chain: paging the thread reached {reached} of {total} comments"
                + (f" (then: {error})" if error else "")
                + f"; a reply below depth {len(seed['chain_ids'])}: "
                f"{findings.get('deeper_reply', 'not sent')}",
                reached == total and not error and findings.get("deeper_reply") != "accepted"))
    out.append((f"13 Enumeration: node(Author:N) opened {findings.get('authors_open', 0)} "
                f"accounts, {findings.get('private_open', 0)} of them without public content; "
                f"{findings.get('login_slugs', 0)} slugs equal a login name",
                not findings.get("private_open") and not findings.get("login_slugs")))
    refused_at = findings.get("login_refused_at")
    out.append((f"13 Admin login: {findings.get('login_tries', 0)} wrong passwords from one "
                "caller; " + (f"refused from try {refused_at}" if refused_at
                              else "never refused (no lockout)"),
                refused_at is not None and refused_at <= LOGIN_LOCKOUT_TARGET + 1))
    out.append((f"16 Non-canonical IDs: {findings.get('ids_opened', 0)} of "
                f"{findings.get('ids_tried', 0)} other spellings of a post's ID opened it",
                findings.get("ids_tried", 0) > 0 and not findings.get("ids_opened")))
    return out


def targets(rows: list, memory: dict, full: dict, quiet: dict, idle: dict,
            attack: dict) -> list[tuple]:
    hostile = [r for r in rows if not r["group"].startswith("0 ")]
    over = [r for r in hostile if r["worst_cpu_ms"] > CPU_TARGET_MS or r["failed"]]
    grew = max(w["growth_mb"] for w in memory["workers"])
    replaced = any(w["replaced"] for w in memory["workers"])
    redis_ok = (full["redis_caches_after_fill"] <= full["maxmemory"] and full["fill_failed"] == 0
                and full["reads_failed"].startswith("0 ") and full["moderation"] != "failed"
                and full["comment"] != "failed" and full["flood_failed"] == 0
                and full["flood_accepted"] <= full["limit"])
    return [
        (f"Every hostile request refused or answered within {CPU_TARGET_MS} ms of CPU "
         f"({len(hostile) - len(over)} of {len(hostile)} requests kinds"
         + (f"; missed: {', '.join(r['group'].split()[0] + ' ' + r['name'] for r in over)}"
            if over else "") + ")", not over),
        (f"Worker RSS growth at most {RSS_TARGET_MB} MB after {memory['requests']} unique "
         f"requests (largest: {grew:.0f} MB{', a worker was replaced' if replaced else ''})",
         grew <= RSS_TARGET_MB and not replaced),
        ("Redis bounded by its settings, and a full cache fails nothing (reads, moderation, "
         "comments) nor lets a flood through", redis_ok),
        (f"A normal read under attack within {SLOWDOWN_TARGET}x its quiet median "
         f"({attack['median_ms']:.0f} ms vs {quiet['median_ms']:.0f} ms)",
         attack["median_ms"] <= SLOWDOWN_TARGET * quiet["median_ms"] and not attack["failed"]),
        (f"A normal read beside 2 idle connections within {SLOWDOWN_TARGET}x its quiet median "
         f"(worst {idle['worst_ms']:.0f} ms)",
         idle["worst_ms"] <= SLOWDOWN_TARGET * quiet["median_ms"] and not idle["failed"]),
    ]


# Main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests: a minute or two")
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny corpus with small payloads (the smoke test)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--database-url", help="PostgreSQL URL; the database is created and "
                        "dropped (default: DATABASE_URL's server, database hearth_hostile_bench)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "HOSTILE.md"))
    parser.add_argument("--json", help="the raw figures (default var/hostile-MODE-DATABASE.json)")
    parser.add_argument("--redis-maxmemory", default="64mb")
    parser.add_argument("--redis-policy", default="noeviction")
    parser.add_argument("--posts", type=int, default=110)
    return parser.parse_args()


def database_url(options: argparse.Namespace) -> str:
    if options.sqlite:
        return f"sqlite:///{ROOT / 'var' / 'hostile-bench.sqlite3'}"
    if options.database_url:
        return options.database_url
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        server = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(server)._replace(path="/hearth_hostile_bench"))


def main() -> None:
    from benchmarks import hostile_corpus

    options = arguments()
    url = database_url(options)
    plan = Plan(quick=options.quick, smoke=options.smoke)
    if not shutil.which("redis-server"):
        raise SystemExit("bench-hostile needs redis-server (apt-get install redis-server).")
    started = time.time()
    (ROOT / "var").mkdir(exist_ok=True)
    print(f"Hostile benchmark, {plan.mode} mode, {'SQLite' if url.startswith('sqlite') else url}",
          flush=True)
    deployment = Deployment(url, options.redis_maxmemory, options.redis_policy, options.posts)
    try:
        print(f"  seeded; gunicorn on port {deployment.port}", flush=True)
        warm(deployment)
        attacks, findings = hostile_corpus.build(deployment.seed, secrets.token_hex(4),
                                                 plan.scale)
        attacks.insert(next(k for k, a in enumerate(attacks) if a.group.startswith("16 ")),
                       admin_login(deployment, findings))
        print("CPU per request:", flush=True)
        cpu = cpu_phase(deployment, attacks, plan)
        dates = after_dates(deployment, findings)
        print("Memory:", flush=True)
        memory = memory_phase(deployment, attacks, plan)
        full = redis_phase(deployment, attacks, plan)
        print("A normal read:", flush=True)
        timed_reads(deployment, count=3)  # warm
        quiet = timed_reads(deployment, count=plan.quiet_reads)
        idle = idle_connections(deployment, plan)
        attack = under_attack(deployment, attacks, cpu, plan)
        print(f"  quiet {quiet}\n  idle connections {idle}\n  under attack {attack}", flush=True)
        sync = sync_workers(deployment, attacks, cpu, plan)
        print(f"  sync workers: {sync}", flush=True)
    finally:
        deployment.stop()
    from benchmarks.run import commit

    rows = cpu_rows(attacks, cpu)
    results = {
        "plan": plan.mode, "date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": commit(),
        "machine": machine(), "database": "SQLite" if url.startswith("sqlite") else "PostgreSQL",
        "redis_caches": f"{options.redis_maxmemory}, {options.redis_policy}",
        "cpu": rows, "findings": class_findings(cpu, findings, dates, deployment.seed),
        "memory": memory, "redis": full, "quiet": quiet, "idle": idle, "attack": attack,
        "sync": sync,
        "targets": targets(rows, memory, full, quiet, idle, attack),
        "seconds": time.time() - started,
    }
    text = render(results)
    print("\n" + text)
    Path(options.output).write_text(text)
    saved = Path(options.json or ROOT / "var" / f"hostile-{plan.mode}-"
                                              f"{results['database'].lower()}.json")
    saved.write_text(json.dumps(results, indent=1, default=str))
    print(f"Wrote {options.output} and {saved} in {results['seconds']:.0f}s.")


if __name__ == "__main__":
    main()
