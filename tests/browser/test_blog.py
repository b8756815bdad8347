"""The example blog (examples/blog) in a real Chromium, against a real Hearth server on another
origin: the demo thread, likes, a guest comment held for moderation, then approved."""

import functools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def site():
    """examples/blog served statically on its own origin."""
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


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


@pytest.fixture(scope="module")
def hearth(site, tmp_path_factory):
    """A real Hearth server with a migrated, seeded SQLite database of its own."""
    folder = tmp_path_factory.mktemp("hearth")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'hearth.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(folder / "media"),
           "CORS_ALLOWED_ORIGINS": site, "HEARTH_COMMENT_FLOOD_SECONDS": "0",
           "HEARTH_MUTATION_RATE_LIMIT": "10000", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with serving(env) as url:
        yield {"url": url, "manage": functools.partial(manage, env)}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def open_blog(page, site, api_url):
    page.goto(f"{site}/?api={api_url}&slug={DEMO_SLUG}")
    page.wait_for_selector("body[data-ready]")


def comment_item(page, text: str):
    return page.locator("li.comment", has=page.locator(
        ":scope > .comment-card .comment-body", has_text=text))


NESTING = """
() => [...document.querySelectorAll('li.comment')].map(li => {
  let nested = 0;
  for (let up = li.parentElement.closest('li.comment'); up;
       up = up.parentElement.closest('li.comment')) nested++;
  return [nested, Number(li.dataset.depth)];
})
"""


