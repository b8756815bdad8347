"""The editor's desk in Chromium, against a real Hearth (DEBUG, so it serves the example blog at
/blog/): the start page; uploading images, writing a post in the editor with one of them
picked from the library and seen in the live preview and as featured image, previewing
the draft on the blog, publishing, reading it there with both images' srcset, editing the body
and the featured image, comparing and restoring a revision, trashing and restoring it; and
moderating from the desk (count, row actions, reply). Each screen is saved in
test-artifacts/."""

import os
import re
import subprocess
import sys
from contextlib import contextmanager

import pytest

from tests.support import images
from tests.support.browser import ARTIFACTS, ROOT, free_port, manage, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "desk-browser-password-1"
CREATE_ADMIN = f"""
from django.contrib.auth.models import Group
from cms.models import User
user = User.objects.create_superuser("deskadmin", "desk@example.org", {PASSWORD!r},
                                     display_name="Desk Admin")
user.groups.add(Group.objects.get(name="administrator"))
"""


@contextmanager
def patient_server(work, **settings):
    """A seeded Hearth in DEBUG on a free port, given two minutes to start (the machine may be
    busy): yields its origin."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(work / "media"),
           "HEARTH_COMMENT_FLOOD_SECONDS": "0", "HEARTH_MUTATION_RATE_LIMIT": "10000",
           "PYTHONUNBUFFERED": "1", **settings}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "shell", "-c", CREATE_ADMIN)
    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
                               "--noreload"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{origin}/graphql/?query=%7B__typename%7D", seconds=120)
        yield origin
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def hearth(tmp_path_factory):
    with patient_server(tmp_path_factory.mktemp("desk")) as origin:
        yield origin


@pytest.fixture(autouse=True)
def _patient(page):  # a busy machine: the admin's pages can take seconds
    page.set_default_timeout(60_000)


def shot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def sign_in(page, origin: str) -> None:
    page.goto(f"{origin}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "deskadmin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form#login-form button[type=submit], form#login-form [type=submit]").first.click()
    page.wait_for_url(f"{origin}/admin/")


def test_the_start_page_says_what_runs_and_where_to_go(page, hearth):
    page.goto(f"{hearth}/")
    assert page.locator("h1").inner_text().endswith("Hearth is running")
    for door in ["#door-playground", "#door-admin", "#door-blog"]:
        assert page.locator(f"{door} a").first.is_visible()
    assert "maya" in page.locator("#door-admin").inner_text()
    shot(page, "landing.png")
    page.locator("#door-blog a").click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("h1.post-title").inner_text().startswith("What a year of baking bread")
    assert page.locator(".post-likes").inner_text() == "5 people like this"


def preview_text(page, selector: str) -> str:
    return page.frame_locator(".hearth-editor-preview").locator(selector).inner_text()


def upload(page, origin: str, files: dict[str, bytes]) -> dict[str, str]:
    """Upload images through the admin's file chooser (the drop zone is test_media's): the new
    images' ids by alt text, which is each file's name."""
    page.goto(f"{origin}/admin/cms/image/upload/")
    page.locator("#image-upload input[type=file]").set_input_files([
        {"name": f"{alt}.png", "mimeType": "image/png", "buffer": data}
        for alt, data in files.items()])
    page.click("#image-upload input[type=submit]")
    page.wait_for_selector("#image-upload[data-finished]")
    assert page.locator("#image-upload").get_attribute("data-finished") == "all"
    done = page.locator(".hearth-uploads li.is-done")
    return {done.nth(n).locator("input[name=alt]").input_value():
            done.nth(n).get_attribute("data-image-id") for n in range(done.count())}


def featured_alt(page) -> str:
    image = page.locator(".featured-image img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    assert "320w" in image.get_attribute("srcset")
    return image.get_attribute("alt")


def test_write_preview_publish_read_edit_diff_restore_trash(page, hearth):
    sign_in(page, hearth)
    ids = upload(page, hearth, {"rye loaf": images.png(1400, 900),
                                "rye starter": images.jpeg(1000, 1000, color="tan")})
    assert sorted(ids) == ["rye loaf", "rye starter"]
    shot(page, "upload-chosen.png")

    page.goto(f"{hearth}/admin/cms/post/add/")
    page.fill("#id_title", "Notes on rye")
    body = page.locator(".hearth-editor textarea")
    body.fill("Rye is *stubborn*.\n\nIt needs time.")
    page.locator(".hearth-editor-toolbar [data-md=heading]").click()  # on the last line
    body.press("End")
    page.frame_locator(".hearth-editor-preview").locator(".post-body h2").wait_for()
    assert preview_text(page, ".post-body h2") == "It needs time."
    assert preview_text(page, ".post-body em") == "stubborn"
    assert preview_text(page, ".post-title") == "Notes on rye"
    # The blog's typography, not the admin's: the preview's h2 is the blog's serif heading.
    family = page.frame_locator(".hearth-editor-preview").locator(".post-body h2").evaluate(
        "h => getComputedStyle(h).fontFamily")
    assert "serif" in family.lower() or "georgia" in family.lower()
    # An image from the library, at the cursor; the preview shows it with its renditions.
    page.locator(".hearth-editor-toolbar [data-library]").click()
    page.fill(".hearth-editor-library input[type=search]", "loaf")
    page.locator(".hearth-editor-image[title='rye loaf']").click()
    assert re.search(r"\n\n!\[rye loaf\]\(http://[^)]+/media/images/[0-9a-f]{32}/960w-[^)]+"
                     r"\.webp\)\n\n$", body.input_value())
    in_preview = page.frame_locator(".hearth-editor-preview").locator(".post-body img")
    in_preview.wait_for()
    assert in_preview.get_attribute("alt") == "rye loaf"
    assert "320w" in in_preview.get_attribute("srcset")
    page.fill("#id_featured_image", ids["rye loaf"])
    # The admin's sidebar is fixed: a full-page picture would draw it mid-page.
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".hearth-editor").scroll_into_view_if_needed()
    shot(page, "editor.png", full_page=False)
    page.locator("[name=_continue]").click()
    page.wait_for_url(re.compile(r".*/admin/cms/post/\d+/change/.*"))
    post_id = re.search(r"/post/(\d+)/change/", page.url).group(1)

    # The draft, previewed on the example blog through the admin's link.
    preview = page.locator("a", has_text="Preview on the site").get_attribute("href")
    page.goto(f"{hearth}{preview}" if preview.startswith("/") else preview)
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("h1.post-title").inner_text() == "Notes on rye"
    assert "not published yet" in page.locator(".post-meta").inner_text()

    # Publish, then read it on the blog: the featured image and the one in the body, each with
    # its srcset.
    page.goto(f"{hearth}/admin/cms/post/{post_id}/change/")
    page.select_option("#id_status", "published")
    page.locator("[name=_continue]").click()
    page.wait_for_url(re.compile(rf".*/admin/cms/post/{post_id}/change/.*"))
    page.goto(f"{hearth}/blog/?slug=notes-on-rye")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(".post-body h2").inner_text() == "It needs time."
    assert featured_alt(page) == "rye loaf"
    in_body = page.locator(".post-body img")
    assert in_body.get_attribute("alt") == "rye loaf"
    assert "960w" in in_body.get_attribute("srcset")
    shot(page, "blog-post-with-images.png")

    # Edit the body and the featured image, compare the two revisions, restore the first.
    page.goto(f"{hearth}/admin/cms/post/{post_id}/change/")
    page.locator(".hearth-editor textarea").fill("Rye is *patient*.\n\n## It needs time.")
    page.fill("#id_featured_image", ids["rye starter"])
    page.locator("[name=_continue]").click()
    page.wait_for_url(re.compile(rf".*/admin/cms/post/{post_id}/change/.*"))
    page.locator("a", has_text="Revisions").first.click()
    page.wait_for_url(re.compile(r".*/revisions/$"))
    assert page.locator("#revisions tbody tr").count() == 2
    page.locator("button", has_text="Compare the chosen revisions").click()
    page.wait_for_url(re.compile(r".*/revisions/diff/.*"))
    assert page.locator("tr.desk-del", has_text="Rye is *stubborn*.").count() == 1
    assert page.locator("tr.desk-add", has_text="Rye is *patient*.").count() == 1
    featured = page.locator("section[data-field='featured image']")
    assert featured.locator("tr.desk-del").inner_text().strip().endswith(
        f"Image #{ids['rye loaf']}: rye loaf")
    assert featured.locator("tr.desk-add").inner_text().strip().endswith(
        f"Image #{ids['rye starter']}: rye starter")
    assert featured.locator("img.hearth-thumb").count() == 2
    shot(page, "revisions-diff.png")
    # Revision 1 as the site would show it, restored from there.
    page.locator("a", has_text="All revisions").click()
    page.locator("#revisions a", has_text="#1").click()
    old_body = page.frame_locator(".desk-revision-preview").locator(".post-body img")
    assert "320w" in old_body.get_attribute("srcset")
    assert page.locator("#revision-fields", has_text="rye loaf").count() == 1
    shot(page, "revision.png")
    page.locator("button", has_text="Restore revision #1").click()
    page.wait_for_url(re.compile(r".*/revisions/$"))
    assert page.locator("#revisions tbody tr").count() == 3
    assert "Restored revision 1." in page.locator("#revisions tbody tr").first.inner_text()
    page.goto(f"{hearth}/blog/?slug=notes-on-rye")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(".post-body em").inner_text() == "stubborn"
    assert featured_alt(page) == "rye loaf"

    # Trash: gone from the blog; restored: back.
    page.goto(f"{hearth}/admin/cms/post/{post_id}/change/")
    page.locator("a", has_text="Move to the trash").click()
    page.locator("button", has_text="Move to the trash").click()
    page.wait_for_url(re.compile(r".*state=trash"))
    assert page.locator("#result_list", has_text="Notes on rye").count() == 1
    page.goto(f"{hearth}/blog/?slug=notes-on-rye")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("h1").inner_text() == "Nothing here"
    page.goto(f"{hearth}/admin/cms/post/{post_id}/untrash/")
    page.locator("button", has_text="Restore").click()
    page.goto(f"{hearth}/blog/?slug=notes-on-rye")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("h1.post-title").inner_text() == "Notes on rye"


def test_moderate_from_the_desk(page, hearth):
    sign_in(page, hearth)
    assert page.locator("#desk-pending .desk-card-number").inner_text() == "1"
    assert page.locator(".desk-pending").first.inner_text() == "1"
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"{hearth}/admin/cms/comment/")
    rows = page.locator("#result_list tbody tr")
    assert "A Month in the Country" in rows.first.inner_text()  # the demo's last, newest first
    shot(page, "moderation-desk.png")

    held = page.locator("#result_list tbody tr", has_text="First time here")
    held.locator("a.desk-reply").click()
    page.fill("textarea[name=body]", "Welcome! About a **week or two**; keep feeding it.")
    page.locator("button", has_text="Publish the reply").click()
    page.wait_for_url(re.compile(r".*/admin/cms/comment/$"))
    assert page.locator(".desk-pending").first.inner_text() == "0"
    reply = page.locator("#result_list tbody tr").first
    assert "Welcome! About a" in reply.inner_text() and "Approved" in reply.inner_text()

    aiko = page.locator("#result_list tbody tr", has_text="Ugly loaves are still good toast")
    aiko.locator("button.desk-spam").click()
    page.wait_for_url(re.compile(r".*/admin/cms/comment/.*"))
    aiko = page.locator("#result_list tbody tr", has_text="Ugly loaves are still good toast")
    assert "Spam" in aiko.inner_text()
    aiko.locator("button.desk-approved").click()
    page.wait_for_url(re.compile(r".*/admin/cms/comment/.*"))
    assert "Approved" in page.locator("#result_list tbody tr",
                                      has_text="Ugly loaves are still good toast").inner_text()

    page.goto(f"{hearth}/blog/?slug=what-a-year-of-bread-taught-me")
    page.wait_for_selector("body[data-ready=true]")
    question = page.locator("li.comment", has=page.locator(
        ":scope > .comment-card .comment-body", has_text="First time here"))
    answer = question.locator(":scope > .replies > li.comment").first
    assert "week or two" in answer.inner_text()
    # Signed in as deskadmin, who did not write the post: no author badge.
    assert answer.locator(".author-badge").first.is_hidden()
