"""The hostile benchmark runs end to end on a tiny corpus: its own database, redis-servers and
gunicorn, and a table with a row of figures for every class. Whether the targets hold is the
benchmark's to say (benchmarks/HOSTILE.md), not this test's."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["0 Reference", "1 Validation cost", "2 Node limit", "3 Mutation limit", "4 Rendering",
           "5 Parse cache", "6 Redis fill", "7 Dates", "9 Deep reply chain", "13 Enumeration",
           "16 Non-canonical IDs", "18 Input shapes (ours)"]
NUMBER = r"\d+(\.\d+)?"

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    out, figures = folder / "HOSTILE.md", folder / "hostile.json"
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        name = urlsplit(server).path.lstrip("/") + "_hostile"
        database = ["--database-url", urlunsplit(urlsplit(server)._replace(path=f"/{name}"))]
    else:
        database = ["--sqlite"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run = subprocess.run([sys.executable, "-m", "benchmarks.hostile", "--smoke", "--posts", "3",
                          "--output", str(out), "--json", str(figures), *database],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out.read_text(), json.loads(figures.read_text())


def test_every_class_has_a_row_of_cpu_figures(report):
    text, results = report
    for group in CLASSES:
        rows = [r for r in results["cpu"] if r["group"] == group]
        assert rows, group
        for row in rows:
            assert row["sent"] >= 1
            assert row["worst_cpu_ms"] >= row["median_cpu_ms"] >= 0
        assert re.search(rf"^\| {re.escape(group)} \| .+ \| {NUMBER} \| {NUMBER} \| {NUMBER} \| "
                         r"(held|\*\*missed\*\*|n/a) \|$", text, re.M), group


def test_memory_redis_and_latency_figures_are_reported(report):
    text, results = report
    assert results["memory"]["workers"] and all(
        w["peak_mb"] >= w["before_mb"] > 0 for w in results["memory"]["workers"])
    assert results["memory"]["requests"] == sum(results["memory"]["outcomes"].values())
    assert results["redis"]["redis_caches_after_fill"] > 0
    assert results["redis"]["flood_sent"] == results["redis"]["limit"] + 10
    for phase in ("quiet", "idle", "attack"):
        assert results[phase]["requests"] >= 1 and results[phase]["median_ms"] > 0
        assert results["sync"][phase]["requests"] >= 1  # the sync-worker context rows
    assert "gthread" in text and "2 sync workers (context)" in text
    for heading in ("### CPU per request", "### What got through", "### Memory after",
                    "### A normal read", "### Targets"):
        assert heading in text
    assert len(re.findall(r"^- .+: (held|\*\*missed\*\*)$", text, re.M)) >= 5 + 6


def test_class_checks_counted_what_got_through(report):
    _, results = report
    findings = " ".join(text for text, _ in results["findings"])
    assert re.search(r"3 Mutation limit: 1 requests of one caller, \d+ reactions created", findings)
    assert re.search(r"9 Deep reply chain: paging the thread reached \d+ of \d+ comments",
                     findings)
    assert re.search(r"16 Non-canonical IDs: \d+ of 1\d other spellings", findings)
