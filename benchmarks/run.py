"""`make bench` / `make bench-quick`: build or reuse the data sets, measure every contender in
process and over HTTP, print the table and write the report.

    .venv/bin/python -m benchmarks.run [--quick]
    .venv/bin/python -m benchmarks.run --render   # BENCHMARKS.md again from var/bench-*.json

SQLite by default (var/bench-NAME.sqlite3); with DATABASE_URL set to a PostgreSQL server, the
data sets are databases on it (hearth_bench_NAME). Each measuring process gets a fresh copy of
the data set, so writes never change what the next contender reads.
"""

import base64
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.pop("DATABASE_URL", "")  # a PostgreSQL server, or SQLite when unset
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

GRAPHQL_PATHS = {"N": "/naive/graphql/", "S": "/optimized/graphql/", "H": "/graphql/",
                 "G": "/graphene/graphql/", "Gt": "/graphene-tuned/graphql/"}
CONTENDERS = ["F", "N", "S", "H", "G", "Gt"]
WRITES = ["w1", "w2"]
HTTP_CONTENDERS = ["F", "H", "Gt"]  # idiomatic G and N are context rows, in process only
THREADS = 4  # gthread workers as the README recommends: keep-alive, 2 workers x 4 threads
THREAD_OPS = ["small", "r1", "r2", "r2a", "r2c", *WRITES]


class Plan:
    def __init__(self, quick: bool):
        self.quick = quick
        self.datasets = ["t1k"] if quick else ["t1k", "t10k", "catalog"]
        self.http_datasets = {"t1k": ["small", "r2"]} if quick else {
            "t10k": ["small", "r1", "r2", "w1"], "catalog": ["r3"]}
        self.w2_dataset = "t1k" if quick else "t10k"
        # In process: each figure from at least 30 samples and this many seconds, contenders
        # taking turns round by round; a contender whose 30 samples would take more than `cap`
        # seconds (a slow context row) gets what fits in `cap`.
        self.budget = 1.0 if quick else 5.0
        self.cap = 10.0 if quick else 60.0
        self.seconds = 3 if quick else 10  # over HTTP: least seconds per load run (integers)


# Databases -----------------------------------------------------------------------------------


def database_url(name: str) -> str:
    if not SERVER_URL:
        return f"sqlite:///{ROOT / 'var' / f'bench-{name}.sqlite3'}"
    parts = urlsplit(SERVER_URL)
    return urlunsplit(parts._replace(path=f"/hearth_bench_{name.replace('-', '_')}"))


def postgres_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def child_env(url: str, settings: str = "benchmarks.settings") -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings,
            "PYTHONPATH": str(ROOT)}


