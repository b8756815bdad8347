"""Shared by the browser tests: a real Hearth server process (migrated, seeded, on a free port),
examples/blog served statically on an origin of its own, and GraphQL over HTTP."""

import functools
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples" / "blog"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DEMO_SLUG = "what-a-year-of-bread-taught-me"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 180, process=None) -> None:
    """Until `url` answers: a loaded machine (CI, several suites at once) may take a minute to
    start a server, so the bound is generous, and a server that died fails at once."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - a local test URL
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"The server exited with {process.returncode}.") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def manage(env: dict, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True).stdout


@contextmanager
def serving(env: dict, port: int | None = None):
    """Migrate and seed the database `env` names, and serve Hearth on `port` (a free one by
    default): yields the /graphql/ URL."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    port = port or free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
                               "--noreload"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        wait_for(url + "?query=%7B__typename%7D", process=server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)




@contextmanager
def static_site(directory: Path = SITE):
    """`directory` (examples/blog) served statically on an origin of its own: yields it."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def graphql(hearth, query: str, variables: dict, token: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 - a local test URL
        hearth["url"], data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)
