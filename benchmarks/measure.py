"""In-process measurement, shared by every contender's process (plain Django and stdlib only, so
the graphene environment can import it too).

A contender is a `Client` that turns an operation name and variables into one call of a Django
view. Only the view's own time is measured: the request is built and the response parsed
outside the clock.
"""

import json
import math
import statistics
import time
import tracemalloc
from collections import deque
from urllib.parse import quote, urlencode

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from benchmarks import operations
from benchmarks.datasets import THREAD_SLUG, VISITOR_KEY, WRITER_EMAIL

DOCUMENTS = {"small": operations.SMALL, "r1": operations.R1, "r2": operations.R2,
             "r2c": operations.R2,
             "r3": operations.R3, "add_comment": operations.ADD_COMMENT,
             "react": operations.REACT, "unreact": operations.UNREACT}


def visitor_headers() -> dict:
    from django.core import signing

    from cms.visitors import SALT

    return {"X-Visitor-Token": signing.dumps(VISITOR_KEY, salt=SALT, compress=False)}


def graphql_request(path: str, op: str, variables: dict) -> tuple[str, str, bytes]:
    body = json.dumps({"query": DOCUMENTS[op], "variables": variables}).encode()
    return "POST", path, body


def floor_request(op: str, variables: dict) -> tuple[str, str, bytes]:
    slug = variables.get("slug", THREAD_SLUG)
    if op == "small":
        return "GET", f"/floor/posts/{slug}/small/", b""
    if op == "r1":
        after = variables.get("after")
        query = f"?after={quote(after, safe='')}" if after else ""
        return "GET", f"/floor/posts/{slug}/thread/{query}", b""
    if op == "r2":
        return "GET", f"/floor/posts/{slug}/", b""
    if op == "r2c":  # F with its JSON in the cache
        return "GET", f"/floor/posts/{slug}/cached/", b""
    if op == "r3":
        return "GET", "/floor/posts/", b""
    if op == "add_comment":
        return "POST", "/floor/comments/", json.dumps(variables["input"]).encode()
    if op in ("react", "unreact"):
        data = {**variables["input"], "remove": op == "unreact"}
        data["kind"] = data["kind"].lower()
        return "POST", "/floor/react/", json.dumps(data).encode()
    raise ValueError(op)


class Client:
    """Calls one contender's views in-process as the benchmark's visitor."""

    def __init__(self, name: str, graphql_path: str | None):
        self.name = name
        self.graphql_path = graphql_path
        self.factory = RequestFactory()
        self.headers = visitor_headers()
        self.elapsed = 0.0
        self.bytes = 0
        self.requests = 0

    def request(self, op: str, variables: dict) -> tuple[str, str, bytes]:
        if self.graphql_path is None:
            return floor_request(op, variables)
        return graphql_request(self.graphql_path, op, variables)

    def call(self, request):
        """The view's response to `request`; only the view's time counts."""
        match = resolve(request.path_info)
        started = time.perf_counter()
        response = match.func(request, *match.args, **match.kwargs)
        self.elapsed += time.perf_counter() - started
        self.bytes += len(response.content)
        self.requests += 1
        return response

    def run(self, op: str, variables: dict) -> dict:
        method, path, body = self.request(op, variables)
        if method == "GET":
            request = self.factory.get(path, headers=self.headers)
        else:
            request = self.factory.post(path, body, content_type="application/json",
                                        headers=self.headers)
        response = self.call(request)
        data = json.loads(response.content)
        if response.status_code != 200 or data.get("errors"):
            raise RuntimeError(f"{self.name} {op}: {response.status_code} {data}")
        return data

    def get_anonymous(self, op: str, variables: dict, etag: str | None) -> str | None:
        """An anonymous reader's GET (no visitor token, so public and cacheable), revalidating
        `etag` when given. Returns the response's ETag."""
        if self.graphql_path is None:
            path = floor_request(op, variables)[1]
        else:
            path = self.graphql_path + "?" + urlencode(
                {"query": DOCUMENTS[op], "variables": json.dumps(variables)})
        response = self.call(self.factory.get(
            path, headers={"If-None-Match": etag} if etag else {}))
        if response.status_code not in (200, 304):
            raise RuntimeError(f"{self.name} {op}: {response.status_code} {response.content[:300]}")
        return response.get("ETag")


# Operations ----------------------------------------------------------------------------------


