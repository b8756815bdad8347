"""The example blog live (issue 14): two readers on the same post in a real Chromium, one
comments and likes, the other sees it without a reload, and sees a moderator's approval, edit
and removal too. Hearth is served as `make run` serves it (`runserver`, which is Daphne's: ASGI,
so the WebSocket works), on another origin than the blog."""

import functools
import os

import pytest

from tests.browser.test_blog import comment_item, open_blog
from tests.support.browser import graphql, manage, serving

pytestmark = pytest.mark.browser

MODERATE = """mutation($id: ID!, $status: CommentStatus!) {
  moderateComment(input: {id: $id, status: $status}) { errors { code } } }"""
EDIT = """mutation($id: ID!, $body: String!) { editComment(input: {id: $id, body: $body}) {
  errors { code } } }"""


@pytest.fixture(scope="module")
def hearth(site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hearth-live")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'hearth.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(folder / "media"),
           "CORS_ALLOWED_ORIGINS": site, "HEARTH_COMMENT_FLOOD_SECONDS": "0",
           "HEARTH_MUTATION_RATE_LIMIT": "10000", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("REDIS_URL", None)
    with serving(env) as url:
        yield {"url": url, "manage": functools.partial(manage, env)}


def reader(browser):
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    return page


def test_what_one_reader_does_the_other_sees_without_a_reload(browser, site, hearth):
    writer, watcher = reader(browser), reader(browser)
    for page in (writer, watcher):
        open_blog(page, site, hearth["url"])
        page.wait_for_selector("body[data-live=true]")
    watcher.evaluate("window.notReloaded = true")

    # A like on the post, then on a comment.
    writer.locator(".post-like").click()
    watcher.wait_for_function("document.querySelector('.post-likes').textContent"
                              " === '6 people like this'")
    starter = "dig my old starter out"
    comment_item(writer, starter).locator(":scope > .comment-card .comment-like").click()
    comment_item(watcher, starter).locator(
        ":scope > .comment-card .comment-likes", has_text="Liked by 3 people").wait_for()

    # A guest's comment waits for moderation: only its writer sees it; approved, everyone does.
    form = writer.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("Live from the other tab.")
    form.locator("input[name=authorName]").fill("Tab One")
    form.locator("input[name=authorEmail]").fill("tab.one@example.org")
    form.locator("button[type=submit]").click()
    mine = comment_item(writer, "Live from the other tab.")
    mine.locator(".pending-notice").wait_for()
    comment_id = mine.get_attribute("data-id")
    token = hearth["manage"]("create_token", "maya").strip()
    assert comment_item(watcher, "Live from the other tab.").count() == 0
    graphql(hearth, MODERATE, {"id": comment_id, "status": "APPROVED"}, token)
    seen = comment_item(watcher, "Live from the other tab.")
    seen.wait_for()
    assert seen.locator(".comment-author").inner_text() == "Tab One"
    watcher.wait_for_function("document.querySelector('.responses').textContent"
                              " === '11 responses'")
    mine.locator(".pending-notice").wait_for(state="hidden")

    # A moderator's edit, then its removal.
    graphql(hearth, EDIT, {"id": comment_id, "body": "Live, and edited."}, token)
    comment_item(watcher, "Live, and edited.").wait_for()
    graphql(hearth, MODERATE, {"id": comment_id, "status": "TRASH"}, token)
    watcher.locator(f"li[data-id='{comment_id}']").wait_for(state="detached")
    watcher.wait_for_function("document.querySelector('.responses').textContent"
                              " === '10 responses'")
    assert watcher.evaluate("window.notReloaded") is True
