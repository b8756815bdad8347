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
        return lambda: client.get_anonymous("r2", slug, None)

    def w1():
        data = client.run("add_comment", writes.add_comment())["data"]["addComment"]
        assert data["comment"]["status"] in ("APPROVED", "approved"), data
        client.run("r2", slug)

    def w2():
        variables = writes.reaction()
        client.run("react", variables)
        client.run("unreact", variables)

    return {"w1": w1, "w2": w2}[name]


def measure(run, client: Client, *, budget: float, traced=None, max_reps: int = 500,
            min_reps: int = 3) -> dict:
    """Latency of `run` (warm), its SQL queries, peak traced memory (of `traced` when given: R1
    traces one page, as each page is a request of its own) and response bytes."""
    client.elapsed, client.bytes, client.requests = 0.0, 0, 0
    # Django keeps the last 9,000 queries: a longer log would count nothing from then on.
    connection.queries_log = deque(maxlen=10**6)
    with CaptureQueriesContext(connection) as queries:
        run()  # warm-up, and the query count
    figures = {"queries": len(queries), "requests": client.requests, "bytes": client.bytes}
    first = client.elapsed
    if traced is not None or first < 5:  # tracing slows Python down several times
        tracemalloc.start()
        (traced or run)()
        figures["peak_kb"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    samples = []
    if first > budget / 2:
        samples.append(first)  # a slow operation: its warm-up counts, it was not the first call
    if first > 2:
        min_reps = 2 if first < 10 else 1  # slow calls: two warm runs, one from ten seconds on
    started = time.perf_counter() - sum(samples)  # the warm-up's time counts in the budget
    while len(samples) < min_reps or (time.perf_counter() - started < budget
                                      and len(samples) < max_reps):
        client.elapsed = 0.0
        run()
        samples.append(client.elapsed)
    samples.sort()
    figures.update(reps=len(samples), median_ms=statistics.median(samples) * 1000,
                   p99_ms=samples[max(0, math.ceil(0.99 * len(samples)) - 1)] * 1000)
    return figures


def run_contenders(clients: list[Client], ops: list[str], budget: float) -> dict:
    """Every operation for every contender: reads first, then writes."""
    results = {client.name: {} for client in clients}
    writes = {}
    for op in ops:
        for client in clients:
            if op in ("r2a", "r2c") and client.name not in ("F", "H"):
                continue  # anonymous GETs and their revalidation: Hearth, and F as its floor
            if op in ("w1", "w2") and client.name not in writes:
                writes[client.name] = Writes(client.name)
            run = operation(op, client, writes.get(client.name))
            try:
                traced = operation("r1-page", client, None) if op == "r1" else None
                results[client.name][op] = measure(run, client, budget=budget, traced=traced)
            except Exception as error:  # noqa: BLE001 - a failing contender is reported, not fatal
                results[client.name][op] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return results
