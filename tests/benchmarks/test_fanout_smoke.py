"""The fan-out benchmark (benchmarks/fanout.py) runs end to end on a handful of subscribers: its
own PostgreSQL database and redis-server, two uvicorn processes, every subscriber reached by every
write, and a table of figures. Whether the targets hold is the benchmark's to say
(BENCHMARKS.md), not this test's."""

import asyncio
import re
import shutil
import uuid

import pytest

from benchmarks import fanout

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")]


def test_five_subscribers_over_two_processes_get_every_write():
    cluster = fanout.Cluster(2, name=f"hearth_fanout_{uuid.uuid4().hex[:12]}")
    try:
        result = asyncio.run(fanout.measure(cluster, subscribers=5, writes=3))
    finally:
        cluster.stop()
    assert (result["subscribers"], result["processes"], result["writes"]) == (5, 2, 3)
    assert result["complete_writes"] == 3
    result["when"] = "now"
    table = fanout.render(result)
    for figure in ("last subscriber's message, median", "last subscriber's message, p99",
                   "addComment latency without subscribers", "memory per idle connection"):
        row = next(line for line in table.splitlines() if figure in line)
        assert re.search(r"\| -?[\d,]+ (ms|KiB)", row), row
    assert table.startswith(fanout.BEGIN) and table.rstrip().endswith(fanout.END)


def test_its_section_replaces_the_last_one(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nBefore.\n")
    fanout.write_section(report, f"{fanout.BEGIN}\nfirst\n{fanout.END}\n")
    fanout.write_section(report, f"{fanout.BEGIN}\nsecond\n{fanout.END}\n")
    assert report.read_text() == (f"# Benchmarks\n\nBefore.\n\n{fanout.BEGIN}\nsecond\n"
                                  f"{fanout.END}\n")
