"""The table printed by `make bench` and the BENCHMARKS.md it writes."""

import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"F": "F floor", "N": "N naive strawberry-django",
         "S": "S strawberry-django with its optimizer", "H": "H Hearth",
         "G": "G graphene-django", "Gt": "Gt graphene-django tuned"}
OPS = {"small": "small query (post by slug, 5 fields)",
       "r1": "R1 whole thread, thread(first:100) paged to the end",
       "r2": "R2 post page",
       "r2a": "R2 as an anonymous reader's GET (no visitor token, so cacheable), a different "
              "request every time (an unused variable changes): a cache miss",
       "r2c": "the same anonymous GET of R2 repeated: a result-cache hit where there is a cache",
       "r3": "R3 posts(first:50)", "w1": "W1 addComment then R2",
       "w2": "W2 react + unreact (in process) / 64 concurrent (HTTP)"}


def machine() -> str:
    model, cores = "unknown", 0
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model, cores = line.split(":", 1)[1].strip(), cores + 1
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    return (f"{model}, {cores} cores, {int(memory) // 1024 // 1024} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def ratio(value, base) -> str:
    if not isinstance(value, int | float) or not isinstance(base, int | float) or not base:
        return "-"
    return f"{value / base:.2f}x"


def share(value) -> str:
    return "-" if value is None else f"{value:.0%}"


def num(value, digits: int = 2) -> str:
    if not isinstance(value, int | float):
        return "-"
    if isinstance(value, int) or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def inprocess_rows(results: dict) -> list[str]:
    rows = ["| data | operation | contender | median ms | vs F | vs G | p99 ms | vs F | vs G | "
            "reps | SQL queries | requests | peak KiB | vs F | vs G | response bytes |",
            "|" + "---|" * 16]
    for data, contenders in results.get("inprocess", {}).items():
        ops = next(iter(contenders.values())).keys()
        for op in ops:
            f, g = contenders.get("F", {}).get(op, {}), contenders.get("G", {}).get(op, {})
            for name in NAMES:
                x = contenders.get(name, {}).get(op)
                if x is None:
                    continue
                if "error" in x:
                    rows.append(f"| {data} | {op} | {name} | error: {x['error'][:80]} |"
                                + " |" * 12)
                    continue
                rows.append(
                    f"| {data} | {op} | {name} | {num(x['median_ms'])} | "
                    f"{ratio(x['median_ms'], f.get('median_ms'))} | "
                    f"{ratio(x['median_ms'], g.get('median_ms'))} | {num(x['p99_ms'])} | "
                    f"{ratio(x['p99_ms'], f.get('p99_ms'))} | "
                    f"{ratio(x['p99_ms'], g.get('p99_ms'))} | {x['reps']} | {x['queries']} | "
                    f"{x['requests']} | {num(x.get('peak_kb'), 0)} | "
                    f"{ratio(x.get('peak_kb'), f.get('peak_kb'))} | "
                    f"{ratio(x.get('peak_kb'), g.get('peak_kb'))} | {num(x['bytes'])} |")
    return rows


def http_rows(results: dict) -> list[str]:
    rows = ["| data | operation | contender | concurrency | req/s | vs F | vs Gt | p50 ms | "
            "p99 ms | vs F | vs Gt | requests | errors | load generator CPU |", "|" + "---|" * 14]
    for data, contenders in results.get("http", {}).items():
        ops = []
        for per_op in contenders.values():
            ops += [op for op in per_op if op not in ops]
        for op in ops:
            for level in ("1", "16", "64"):
                f = contenders.get("F", {}).get(op, {}).get(level, {})
                g = contenders.get("Gt", {}).get(op, {}).get(level, {})
                for name in NAMES:
                    x = contenders.get(name, {}).get(op, {}).get(level)
                    if x is None:
                        continue
                    if "error" in x:
                        rows.append(f"| {data} | {op} | {name} | {level} | error: "
                                    f"{x['error'][:80]} |" + " |" * 9)
                        continue
                    rows.append(
                        f"| {data} | {op} | {name} | {level} | {num(x['rps'], 1)} | "
                        f"{ratio(x['rps'], f.get('rps'))} | {ratio(x['rps'], g.get('rps'))} | "
                        f"{num(x['p50_ms'])} | {num(x['p99_ms'])} | "
                        f"{ratio(x['p99_ms'], f.get('p99_ms'))} | "
                        f"{ratio(x['p99_ms'], g.get('p99_ms'))} | {x['requests']} | "
                        f"{x['errors']} | {share(x.get('generator_cpu'))} |")
    return rows


def get(results: dict, *keys):
    value = results
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def verdict(ok) -> str:
    return "not measured" if ok is None else ("**held**" if ok else "**missed**")


def targets(results: dict) -> list[str]:
    """Each target of issue 17 (and the SQL bounds of issue 7), held or missed, with the
    figure; every ratio is between figures of this run."""
    ip = results.get("inprocess", {})
    big = "t10k" if "t10k" in ip else "t1k"
    out = []

    def h(data, op, key="median_ms", who="H"):
        return get(ip, data, who, op, key)

    def row(text, ok, figure):
        out.append(f"| {text} | {verdict(ok)} | {figure} |")

    per_page = {d: h(d, "r1", "queries") / h(d, "r1", "requests") for d in ("t1k", "t10k")
                if h(d, "r1", "queries") is not None and h(d, "r1", "requests")}
    row("SQL: R1 at most 3 queries per page", all(v <= 3 for v in per_page.values())
        if per_page else None, ", ".join(f"{d}: {v:.2f} per page" for d, v in per_page.items()))
    r2 = {d: h(d, "r2", "queries") for d in ("t1k", "t10k") if h(d, "r2", "queries") is not None}
    row("SQL: R2 at most 6 queries", all(v <= 6 for v in r2.values()) if r2 else None,
        ", ".join(f"{d}: {v}" for d, v in r2.items()))
    # In process, against the floor.
    for op, data, most in (("small", big, 1.5), ("r2", big, 1.5), ("r1", big, 2.0),
                           ("r3", "catalog", 1.5)):
        mine, floor = h(data, op), h(data, op, who="F")
        row(f"{op} at {data} in process: at most {most}x F", None if mine is None or floor is None
            else mine <= most * floor, f"H {num(mine)} ms / F {num(floor)} ms = "
            f"{ratio(mine, floor)}")
    # Against the well-tuned peers.
    for op in ("r1", "r2"):
        mine, tuned, optimized = h(big, op), h(big, op, who="Gt"), h(big, op, who="S")
        row(f"{op} at {big}: at least 5x faster than tuned G", None if tuned is None
            or mine is None else tuned / mine >= 5, f"Gt {num(tuned)} ms / H {num(mine)} ms = "
            f"{ratio(tuned, mine)}")
        row(f"{op} at {big}: at least 3x faster than S", None if optimized is None
            or mine is None else optimized / mine >= 3, f"S {num(optimized)} ms / H "
            f"{num(mine)} ms = {ratio(optimized, mine)}")
    # Over HTTP with keep-alive, concurrency 16.
    for data, per_contender in results.get("http", {}).items():
        for op in per_contender.get("H", {}):
            level = "64" if op == "w2" else "16"
            mine, floor = (get(per_contender, w, op, level, "rps") for w in ("H", "F"))
            row(f"HTTP {op} at {data}, concurrency {level}: at least 0.8x F's requests/s",
                None if mine is None or floor is None else mine >= 0.8 * floor,
                f"H {num(mine, 1)} / F {num(floor, 1)} req/s = {ratio(mine, floor)}")
            if op == "w2":
                tuned = get(per_contender, "Gt", op, level, "rps")
                row(f"HTTP w2 at {data}: faster than tuned G", None if mine is None
                    or tuned is None else mine > tuned,
                    f"H {num(mine, 1)} / Gt {num(tuned, 1)} req/s = {ratio(mine, tuned)}")
    exact = get(results, "checks", "counts_exact")
    row("Counts exact after every contender's writes", None if not exact
        else all(v == "exact" for v in exact.values()), ", ".join(exact or {}) or "-")
    hit, floor = h(big, "r2c"), h(big, "r2c", who="F")
    row("Cached reads: a repeated anonymous R2 at most 1.2x cached F", None if hit is None
        or floor is None else hit <= 1.2 * floor, f"{big}: H {num(hit)} ms / F {num(floor)} ms ="
        f" {ratio(hit, floor)}")
    return ["| target | verdict | figure |", "|---|---|---|", *out]


def table(results: dict) -> str:
    return "\n".join(["In process (warm, one view call per request):", *inprocess_rows(results),
                      "", "Over HTTP:", *http_rows(results), "", "Targets:", *targets(results)])


def other_database(results: dict | None) -> list[str]:
    """The last full run on the other database: its targets and in-process figures."""
    if not results or results.get("quick"):
        return []
    return [f"## The last full run on {results['database']} ({results['started']})", "",
            f"Code measured: commit {results.get('commit', 'unknown')}. Load average "
            f"{results.get('load_before', 0):.1f} before, {results.get('load_after', 0):.1f} "
            f"after; same machine. {results.get('seconds', 0):.0f} s for the whole run.", "",
            *targets(results), "", *inprocess_rows(results), "", *http_rows(results), ""]


# Sections kept from other runs: `make bench-hostile`'s report, the redesign's before/after
# (benchmarks.compare) and the analysis.
SECTIONS = [ROOT / "benchmarks" / name for name in ("HOSTILE.md", "REDESIGN.md", "ANALYSIS.md")]


def render(results: dict, other: dict | None = None) -> str:
    load = f"{results.get('load_before', 0):.1f} before, {results.get('load_after', 0):.1f} after"
    return "\n".join([
        "# Benchmarks" + (" (quick run: T1k only)" if results.get("quick") else ""),
        "",
        "Written by `make bench` (`benchmarks/run.py`); do not edit the figures by hand. "
        "The sections at the end come from `benchmarks/HOSTILE.md` (`make bench-hostile`), "
        "`benchmarks/REDESIGN.md` (`benchmarks.compare`) and `benchmarks/ANALYSIS.md`.",
        "",
        f"- Date: {results['started']}, {results['seconds']:.0f} s for the whole run",
        f"- Code measured: commit {results.get('commit', 'unknown')}",
        f"- Machine: {machine()}",
        f"- 1-minute load average: {load} (other processes share this machine: "
        "figures are comparable within one run, not across runs)",
        f"- Database: {results['database']}",
        "- Contenders: " + "; ".join(NAMES.values())
        + ("" if results.get("graphene") else " (graphene not run: no .venv-graphene)"),
        "- Data sets: T1k (1 post, 1,000 comments, 100 top-level, depth up to 10, 200 users, "
        "~5k reactions), T10k (10,000 comments, 1,000 top-level, ~49k reactions), catalog "
        "(2,000 posts, 0-50 comments each), seeded; the measured viewer is an anonymous "
        "visitor (X-Visitor-Token) with reactions of its own.",
        "- Flood control and the mutation rate limit are turned off for the benchmark "
        "(`benchmarks/settings.py`); writes go through the same `cms` services for every "
        "contender.",
        "- Ratios: a contender's figure divided by F's and by G's (idiomatic graphene). "
        "For latency, memory and bytes lower is better; for requests/s higher is better.",
        "",
        "## Operations",
        "",
        *(f"- **{op}**: {text}" for op, text in OPS.items()),
        "",
        "## In process",
        "",
        "Each contender's view is called directly (no middleware, no socket) with a request "
        "built by RequestFactory; only the view's time counts. The first call warms up (it is "
        "never a sample) and is the one whose SQL queries are counted; one more call runs under "
        "tracemalloc for the peak (for R1 its first page, as each page is a request of its own; "
        "left out for others when one call takes 5 s or more). Then the contenders of one "
        "process (F, N, S and H; G and Gt in the graphene environment's) take turns, five rounds, "
        "the order rotating: each figure comes from at least 30 samples and "
        f"{results.get('budget', 1):g} s, whichever is longer, except a contender whose 30 "
        f"samples would take more than {results.get('cap', 60):g} s (a slow context row: "
        "`reps` says how many). p99 is printed only from 200 samples or more. R1 is all the "
        "pages, one request each: its figures are for the whole thread. The writes (W1, W2) are "
        "measured per contender, each alone in a process of its own on a copy of the data of "
        "its own (no contender reads or contends with another's writes); S reads only.",
        "",
        *inprocess_rows(results),
        "",
        "## Over HTTP",
        "",
        "gunicorn with gthread workers (2 workers x 4 threads, keep-alive), the deployment the "
        "README recommends, on the same machine as the load generator "
        f"({'wrk' if any('wrk' in str(v) for v in [results.get('http')]) else 'python'}, its "
        "connections kept open; its share of the machine's CPU in the last column). F, H and "
        "tuned G; idiomatic G, N and S are in-process rows only. Reads share one server per "
        "environment on one copy of the data; each write contender has a server and a copy of "
        "its own. p99 only from 200 "
        "requests or more. "
        "R1 over HTTP is one thread page per request, cycling through every page; W1 alternates "
        "addComment and R2; W2 is 64 connections, each request a react or an unreact of a "
        "like by one of 64 visitors on one of the 10 most replied-to comments.",
        "",
        *http_rows(results),
        "",
        f"Stored counters equal fresh counts after each write contender's run on its own copy: "
        f"{get(results, 'checks', 'counts_exact') or 'not checked'}. Comments W1 wrote over "
        f"HTTP, per contender (about half of W1's requests are addComment; a comment not "
        f"written means an error answered with status 200): "
        f"{get(results, 'checks', 'w1_comments_written') or 'not checked'}.",
        *(f"\nFailed: {failure}" for failure in results.get("failures", [])),
        "",
        "## Targets of issue 17",
        "",
        *targets(results),
        "",
        *other_database(other),
        *(part.read_text() for part in SECTIONS if part.exists()),
    ])
