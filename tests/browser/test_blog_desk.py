"""The example blog's first-run fixes in Chromium: a CORS refusal is told apart from an outage,
a reader's own pending comment stays after a reload (without Like or Reply), and one like reads
"1 person likes this"."""

import pytest

from tests.browser.test_blog import comment_item, open_blog
from tests.browser.test_desk import patient_server
from tests.support.browser import static_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hearth(site, tmp_path_factory):
    """Hearth allowing the example blog's origin (CORS)."""
    with patient_server(tmp_path_factory.mktemp("blog-desk"),
                        CORS_ALLOWED_ORIGINS=site) as origin:
        yield {"url": f"{origin}/graphql/"}


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(60_000)


@pytest.fixture
def other_origin():
    """examples/blog on an origin Hearth's CORS_ALLOWED_ORIGINS does not list."""
    with static_site() as origin:
        yield origin


def test_a_cors_refusal_is_not_called_an_outage(page, other_origin, hearth):
    page.goto(f"{other_origin}/?api={hearth['url']}")
    page.wait_for_selector("body[data-ready]")
    alert = page.locator(".api-down").inner_text()
    assert "is up but does not let this site" in alert
    assert f"add {other_origin} to its CORS_ALLOWED_ORIGINS" in alert
    assert "not answering" not in alert


def test_my_pending_comment_stays_after_a_reload(page, site, hearth):
    open_blog(page, site, hearth["url"])
    form = page.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("Still waiting for my rye to rise.")
    form.locator("input[name=authorName]").fill("Patient Guest")
    form.locator("input[name=authorEmail]").fill("patient.guest@example.org")
    form.locator("button[type=submit]").click()
    comment_item(page, "Still waiting for my rye").locator(".pending-notice").wait_for()

    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    mine = comment_item(page, "Still waiting for my rye")
    assert "awaiting moderation" in mine.locator(".pending-notice").inner_text()
    assert mine.locator(".comment-author").inner_text() == "Patient Guest"
    assert mine.locator(".comment-like").is_hidden()
    assert mine.locator(".reply-link").is_hidden()


def test_one_like_is_singular(page, site, hearth):
    page.goto(f"{site}/?api={hearth['url']}&slug=notes-from-a-rainy-walk-along-the-canal")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(".post-likes").inner_text() == "1 person likes this"
