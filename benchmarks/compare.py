"""Hearth before and after a change, in process, in two checkouts on the same data sets.

    .venv/bin/python -m benchmarks.compare OTHER_TREE --instructions [--scale 1]
    .venv/bin/python -m benchmarks.compare OTHER_TREE [--rounds 5] [--budget 2]

OTHER_TREE is a checkout of the earlier commit (`git worktree add ../before <commit>`). Each tree
runs Hearth with its own code (the checkout's `benchmarks` package, this venv) on a fresh copy
of the same data set, as the anonymous visitor `make bench` measures.

--instructions counts the instructions each operation executes, under valgrind's callgrind: a
measure that other processes on the machine do not change, where wall-clock figures on a busy
machine move by 20%. Only the GraphQL view's own work is counted (Python, Django, the database
driver and SQLite alike; not building the request or parsing the response): the view runs
inside `sys.call_tracing`, the one function callgrind collects in (`--toggle-collect`), and
`os.getloadavg()` after each block of repetitions writes the block's total
(`--dump-after=getloadavg`). Each operation is warmed up, then run in two blocks of N; the
figure is instructions per operation over both blocks, and the two blocks' difference shows how
steady it is. The callgrind files stay in var/compare/TREE/ for `callgrind_annotate` (where the
instructions go, function by function).

Without --instructions: wall-clock, alternating A, B, A, B round by round so a machine that
slows down or speeds up weighs on both alike (each tree's figure: a warm-up, then at least 5
samples and --budget seconds); each figure is the median of the rounds' medians, with the load
average of every round.

SQLite by default; DATABASE_URL as for benchmarks.run.
"""

import gc
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
OPS = {"t1k": ["small", "r1", "r2", "r2a", "r2c", "w1", "w2"], "t10k": ["small", "r1", "r2"],
       "catalog": ["r3"]}
# --instructions: the processes (a data set and its operations), repetitions in each counted
# block (times --scale), blocks (two unless named: R1 at T10k is 100 pages, 10^10 instructions)
# and warm-up calls (3 unless named).
GROUPS = [("t1k", ["small", "r1", "r2", "r2a", "r2c"]), ("t1k", ["w1", "w2"]),
          ("t10k", ["small", "r2"]), ("t10k", ["r1"]), ("catalog", ["r3"])]
BLOCK = {"small": 30, "r1": 1, "r2": 4, "r2a": 4, "r2c": 4, "r3": 4, "w1": 4, "w2": 8}
BLOCKS = {("t10k", "r1"): 1}
WARM = {"r1": 1}
COUNTED = "sys_call_tracing"  # the C function behind sys.call_tracing
DUMP = "getloadavg"  # libc's, behind os.getloadavg


# The measuring process, run by path (python -P) in the checkout under test ---------------------


def child(mode: str, name: str, ops: list[str], amount: float) -> None:
    import django

    django.setup()
    from django.urls import resolve

    from benchmarks.measure import Client, Writes, operation

    if mode == "time":  # this loop, not the tree's own harness: both trees timed alike
        client, figures = Client("H", "/graphql/"), {}
        writes = Writes("H") if {"w1", "w2"} & set(ops) else None
        for op in ops:
            run = operation(op, client, writes)
            run()  # warm-up, never a sample
            samples, started = [], time.perf_counter()
            while len(samples) < 5 or time.perf_counter() - started < amount:
                client.elapsed = 0.0
                run()
                samples.append(client.elapsed)
            figures[op] = {"median_ms": statistics.median(samples) * 1000, "reps": len(samples)}
        print(json.dumps(figures))
        return

    class Counted(Client):
        counting = False

        def call(self, request):
            if not self.counting:
                return super().call(request)
            match = resolve(request.path_info)
            response = sys.call_tracing(
                lambda: match.func(request, *match.args, **match.kwargs), ())
            self.bytes += len(response.content)
            self.requests += 1
            return response

    client, blocks = Counted("H", "/graphql/"), []
    writes = Writes("H") if {"w1", "w2"} & set(ops) else None
    runs = {op: operation(op, client, writes) for op in ops}
    for op in ops:  # warm-up at full speed
        for _ in range(WARM.get(op, 3)):
            runs[op]()
    gc.collect()
    gc.freeze()  # start-up's objects: no full collection walks them in one block and not another
    print("ready", flush=True)  # the parent turns callgrind's instrumentation on, then says go
    while not select.select([sys.stdin], [], [], 0.01)[0]:
        pass  # short waits, so that valgrind takes the command
    sys.stdin.readline()
    for op in ops:
        client.counting = False
        if op != "r1":  # once more after the other operations' warm-up (R1 is long)
            runs[op]()
        client.counting = True
        n = max(1, round(BLOCK[op] * amount))
        for _ in range(BLOCKS.get((name, op), 2)):
            client.requests = 0
            gc.collect()  # every block starts with the same garbage: none
            for _ in range(n):
                runs[op]()
            os.getloadavg()  # callgrind writes the block's count here
            blocks.append({"op": op, "n": n, "requests": client.requests})
    print(json.dumps(blocks))


# The comparison --------------------------------------------------------------------------------