def graphql(hearth, query: str, variables: dict, token: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 - a local test URL
        hearth["url"], data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def test_the_demo_post_and_its_thread(page, site, hearth):
    open_blog(page, site, hearth["url"])

    assert page.locator("h1.post-title").inner_text() == (
        "What a year of baking bread taught me about patience")
    assert "Ugly loaves are still good toast" in page.locator(".post-body").inner_text()
    assert page.locator(".responses").inner_text() == "10 responses"
    assert page.locator(".post-likes").inner_text() == "5 people like this"
    assert page.locator(".thread > li.comment").count() == 7
    assert page.locator("li.comment").count() == 10
    nesting = page.evaluate(NESTING)
    assert all(nested == depth for nested, depth in nesting)
    assert max(depth for _, depth in nesting) == 2
    answer = comment_item(page, "I mix about a fifth whole wheat")
    flour = comment_item(page, "Do you have a go-to flour?")
    assert flour.locator(":scope > .replies > li.comment").first.inner_text() == (
        answer.inner_text())
    assert answer.locator(".author-badge").first.is_visible()
    starter = comment_item(page, "dig my old starter out")
    assert starter.locator(":scope > .comment-card .comment-likes").inner_text() == (
        "Liked by 2 people")
    assert flour.locator(":scope > .comment-card .comment-likes").inner_text() == (
        "Liked by 1 person")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog-thread.png"), full_page=True)


def test_reads_travel_as_persisted_query_hashes(page, site, hearth):
    open_blog(page, site, hearth["url"])  # registers the page's queries if they are new
    reads = []
    page.on("request", lambda r: reads.append(r.url) if r.url.startswith(hearth["url"]) and
            r.method == "GET" else None)

    page.reload()
    page.wait_for_selector("body[data-ready=true]")

    assert reads
    assert all("extensions=" in url and "query=" not in url for url in reads)


def test_like_and_unlike_a_comment(page, site, hearth):
    open_blog(page, site, hearth["url"])
    hannah = comment_item(page, "The note your friend left")
    button = hannah.locator(":scope > .comment-card .comment-like")
    label = hannah.locator(":scope > .comment-card .comment-likes")
    assert label.inner_text() == ""

    button.click()
    page.wait_for_function("b => b.getAttribute('aria-pressed') === 'true'",
                           arg=button.element_handle())
    assert label.inner_text() == "Liked by 1 person"

    page.reload()
    page.wait_for_selector("body[data-ready]")
    button = comment_item(page, "The note your friend left").locator(
        ":scope > .comment-card .comment-like")
    assert button.get_attribute("aria-pressed") == "true"  # the visitor token was kept
    button.click()
    page.wait_for_function("b => b.getAttribute('aria-pressed') === 'false'",
                           arg=button.element_handle())
    assert comment_item(page, "The note your friend left").locator(
        ":scope > .comment-card .comment-likes").inner_text() == ""


def test_a_guest_comment_waits_for_moderation_then_appears(page, site, hearth):
    open_blog(page, site, hearth["url"])
    form = page.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("My starter is called Gerald. He is thriving.")
    form.locator("input[name=authorName]").fill("Rosa Browser")
    form.locator("input[name=authorEmail]").fill("rosa@example.org")
    form.locator("input[name=authorUrl]").fill("https://rosa.example.org")
    form.locator("button[type=submit]").click()

    mine = comment_item(page, "My starter is called Gerald")
    mine.locator(".pending-notice").wait_for()
    assert "awaiting moderation" in mine.locator(".pending-notice").inner_text()
    comment_id = mine.get_attribute("data-id")

    token = hearth["manage"]("create_token", "maya").strip()
    approved = graphql(hearth, """
        mutation($id: ID!) {
          moderateComment(input: {id: $id, status: APPROVED}) { comment { status } errors { code } }
        }""", {"id": comment_id}, token)
    assert approved["data"]["moderateComment"]["comment"]["status"] == "APPROVED"

    page.reload()
    page.wait_for_selector("body[data-ready]")
    mine = comment_item(page, "My starter is called Gerald")
    assert mine.locator(".pending-notice").is_hidden()
    assert mine.locator(".comment-author").inner_text() == "Rosa Browser"
    assert page.locator(".responses").inner_text() == "11 responses"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog-approved-comment.png"), full_page=True)


def test_a_reply_is_posted_under_its_parent(page, site, hearth):
    open_blog(page, site, hearth["url"])
    parent = comment_item(page, "Pizza stones are the worst")
    parent.locator(":scope > .comment-card .reply-link").click()
    form = parent.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("Mine set off two alarms at once.")
    form.locator("input[name=authorName]").fill("Deep Replier")
    form.locator("input[name=authorEmail]").fill("deep.replier@example.org")
    form.locator("button[type=submit]").click()

    reply = parent.locator(":scope > .replies > li.comment", has_text="two alarms at once")
    reply.wait_for()
    assert reply.get_attribute("data-depth") == "2"
    assert "awaiting moderation" in reply.locator(".pending-notice").inner_text()


def test_a_readable_message_when_the_api_is_down(page, site):
    dead = f"http://127.0.0.1:{free_port()}/graphql/"

    open_blog(page, site, dead)

    alert = page.locator(".api-down")
    assert "could not be loaded" in alert.inner_text()
    assert "not answering" in alert.inner_text()
    assert page.locator("button", has_text="Try again").is_visible()


def test_notify_me_boxes_reach_hearth_and_the_confirmation_link_works(page, site, hearth):
    open_blog(page, site, hearth["url"])
    form = page.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("Tell me when someone answers, please.")
    form.locator("input[name=authorName]").fill("Nora Notify")
    form.locator("input[name=authorEmail]").fill("nora@example.org")
    form.locator("input[name=notifyReplies]").check()
    form.locator("button[type=submit]").click()
    comment_item(page, "Tell me when someone answers").wait_for()
    stored = hearth["manage"]("shell", "-c", "from cms.models import Comment; print(Comment."
                              "objects.get(author_email='nora@example.org').notify_replies)")
    assert stored.split()[-1] == "True"

    box = page.locator("form.subscribe-form")
    box.locator("input[name=email]").fill("nora@example.org")
    box.locator("button").click()
    status = box.locator(".subscribe-status")
    status.wait_for()  # shown when Hearth answered
    assert "Check your inbox" in status.inner_text()
    printed = hearth["manage"]("run_webhooks", "--once")  # the console backend prints it
    link = next(word for word in printed.split() if "/mail/confirm/" in word)
    origin = hearth["url"].removesuffix("/graphql/")
    page.goto(origin + "/mail/confirm/" + link.split("/mail/confirm/", 1)[1])
    page.locator("button[type=submit]").click()
    page.wait_for_selector("text=You will receive new posts by e-mail.")
