"""Images in a real Chromium: the admin's drag-and-drop upload of several files, the library's
thumbnails, and a featured image on the example blog with its srcset, from a real Hearth."""

import base64
import functools
import os

import pytest

from cms.management.commands.seed_demo import LOAF_ALT
from tests.support import images
from tests.support.browser import ARTIFACTS, DEMO_SLUG, graphql, manage, serving

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture(scope="module")
def hearth(site, tmp_path_factory):
    """Hearth with a database and media folder of its own, and a superuser to sign in as."""
    folder = tmp_path_factory.mktemp("hearth-media")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(folder / "media"), "CORS_ALLOWED_ORIGINS": site,
           "HEARTH_MUTATION_RATE_LIMIT": "10000", "PYTHONUNBUFFERED": "1",
           "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with serving(env) as url:
        manage(env, "createsuperuser", "--noinput", "--username", "boss",
               "--email", "boss@example.com")
        yield {"url": url, "root": url.removesuffix("graphql/"),
               "manage": functools.partial(manage, env)}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


DROP = """([zone, files]) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, { type: f.type }));
  }
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
                                             cancelable: true }));
  }
}"""


def sign_in(page, hearth):
    page.goto(hearth["root"] + "admin/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(hearth["root"] + "admin/")


def test_images_are_uploaded_in_the_admin_by_drag_and_drop(page, hearth):
    sign_in(page, hearth)
    page.goto(hearth["root"] + "admin/cms/image/upload/")
    files = [{"name": "sourdough-crumb.jpg", "type": "image/jpeg",
              "data": base64.b64encode(images.jpeg(1200, 800, gps=True)).decode()},
             {"name": "starter-jar.png", "type": "image/png",
              "data": base64.b64encode(images.png(640, 960)).decode()}]

    page.evaluate(DROP, [page.locator(".hearth-dropzone").element_handle(), files])
    rows = page.locator(".hearth-uploads li")
    assert rows.count() == 2
    rows.nth(0).locator("input[name=alt]").fill("The open crumb of a sourdough loaf")
    rows.nth(1).locator("input[name=alt]").fill("A jar of bubbling starter")
    page.click("#image-upload input[type=submit]")
    page.wait_for_selector("#image-upload[data-finished]")

    assert page.locator("#image-upload").get_attribute("data-finished") == "all"
    assert page.locator(".hearth-uploads li.is-done").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)

    page.goto(hearth["root"] + "admin/cms/image/")
    thumbnails = page.locator("img.hearth-thumb")
    assert thumbnails.count() == 3  # and the demo's own
    page.wait_for_function("() => [...document.querySelectorAll('img.hearth-thumb')]"
                           ".every((img) => img.complete && img.naturalWidth > 0)")
    assert sorted(thumbnails.evaluate_all("els => els.map(e => e.alt)")) == [
        "A jar of bubbling starter", LOAF_ALT, "The open crumb of a sourdough loaf"]
    page.screenshot(path=str(ARTIFACTS / "image-library.png"), full_page=True)


UPLOAD_AS_MAYA = """
import io
from cms.models import User
from cms.services.images import image_upload
from tests.support.images import jpeg
image_upload(actor=User.objects.get(username="maya"), file=io.BytesIO(jpeg(1600, 900)),
             alt="Loaves cooling on a rack")
"""


def test_the_example_blog_shows_a_featured_image_with_its_srcset(page, site, hearth):
    token = hearth["manage"]("create_token", "maya").strip()
    found = graphql(hearth, "query($slug: String!) { post(slug: $slug) { id } }",
                    {"slug": DEMO_SLUG}, token)
    post_id = found["data"]["post"]["id"]
    hearth["manage"]("shell", "-c", UPLOAD_AS_MAYA)
    featured = graphql(hearth, "{ images(first: 1) { edges { node { id } } } }", {}, token)
    image_id = featured["data"]["images"]["edges"][0]["node"]["id"]
    updated = graphql(hearth, """mutation($id: ID!, $image: ID!) {
        updatePost(input: {id: $id, featuredImageId: $image}) { errors { code } } }""",
                      {"id": post_id, "image": image_id}, token)
    assert updated["data"]["updatePost"]["errors"] == []

    page.goto(f"{site}/?api={hearth['url']}&slug={DEMO_SLUG}")
    page.wait_for_selector("body[data-ready]")
    image = page.locator(".featured-image img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())

    srcset = image.get_attribute("srcset")
    candidates = [c.split() for c in srcset.split(", ")]
    assert len(candidates) >= 2
    assert all(url.startswith(hearth["root"] + "media/images/") and url.endswith(".webp")
               and width.endswith("w") for url, width in candidates)
    assert image.get_attribute("alt") == "Loaves cooling on a rack"
    assert int(image.get_attribute("width")) > 0 and int(image.get_attribute("height")) > 0
    assert image.evaluate("img => img.currentSrc").startswith(hearth["root"] + "media/images/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog-featured-image.png"))
