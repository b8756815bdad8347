"""Hearth before and after a change, in process, interleaved round by round.

    .venv/bin/python -m benchmarks.compare OTHER_TREE [--rounds 5] [--budget 2]

OTHER_TREE is a checkout of the earlier commit (`git worktree add ../before <commit>`). Both
trees measure the same data sets (built here, a fresh copy per measuring process) with their own
code, alternating A, B, A, B ... so a machine that slows down or speeds up weighs on both alike.
Printed per operation: Hearth's median in each tree (the median of the rounds' medians) and the
ratio after/before. SQLite by default; DATABASE_URL as for benchmarks.run.
"""

import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

from benchmarks import run

OPS = {"t1k": ["small", "r1", "r2", "r2a", "w1", "w2"], "t10k": ["small", "r1", "r2"],
       "catalog": ["r3"]}


def measure(tree: Path, name: str, ops: list[str], budget: float) -> dict:
    url = run.fresh_copy(name)
    env = {**run.child_env(url), "PYTHONPATH": str(tree)}
    out = subprocess.run([str(run.ROOT / ".venv" / "bin" / "python"), "-m",
                          "benchmarks.inprocess", ",".join(ops), str(budget)],
                         cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["H"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path, help="a checkout of the earlier commit")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0)
    args = parser.parse_args()
    trees = {"before": args.other.resolve(), "after": run.ROOT}
    medians: dict = {tree: {} for tree in trees}
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for name, ops in OPS.items():
        run.prepare(name)
        for round_ in range(args.rounds):
            for tree, path in trees.items():
                figures = measure(path, name, ops, args.budget)
                for op in ops:
                    medians[tree].setdefault((name, op), []).append(figures[op]["median_ms"])
            print(f"  {name}: round {round_ + 1} of {args.rounds}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print("| data set | operation | before ms | after ms | after / before |")
    print("|---|---|--:|--:|--:|")
    for key in medians["after"]:
        before = statistics.median(medians["before"][key])
        after = statistics.median(medians["after"][key])
        print(f"| {key[0]} | {key[1]} | {before:.3f} | {after:.3f} | {after / before:.2f}x |")


if __name__ == "__main__":
    main()
