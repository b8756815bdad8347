"""Over HTTP: a gunicorn server (2 workers; gthread with keep-alive, or sync) and a load
generator.

The load generator is `wrk` when it is installed (a Lua script cycles through a list of prepared
requests), otherwise a small threaded one written with http.client. Both keep their connections
open (HTTP/1.1 keep-alive; a sync worker closes them after every answer) and report requests per
second, p50 and p99 latency (p99 only from 200 requests or more), how many answers were not 2xx,
and the load generator's own share of the machine's CPU.
"""

import http.client
import json
import math
import os
import resource
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """gunicorn with 2 workers, started with the given Python environment and settings: sync
    workers, or gthread workers with `threads` threads each."""

    def __init__(self, venv: str, settings: str, database_url: str, port: int = 0,
                 threads: int = 0):
        self.port = port or free_port()
        workers = ["--worker-class", "gthread", "--threads", str(threads)] if threads else []
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": database_url,
               "PYTHONPATH": str(ROOT)}
        gunicorn = str(ROOT / venv / "bin" / "gunicorn")
        self.log = open(ROOT / "var" / f"bench-gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [gunicorn, "--workers", "2", *workers, "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--backlog", "2048", "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        """Until gunicorn answers: a loaded machine boots Django slowly, so the bound is
        generous, and a gunicorn that exits is reported at once."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/nothing-here/")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} did not start; see var/")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, request: tuple, connection=None) -> tuple[int, bytes]:
    """One request, on `connection` (kept open) when given, else on a connection of its own."""
    method, path, headers, body = request
    own = connection is None
    if own:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    if own or response.will_close:
        connection.close()
    return response.status, data


def p99(latencies: list[float]) -> float | None:
    """The 99th percentile, or None from fewer than 200 samples (it would be a maximum)."""
    if len(latencies) < 200:
        return None
    return sorted(latencies)[math.ceil(0.99 * len(latencies)) - 1]


def check(port: int, request: tuple) -> dict:
    """One request, sequentially: fails loudly on an error, so no load test measures errors."""
    status, data = call(port, request)
    answer = json.loads(data)
    if status != 200 or answer.get("errors"):
        raise RuntimeError(f"{request[0]} {request[1]}: {status} {data[:300]!r}")
    return answer


LUA = """
local requests = {%s}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
end
function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRKJSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p99_us\\": %%d, "
    .. "\\"p50_us\\": %%d, \\"errors\\": %%d}\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(99), latency:percentile(50), errors))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_request(request: tuple) -> str:
    method, path, headers, body = request
    header_list = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    body_text = body.decode() if body else ""
    return "{%s, %s, {%s}, %s}" % (lua_string(method), lua_string(path), header_list,  # noqa: UP031
                                   lua_string(body_text) if body_text else "nil")


def wrk(port: int, requests: list[tuple], concurrency: int, seconds: int) -> dict:
    script = LUA % ",\n".join(lua_request(r) for r in requests)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    threads = min(2, concurrency)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s",
             "--timeout", "60s", "-s", handle.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 120)
    finally:
        os.unlink(handle.name)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    if out.returncode != 0:
        raise RuntimeError(f"wrk: {out.stderr.strip()[:200]}")
    out = out.stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    figures = json.loads(line[len("WRKJSON "):])
    return {"rps": figures["requests"] / figures["seconds"],
            "p99_ms": figures["p99_us"] / 1000 if figures["requests"] >= 200 else None,
            "p50_ms": figures["p50_us"] / 1000, "requests": figures["requests"],
            "errors": figures["errors"], "tool": "wrk",
            "generator_cpu": cpu_seconds / (figures["seconds"] * (os.cpu_count() or 1))}


def threaded(port: int, requests: list[tuple], concurrency: int, seconds: float) -> dict:
    """The fallback: `concurrency` threads, each sending requests one after another on a
    connection it keeps open (a new one when the server closed it)."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        i = offset
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = call(port, requests[i % len(requests)], connection)
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not 200 <= status < 300
            i += 1

    started, cpu = time.perf_counter(), time.process_time()
    workers = [threading.Thread(target=worker, args=(n * 7919,)) for n in range(concurrency)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    duration, cpu = time.perf_counter() - started, time.process_time() - cpu
    high = p99(latencies)
    return {"rps": len(latencies) / duration, "p99_ms": None if high is None else high * 1000,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else 0,
            "requests": len(latencies), "errors": errors[0], "tool": "python",
            "generator_cpu": cpu / (duration * (os.cpu_count() or 1))}


def load(port: int, requests: list[tuple], concurrency: int, seconds: float) -> dict:
    if shutil.which("wrk"):
        return wrk(port, requests, concurrency, seconds)
    return threaded(port, requests, concurrency, seconds)