def start(tree: Path, name: str, mode: str, ops: list[str], amount: float,
          wrapper: list[str], copy: str) -> subprocess.Popen:
    from benchmarks import run

    env = {**run.child_env(run.fresh_copy(name, copy)), "PYTHONPATH": str(tree),
           "PYTHONHASHSEED": "0"}
    return subprocess.Popen([*wrapper, str(run.ROOT / ".venv" / "bin" / "python"), "-P",
                             str(HERE), "--child", mode, name, ",".join(ops), str(amount)],
                            cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen):
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(process.args)} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def totals(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def instructions(trees: dict, scale: float) -> dict:
    """Instructions per operation: {tree: {(data set, op): [block 1, block 2]}}."""
    from benchmarks import run

    if not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    processes = {}
    for name, ops in GROUPS:  # all side by side: instruction counts ignore the load
        ops = [op for op in ops if op in OPS.get(name, [])]
        if not ops:
            continue
        run.prepare(name)
        for tree, path in trees.items():
            out = run.ROOT / "var" / "compare" / tree / f"{name}-{ops[0]}.out"
            out.parent.mkdir(parents=True, exist_ok=True)
            for old in out.parent.glob(out.name + "*"):
                old.unlink()
            # Instrumented only from the first counted block on (start-up runs at full speed),
            # collecting only inside sys.call_tracing, one file per block.
            wrapper = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                       "--collect-atstart=no", f"--toggle-collect={COUNTED}",
                       f"--dump-after={DUMP}", f"--callgrind-out-file={out}"]
            processes[tree, name, out] = start(path, name, "instructions", ops, scale, wrapper,
                                               f"{tree}-{ops[0]}")
    for process in processes.values():
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            raise RuntimeError(f"{' '.join(process.args)}: {line}{process.stderr.read()[-3000:]}")
        subprocess.run(["callgrind_control", "--instr=on", str(process.pid)], check=True,
                       capture_output=True)
        process.stdin.write("go\n")
        process.stdin.flush()
    counts: dict = {tree: {} for tree in trees}
    for (tree, name, out), process in processes.items():
        blocks = finish(process)
        dumps = sorted(out.parent.glob(out.name + ".*"), key=lambda p: int(p.suffix[1:]))
        if len(dumps) != len(blocks):
            raise RuntimeError(f"{tree} {name}: {len(dumps)} callgrind dumps for "
                               f"{len(blocks)} blocks")
        for block, dump in zip(blocks, dumps, strict=True):
            per_op = totals(dump) / block["n"]
            if not per_op:
                raise RuntimeError(f"{dump}: nothing counted (is {COUNTED} a symbol?)")
            counts[tree].setdefault((name, block["op"]), []).append(per_op)
        print(f"  {tree} {name} {out.stem}: counted", flush=True)
    return counts


def wall_clock(trees: dict, rounds: int, budget: float) -> tuple[dict, list]:
    """Medians per round: {tree: {(data set, op): [ms, ...]}}, and each round's load."""
    from benchmarks import run

    medians: dict = {tree: {} for tree in trees}
    loads = []
    for name, ops in OPS.items():
        if not ops:
            continue
        run.prepare(name)
        for round_ in range(rounds):
            before = os.getloadavg()[0]
            for tree, path in trees.items():
                process = start(path, name, "time", ops, budget, [], tree)
                figures = finish(process)
                for op in ops:
                    medians[tree].setdefault((name, op), []).append(figures[op]["median_ms"])
            loads.append((name, round_ + 1, before, os.getloadavg()[0]))
            print(f"  {name}: round {round_ + 1} of {rounds}, load {before:.1f} "
                  f"-> {os.getloadavg()[0]:.1f}", flush=True)
    return medians, loads


def main() -> None:
    import argparse

    from benchmarks import run

    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path, help="a checkout of the earlier commit")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under callgrind instead of timing")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="--instructions: repetitions per block, times this")
    parser.add_argument("--data", default=",".join(OPS), help="data sets, comma-separated")
    parser.add_argument("--ops", default="", help="only these operations, comma-separated")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0)
    args = parser.parse_args()
    for name in set(OPS) - set(args.data.split(",")):
        del OPS[name]
    for name in OPS:
        OPS[name] = [op for op in OPS[name] if not args.ops or op in args.ops.split(",")]
    trees = {"before": args.other.resolve(), "after": run.ROOT}
    commits = {tree: subprocess.run(["git", "-C", str(path), "describe", "--always", "--dirty"],
                                    capture_output=True, text=True).stdout.strip()
               for tree, path in trees.items()}
    load = os.getloadavg()
    print(f"before: {commits['before']}, after: {commits['after']}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    started = time.time()
    if args.instructions:
        counts = instructions(trees, args.scale)
        rows = ["| data set | operation | before instructions | after instructions | "
                "after / before | block to block, before / after |", "|---|---|--:|--:|--:|--:|"]
        for key, after in counts["after"].items():
            before = counts["before"][key]
            a, b = statistics.mean(after), statistics.mean(before)
            steady = " / ".join(f"{abs(x[0] - x[1]) / statistics.mean(x):.2%}"
                                if len(x) > 1 else "one block" for x in (before, after))
            rows.append(f"| {key[0]} | {key[1]} | {b:,.0f} | {a:,.0f} | {a / b:.3f}x | "
                        f"{steady} |")
    else:
        medians, loads = wall_clock(trees, args.rounds, args.budget)
        rows = ["| data set | operation | before ms | after ms | after / before |",
                "|---|---|--:|--:|--:|"]
        for key in medians["after"]:
            before = statistics.median(medians["before"][key])
            after = statistics.median(medians["after"][key])
            rows.append(f"| {key[0]} | {key[1]} | {before:.3f} | {after:.3f} | "
                        f"{after / before:.2f}x |")
        rows += ["", "Load average (1 minute) before and after each round: " + ", ".join(
            f"{name} {r}: {a:.1f}-{b:.1f}" for name, r, a, b in loads)]
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{time.time() - started:.0f} s\n")
    print("\n".join(rows))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4].split(","), float(sys.argv[5]))
    else:
        main()