def r1(client: Client) -> list[str]:
    """The whole thread, `thread(first: 100)` paged to the end. Returns the comment ids."""
    ids, after = [], None
    while True:
        page = client.run("r1", {"slug": THREAD_SLUG, "after": after})["data"]["post"]["thread"]
        ids.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def gid(type_name: str, pk: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


class Writes:
    """W1's comments and W2's reactions: unique bodies, a fixed reply target."""

    def __init__(self, contender: str):
        from cms.models import Comment, Post

        post = Post.objects.get(slug=THREAD_SLUG)
        self.post_id = gid("Post", post.pk)
        parent = Comment.objects.filter(post=post, depth=3).order_by("path").first()
        self.parent_id = gid("Comment", parent.pk)
        hot = Comment.objects.filter(post=post).order_by("-reply_count", "path")[:10]
        self.hot = [gid("Comment", c.pk) for c in hot]
        self.contender = contender
        self.n = 0

    def add_comment(self) -> dict:
        self.n += 1
        return {"input": {"postId": self.post_id, "parentId": self.parent_id,
                          "body": f"Benchmark reply {self.n} from {self.contender} {time.time()}.",
                          "authorName": "Writer", "authorEmail": WRITER_EMAIL}}

    def reaction(self) -> dict:
        self.n += 1
        return {"input": {"subjectId": self.hot[self.n % len(self.hot)], "kind": "LIKE"}}


def operation(name: str, client: Client, writes: Writes):
    """A callable running one operation once."""
    slug = {"slug": THREAD_SLUG}
    if name == "small":
        return lambda: client.run("small", slug)
    if name == "r1":
        return lambda: r1(client)
    if name == "r1-page":
        return lambda: client.run("r1", {"slug": THREAD_SLUG, "after": None})
    if name == "r2":
        return lambda: client.run("r2", slug)
    if name == "r3":
        return lambda: client.run("r3", {})
    if name == "r2a":  # a miss every time: an unused variable makes each request new
        return lambda: client.get_anonymous("r2", {**slug, "miss": time.perf_counter_ns()}, None)
    if name == "r2c":  # the same request again and again: a hit from the first repeat on
        return lambda: client.get_anonymous("r2c", slug, None)

    def w1():
        data = client.run("add_comment", writes.add_comment())["data"]["addComment"]
        assert data["comment"]["status"] in ("APPROVED", "approved"), data
        client.run("r2", slug)

    def w2():
        variables = writes.reaction()
        client.run("react", variables)
        client.run("unreact", variables)

    return {"w1": w1, "w2": w2}[name]


MIN_SAMPLES = 30  # a figure comes from at least this many samples, or the time budget
P99_SAMPLES = 200  # p99 is given only from this many samples; with fewer it is a maximum


def warm(run, client: Client, traced=None) -> dict:
    """The warm-up call (never a sample): its SQL queries, requests and response bytes, and the
    peak traced memory (of `traced` when given: R1 traces one page, as each page is a request
    of its own; left out when a call takes 5 s or more)."""
    client.elapsed, client.bytes, client.requests = 0.0, 0, 0
    # Django keeps the last 9,000 queries: a longer log would count nothing from then on.
    connection.queries_log = deque(maxlen=10**6)
    with CaptureQueriesContext(connection) as queries:
        run()
    figures = {"queries": len(queries), "requests": client.requests, "bytes": client.bytes,
               "warmup_ms": client.elapsed * 1000}
    if traced is not None or client.elapsed < 5:  # tracing slows Python down several times
        tracemalloc.start()
        (traced or run)()
        figures["peak_kb"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    return figures


def timed(run, client: Client, seconds: float, at_least: int) -> list[float]:
    """Samples of `run`: at least `at_least`, and for at least `seconds`."""
    samples = []
    started = time.perf_counter()
    while len(samples) < at_least or time.perf_counter() - started < seconds:
        client.elapsed = 0.0
        run()
        samples.append(client.elapsed)
    return samples


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"reps": len(samples), "median_ms": statistics.median(samples) * 1000,
            "p99_ms": (samples[math.ceil(0.99 * len(samples)) - 1] * 1000
                       if len(samples) >= P99_SAMPLES else None)}


def run_contenders(clients: list[Client], ops: list[str], budget: float, *, rounds: int = 5,
                   cap: float = 60.0) -> dict:
    """Every operation for every contender, reads first, then writes; for each operation the
    contenders take turns round by round (the order rotating), so a machine that slows down
    weighs on all alike. Each figure: at least MIN_SAMPLES samples and `budget` seconds,
    whichever is longer, unless a contender's samples would take more than `cap` seconds (a
    slow context row): then as many as fit in `cap`, at least one per round."""
    results = {client.name: {} for client in clients}
    writes = {}
    for op in ops:
        runs = {}
        for client in clients:
            if op in ("r2a", "r2c") and client.name not in ("F", "H"):
                continue  # anonymous GETs and the cache: Hearth, and F as its floor
            if op in ("w1", "w2") and client.name == "S":
                continue  # S reads only: the writes are the same services for every contender
            if op in ("w1", "w2") and client.name not in writes:
                writes[client.name] = Writes(client.name)
            run = operation(op, client, writes.get(client.name))
            try:
                traced = operation("r1-page", client, None) if op == "r1" else None
                results[client.name][op] = warm(run, client, traced)
                runs[client.name] = (run, client)
            except Exception as error:  # noqa: BLE001 - a failing contender is reported
                results[client.name][op] = {"error": f"{type(error).__name__}: {error}"[:300]}
        samples = {name: [] for name in runs}
        for round_ in range(rounds):
            names = list(runs)
            names = names[round_ % len(names):] + names[:round_ % len(names)] if names else []
            for name in names:
                run, client = runs[name]
                one = results[name][op]["warmup_ms"] / 1000
                at_least = math.ceil(MIN_SAMPLES / rounds)
                if one * MIN_SAMPLES > cap:
                    at_least = max(1, int(cap / rounds / max(one, 1e-9)))
                seconds = budget / rounds if one * MIN_SAMPLES <= cap else 0
                try:
                    samples[name] += timed(run, client, seconds, at_least)
                except Exception as error:  # noqa: BLE001
                    results[name][op] = {"error": f"{type(error).__name__}: {error}"[:300]}
                    del runs[name]
        for name, taken in samples.items():
            if taken and "error" not in results[name][op]:
                results[name][op].update(summary(taken))
    return results