def python(venv: str, args: list[str], url: str, settings: str = "benchmarks.settings") -> str:
    out = subprocess.run([str(ROOT / venv / "bin" / "python"), *args], cwd=ROOT,
                         env=child_env(url, settings), capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def drop(name: str) -> None:
    if SERVER_URL:
        postgres_admin(f'DROP DATABASE IF EXISTS "hearth_bench_{name.replace("-", "_")}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(ROOT / "var" / f"bench-{name}.sqlite3") + suffix).unlink(missing_ok=True)


def prepare(name: str) -> str:
    """The data set's database, built unless it holds this generator version already."""
    url = database_url(name)
    if python(".venv", ["-m", "benchmarks.datasets", "check", name], url) == "ok":
        print(f"  {name}: reusing {url}", flush=True)
        return url
    started = time.time()
    drop(name)
    if SERVER_URL:
        postgres_admin(f'CREATE DATABASE "hearth_bench_{name}"')
    python(".venv", ["-m", "benchmarks.datasets", "build", name], url)
    print(f"  {name}: built in {time.time() - started:.1f}s", flush=True)
    return url


def fresh_copy(name: str, copy: str = "run") -> str:
    """A working copy of a data set, for one measuring process (`copy` names it, so that
    processes running side by side each have their own)."""
    copy = f"{name}-{copy}"
    drop(copy)
    if SERVER_URL:
        postgres_admin(f'CREATE DATABASE "hearth_bench_{copy.replace("-", "_")}" '
                       f'TEMPLATE "hearth_bench_{name}"')
    else:
        source = sqlite3.connect(ROOT / "var" / f"bench-{name}.sqlite3")
        target = sqlite3.connect(ROOT / "var" / f"bench-{copy}.sqlite3")
        source.backup(target)
        source.close()
        target.close()
    return database_url(copy)


# Requests over HTTP --------------------------------------------------------------------------


def cursor(contender: str, page: int, targets: dict) -> str | None:
    """The `after` cursor of R1's page `page`: an offset for strawberry-django's and graphene's
    connections, the path of the last comment before it for Hearth's keyset thread."""
    if page == 0:
        return None
    if contender in ("N", "S", "G", "Gt"):
        text = f"arrayconnection:{100 * page - 1}"
    else:
        text = f"p:{targets['page_ends'][page - 1]}"
    return base64.b64encode(text.encode()).decode()


def http_request(contender: str, op: str, variables: dict, headers: dict) -> tuple:
    from benchmarks.measure import floor_request, graphql_request

    if contender == "F":
        method, path, body = floor_request(op, variables)
    else:
        method, path, body = graphql_request(GRAPHQL_PATHS[contender], op, variables)
    if method == "POST":
        headers = {**headers, "Content-Type": "application/json"}
    return method, path, headers, body


def requests_for(contender: str, op: str, targets: dict, headers: dict, tag: str) -> list:
    from benchmarks.datasets import THREAD_SLUG, WRITER_EMAIL

    slug = {"slug": THREAD_SLUG}
    if op == "r1":
        pages = math.ceil(targets["comments"] / 100)
        return [http_request(contender, "r1", {**slug, "after": cursor(contender, p, targets)},
                             headers) for p in range(pages)]
    if op == "w1":
        out = []
        for n in range(600):
            body = f"HTTP benchmark reply {n} ({tag}) from {contender}."
            data = {"input": {"postId": targets["post"], "parentId": targets["parent"],
                              "body": body, "authorName": "Writer", "authorEmail": WRITER_EMAIL}}
            out += [http_request(contender, "add_comment", data, headers),
                    http_request(contender, "r2", slug, headers)]
        return out
    return [http_request(contender, op, slug if op != "r3" else {}, headers)]


def w2_requests(contender: str, targets: dict) -> list:
    """64 visitors react to and take back a like on each of 10 hot comments."""
    import hashlib

    from django.core import signing

    from cms.visitors import SALT

    tokens = [signing.dumps(hashlib.md5(f"w2-{contender}-{v}".encode()).hexdigest(), salt=SALT,
                            compress=False) for v in range(64)]
    out = []
    for op in ("react", "unreact"):
        for subject in targets["hot"]:
            for token in tokens:
                variables = {"input": {"subjectId": subject, "kind": "LIKE"}}
                out.append(http_request(contender, op, variables, {"X-Visitor-Token": token}))
    return out


def duration(plan: Plan, inprocess: dict, op: str, concurrency: int) -> int | None:
    """Seconds of load for a contender and operation: long enough for a few requests per
    connection at its in-process latency, None when even that is beyond the time budget."""
    figures = inprocess.get("w1" if op == "w1" else op, {})
    if "median_ms" not in figures:
        return plan.seconds
    per_request = figures["median_ms"] / 1000 / max(1, figures["requests"])
    if per_request > 1.5:
        return None
    wanted = math.ceil(4 * per_request * max(1, concurrency / 2))
    return min(max(plan.seconds, wanted), 12)


def run_http(plan: Plan, name: str, ops: list[str], results: dict, graphene: bool) -> None:
    """Reads against one server per environment on one copy of the data; each write contender
    against a server of its own on a copy of its own, checked afterwards (counts exact)."""
    from benchmarks.measure import visitor_headers

    contenders = [c for c in HTTP_CONTENDERS if graphene or c not in ("G", "Gt")]
    results.setdefault("http", {}).setdefault(name, {})
    headers = visitor_headers()
    reads = [op for op in ops if op not in WRITES]
    writes = [op for op in ops if op in WRITES] + (["w2"] if name == plan.w2_dataset else [])
    if reads:
        url = fresh_copy(name)
        targets = json.loads(python(".venv", ["-m", "benchmarks.inprocess", "targets"], url))
        with servers_for(contenders, url) as servers:
            for op in reads:
                for contender in contenders:
                    for concurrency in (1, 16):
                        measure_http(plan, name, servers[contender], contender, op, concurrency,
                                     requests_for(contender, op, targets, headers,
                                                  f"c{concurrency}"), results)
    checks = results.setdefault("checks", {})
    for contender in contenders if writes else []:
        url = fresh_copy(name, f"h-{contender.lower()}")
        targets = json.loads(python(".venv", ["-m", "benchmarks.inprocess", "targets"], url))
        with servers_for([contender], url) as servers:
            for op in writes:
                for concurrency in ((64,) if op == "w2" else (1, 16)):
                    requests = (w2_requests(contender, targets) if op == "w2" else
                                requests_for(contender, op, targets, headers, f"c{concurrency}"))
                    measure_http(plan, name, servers[contender], contender, op, concurrency,
                                 requests, results)
        found = json.loads(python(".venv", ["-m", "benchmarks.inprocess", "verify"], url))
        checks.setdefault("counts_exact", {})[f"{name} {contender}"] = found["counts"]
        checks.setdefault("w1_comments_written", {})[f"{name} {contender}"] = (
            found["w1_comments_written"][contender])
        print(f"  after {contender}'s writes: {found['counts']}", flush=True)


class servers_for:
    """gunicorn servers for the given contenders on one database, as a context manager:
    contender -> port (F and H share Hearth's server, G and Gt graphene's)."""

    def __init__(self, contenders: list[str], url: str):
        from benchmarks import http_load

        self.servers = {}
        if set(contenders) - {"G", "Gt"}:
            self.servers["main"] = http_load.Server(".venv", "benchmarks.settings", url,
                                                    threads=THREADS)
        if set(contenders) & {"G", "Gt"}:
            self.servers["graphene"] = http_load.Server(
                ".venv-graphene", "benchmarks.graphene.settings", url, threads=THREADS)
        self.ports = {c: self.servers["graphene" if c in ("G", "Gt") else "main"].port
                      for c in contenders}

    def __enter__(self) -> dict:
        return self.ports

    def __exit__(self, *exc) -> None:
        for server in self.servers.values():
            server.stop()


def measure_http(plan: Plan, name: str, port: int, contender: str, op: str, concurrency: int,
                 requests: list, results: dict) -> None:
    from benchmarks import http_load

    inprocess = results["inprocess"][name].get(contender, {})
    seconds = duration(plan, inprocess, op, concurrency)
    try:
        if seconds is None:
            raise RuntimeError("skipped: above 1.5 s per request in process")
        for request in (requests * 6)[:6]:  # each worker warm, no errors
            http_load.check(port, request)
        figures = http_load.load(port, requests, concurrency, seconds)
    except Exception as error:  # noqa: BLE001 - reported in the table
        figures = {"error": f"{type(error).__name__}: {error}"[:300]}
    out = results["http"][name]
    out.setdefault(contender, {}).setdefault(op, {})[str(concurrency)] = figures
    print(f"  http {name} {op} {contender} c{concurrency}: {short(figures)}", flush=True)


def short(figures: dict) -> str:
    if "error" in figures:
        return figures["error"][:120]
    p99 = "-" if figures["p99_ms"] is None else f"{figures['p99_ms']:.1f} ms"
    return (f"{figures['rps']:.1f} req/s, p99 {p99}, {figures['errors']} errors, load generator "
            f"{figures.get('generator_cpu', 0):.0%} of the CPU")


# In process ----------------------------------------------------------------------------------


def inprocess(plan: Plan, name: str, ops: list[str], graphene: bool) -> dict:
    """The reads with the contenders of one environment taking turns in one process; then each
    write contender alone in a process of its own on a copy of the data of its own, so no
    contender reads or contends with what another wrote."""
    budget = [str(plan.budget), str(plan.cap)]
    reads, writes = [op for op in ops if op not in WRITES], [op for op in ops if op in WRITES]
    envs = [(".venv", "benchmarks.inprocess", "benchmarks.settings", ["F", "N", "S", "H"])]
    if graphene:
        envs.append((".venv-graphene", "benchmarks.graphene.runner",
                     "benchmarks.graphene.settings", ["G", "Gt"]))
    figures = {}
    for venv, module, settings, contenders in envs:
        if reads:
            found = json.loads(python(venv, ["-m", module, ",".join(reads), *budget],
                                      fresh_copy(name), settings))
            for contender, per_op in found.items():
                figures.setdefault(contender, {}).update(per_op)
        for contender in contenders if writes else []:
            if contender == "S":
                continue  # reads only
            found = json.loads(python(venv, ["-m", module, ",".join(writes), *budget, contender],
                                      fresh_copy(name, f"w-{contender.lower()}"), settings))
            figures.setdefault(contender, {}).update(found[contender])
    return figures


# Main ----------------------------------------------------------------------------------------


def commit() -> str:
    """The code measured: HEARTH_BENCH_COMMIT (a run from an export), or git's HEAD, marked
    "+ uncommitted changes" when the work tree differs from it."""
    if os.environ.get("HEARTH_BENCH_COMMIT"):
        return os.environ["HEARTH_BENCH_COMMIT"]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        # BENCHMARKS.md and benchmarks/HOSTILE.md are the harnesses' own output (a run on the
        # other database, or the other benchmark, writes them).
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                ".", ":!BENCHMARKS.md", ":!benchmarks/HOSTILE.md"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")


def render_saved() -> None:
    from benchmarks import report

    saved = {db: ROOT / "var" / f"bench-{db}.json" for db in ("sqlite", "postgresql")}
    found = {db: json.loads(path.read_text()) for db, path in saved.items() if path.exists()}
    main_db = "postgresql" if SERVER_URL and "postgresql" in found else "sqlite"
    other = found.get("sqlite" if main_db == "postgresql" else "postgresql")
    (ROOT / "BENCHMARKS.md").write_text(report.render(found[main_db], other))
    print(f"Wrote BENCHMARKS.md from var/bench-{main_db}.json")


def main() -> None:
    import django

    django.setup()
    from benchmarks import report

    if "--render" in sys.argv:  # rewrite BENCHMARKS.md from the saved figures (after an edit
        render_saved()           # of benchmarks/ANALYSIS.md), measuring nothing
        return
    plan = Plan(quick="--quick" in sys.argv)
    graphene = (ROOT / ".venv-graphene" / "bin" / "python").exists()
    started = time.time()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "quick": plan.quick,
               "commit": commit(),
               "database": "PostgreSQL" if SERVER_URL else "SQLite", "graphene": graphene,
               "load_before": os.getloadavg()[0], "inprocess": {}, "budget": plan.budget,
               "cap": plan.cap}
    print("Data sets:", flush=True)
    for name in plan.datasets:
        prepare(name)
    for name in plan.datasets:
        ops = ["r3"] if name == "catalog" else THREAD_OPS
        print(f"In process, {name}: {', '.join(ops)}", flush=True)
        results["inprocess"][name] = inprocess(plan, name, ops, graphene)
    print("Over HTTP (gunicorn, 2 workers):", flush=True)
    for name, ops in plan.http_datasets.items():
        try:
            run_http(plan, name, ops, results, graphene)
        except Exception as error:  # noqa: BLE001 - keep what was measured, say what failed
            results.setdefault("failures", []).append(f"HTTP {name}: {error}"[:2000])
            print(f"  HTTP {name} failed: {error}", flush=True)
    results["seconds"] = time.time() - started
    results["load_after"] = os.getloadavg()[0]
    database = results["database"].lower()
    saved = ROOT / "var" / f"bench{'-quick' if plan.quick else ''}-{database}.json"
    saved.write_text(json.dumps(results, indent=1))
    other = ROOT / "var" / f"bench-{'sqlite' if SERVER_URL else 'postgresql'}.json"
    text = report.render(results, json.loads(other.read_text()) if other.exists() else None)
    print(report.table(results))
    target = ROOT / ("var/BENCHMARKS-quick.md" if plan.quick else "BENCHMARKS.md")
    target.write_text(text)
    print(f"\nWrote {target.relative_to(ROOT)} in {results['seconds']:.0f}s.")


if __name__ == "__main__":
    main()
