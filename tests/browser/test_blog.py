"""The example blog (examples/blog) in a real Chromium, against a real Hearth server on another
origin: the demo thread, likes, a guest comment held for moderation, then approved."""

import functools
import os

import pytest

from cms.management.commands.seed_demo import LOAF_ALT
from tests.support.browser import ARTIFACTS, DEMO_SLUG, free_port, graphql, manage, serving

pytestmark = pytest.mark.browser


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


def test_the_demo_post_and_its_thread(page, site, hearth):
    open_blog(page, site, hearth["url"])

    assert page.locator("h1.post-title").inner_text() == (
        "What a year of baking bread taught me about patience")
    assert "Ugly loaves are still good toast" in page.locator(".post-body").inner_text()
    loaf = page.locator(".featured-image img")  # seed_demo's own picture
    assert loaf.get_attribute("alt") == LOAF_ALT
    assert loaf.get_attribute("srcset").count("w, ") == 4
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
