"""The image library in the admin: the upload endpoint the drop zone calls (through the upload
service, CSRF-protected), who sees which images, the chooser for the editor, and the post
form's featured image."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cms.models import Image, Post
from cms.services.images import image_upload
from tests.support import images
from tests.support.factories import published_post

UPLOAD = "/admin/cms/image/upload/"


def signed_in(user, **kwargs) -> Client:
    user.is_staff = True
    user.save()
    client = Client(**kwargs)
    client.force_login(user)
    return client


def send(client, content: bytes, alt: str, **headers):
    return client.post(UPLOAD, {"file": SimpleUploadedFile("loaf.jpg", content), "alt": alt},
                       headers=headers)


def test_the_drop_zone_uploads_one_file_per_request_through_the_service(users):
    client = signed_in(users["author"])

    page = client.get(UPLOAD)
    made = send(client, images.jpeg(gps=True), "A loaf")
    refused = send(client, images.SVG, "A drawing")
    no_alt = send(client, images.jpeg(), " ")

    assert page.status_code == 200 and b"hearth-dropzone" in page.content
    image = Image.objects.get()
    assert made.json()["id"] == image.pk and image.uploaded_by == users["author"]
    assert refused.status_code == 400 and "not an image" in refused.json()["errors"][0]
    assert no_alt.status_code == 400 and "alt text" in no_alt.json()["errors"][0]


def test_the_upload_endpoint_checks_the_csrf_token(users):
    client = signed_in(users["editor"], enforce_csrf_checks=True)
    token = client.get(UPLOAD).cookies["csrftoken"].value

    forged = send(client, images.jpeg(), "A loaf")
    genuine = send(client, images.jpeg(), "A loaf", X_CSRFToken=token)

    assert forged.status_code == 403
    assert genuine.status_code == 200
    assert Image.objects.count() == 1


def test_contributors_cannot_upload_and_authors_see_only_their_own_images(users):
    image_upload(actor=users["author"], file=SimpleUploadedFile("a.png", images.png()),
                 alt="Ann's")
    image_upload(actor=users["editor"], file=SimpleUploadedFile("e.png", images.png(10, 10)),
                 alt="Eddie's")

    refused = send(signed_in(users["contributor"]), images.jpeg(), "A loaf")
    author = signed_in(users["author"]).get(reverse("admin:cms_image_chooser")).json()
    editor = signed_in(users["editor"]).get(reverse("admin:cms_image_chooser") + "?q=ann").json()

    assert refused.status_code == 403 and Image.objects.count() == 2
    assert [i["alt"] for i in author["images"]] == ["Ann's"]
    assert [i["alt"] for i in editor["images"]] == ["Ann's"]
    assert editor["images"][0]["markdown"].startswith("![Ann's](http://testserver/media/images/")


def test_the_post_form_sets_the_featured_image_through_the_service(users):
    post = published_post(users["editor"])
    image = image_upload(actor=users["editor"], file=SimpleUploadedFile("a.png", images.png()),
                         alt="A wide loaf")
    client = signed_in(users["editor"])
    url = reverse("admin:cms_post_change", args=[post.pk])
    form = client.get(url)
    data = {"title": post.title, "slug": post.slug, "excerpt": "", "body": post.body,
            "featured_image": image.pk, "comments_open": "on", "status": "published",
            "published_at_0": post.published_at.strftime("%Y-%m-%d"),
            "published_at_1": post.published_at.strftime("%H:%M:%S")}

    saved = client.post(url, data)

    assert form.status_code == 200 and b'name="featured_image"' in form.content
    assert saved.status_code == 302, saved.content[:3000]
    assert Post.objects.get(pk=post.pk).featured_image == image
    assert b'alt="A wide loaf"' in client.get(url).content


@pytest.mark.parametrize("alt", ["A [bracketed] loaf", "Back\\slash\nand newline"])
def test_the_chooser_markdown_keeps_the_alt_text_intact(users, alt):
    from cms.rendering import render_markdown

    image_upload(actor=users["editor"], file=SimpleUploadedFile("a.png", images.png()), alt=alt)
    chooser = signed_in(users["editor"]).get(reverse("admin:cms_image_chooser")).json()

    html = render_markdown(chooser["images"][0]["markdown"])

    assert f'alt="{" ".join(alt.split())}"' in html
