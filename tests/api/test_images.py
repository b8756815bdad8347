"""The image library over HTTP: uploads by the GraphQL multipart request spec (validation,
metadata stripping, roles, CSRF, body limits), featured images, visibility, the library list,
library images in post bodies, and the files served with immutable caching."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from cms.models import Image, Post
from cms.services.images import image_upload
from cms.services.posts import post_create, post_update
from schema.core.ids import encode_global_id
from tests.conftest import GraphQLClient
from tests.support import images
from tests.support.factories import draft_post, published_post

UPLOAD = """mutation($file: Upload!, $alt: String!) {
  uploadImage(file: $file, alt: $alt) {
    image { id width height alt url srcset small: url(width: 400) }
    errors { field code message }
  }
}"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HEARTH_IMAGE_WIDTHS = [320, 640, 960]
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(content: bytes, *, name: str = "photo.jpg", alt: str = "A loaf on a board",
           headers: dict | None = None, client: Client | None = None, extra: dict | None = None):
    operations = {"query": UPLOAD, "variables": {"file": None, "alt": alt}}
    data = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]}),
            "0": SimpleUploadedFile(name, content, content_type="image/jpeg"), **(extra or {})}
    return (client or Client()).post("/graphql/", data=data, headers=headers or {})


def uploaded(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["uploadImage"]


def token_headers(user) -> dict:
    return GraphQLClient().as_user(user).headers


def as_image(content: bytes) -> PILImage.Image:
    return PILImage.open(io.BytesIO(content))


# Uploads -------------------------------------------------------------------------------------


def test_an_author_uploads_a_photo_its_gps_and_exif_are_gone(users, media_root):
    photo = images.jpeg(64, 48, orientation=6, gps=True)
    assert b"PhoneMaker" in photo and as_image(photo).getexif().get_ifd(0x8825)

    result = uploaded(upload(photo, headers=token_headers(users["author"])))

    assert result["errors"] == []
    image = result["image"]
    assert (image["width"], image["height"]) == (48, 64)  # turned upright by its orientation
    assert image["alt"] == "A loaf on a board"
    stored = Image.objects.get()
    original = default_storage.open(stored.file.name).read()
    assert b"PhoneMaker" not in original and b"taken at home" not in original
    assert b"Exif" not in original
    cleaned = as_image(original)
    assert cleaned.size == (48, 64) and not cleaned.getexif()
    assert stored.uploaded_by == users["author"]
    for width, height, name in stored.renditions:
        rendition = default_storage.open(name).read()
        assert as_image(rendition).format == "WEBP"
        assert as_image(rendition).size == (width, height)
        assert b"PhoneMaker" not in rendition
    assert image["url"] == f"http://testserver/media/{stored.renditions[-1][2]}"
    assert image["srcset"] == f"http://testserver/media/{stored.renditions[0][2]} 48w"


def test_renditions_in_each_width_below_the_original_with_their_sizes(users):
    image = uploaded(upload(images.png(1000, 500), name="wide.png",
                            headers=token_headers(users["editor"])))["image"]

    stored = Image.objects.get()
    assert [(w, h) for w, h, _ in stored.renditions] == [(320, 160), (640, 320), (960, 480),
                                                         (1000, 500)]
    assert stored.format == "PNG" and stored.file.name.endswith("/original.png")
    assert image["srcset"] == ", ".join(f"http://testserver/media/{name} {w}w"
                                        for w, _, name in stored.renditions)
    assert image["small"] == f"http://testserver/media/{stored.renditions[0][2]}"
    assert all(name.startswith(f"images/{stored.digest[:32]}/") for _, _, name in
               stored.renditions)


@pytest.mark.parametrize(("content", "name"), [
    (b"just some text, not a picture", "notes.jpg"),
    (images.jpeg(64, 48)[:300], "truncated.jpg"),
    (images.SVG, "drawing.png"),
    (images.HTML, "page.jpg"),
    (images.of_format("BMP"), "old.bmp"),
    (images.of_format("TIFF"), "scan.jpg"),
    (images.animated_gif(), "moving.gif"),
    (images.png_bomb(), "bomb.png"),
    (images.png_bomb(8_000, 8_000), "smaller-bomb.png"),
    (b"", "empty.jpg"),
], ids=["text", "truncated", "svg", "html", "bmp", "tiff", "animated", "bomb", "bomb-within-"
                                                                             "pillow", "empty"])
def test_what_is_not_an_acceptable_image_is_refused_and_nothing_is_stored(
        users, media_root, settings, content, name):
    settings.HEARTH_IMAGE_MAX_PIXELS = 40_000_000

    result = uploaded(upload(content, name=name, headers=token_headers(users["author"])))

    assert result["image"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "INVALID")]
    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversize_bytes_and_pixels_are_refused_with_the_setting_named(users, settings):
    settings.HEARTH_IMAGE_MAX_BYTES = 1000
    too_heavy = uploaded(upload(images.png(200, 200) + b"\0" * 2000,
                                headers=token_headers(users["author"])))
    settings.HEARTH_IMAGE_MAX_BYTES = 10**7
    settings.HEARTH_IMAGE_MAX_PIXELS = 100 * 100
    too_large = uploaded(upload(images.png(101, 100), headers=token_headers(users["author"])))

    assert "HEARTH_IMAGE_MAX_BYTES" in too_heavy["errors"][0]["message"]
    assert "HEARTH_IMAGE_MAX_PIXELS" in too_large["errors"][0]["message"]
    assert [e["code"] for e in too_heavy["errors"] + too_large["errors"]] == ["INVALID"] * 2
    assert Image.objects.count() == 0


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(users, settings):
    settings.HEARTH_UPLOAD_MAX_BODY_BYTES = 2000

    response = upload(images.png(200, 200) + b"\0" * 4000, headers=token_headers(users["author"]))

    assert response.status_code == 413
    assert "HEARTH_UPLOAD_MAX_BODY_BYTES" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("alt", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"),
                                           ("x" * 501, "INVALID"), ("a\x1bb", "INVALID")])
def test_alt_text_is_required_and_bounded(users, alt, code):
    result = uploaded(upload(images.jpeg(), alt=alt, headers=token_headers(users["author"])))

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("alt", code)]
    assert Image.objects.count() == 0


@pytest.mark.parametrize(("role", "code"), [("subscriber", "FORBIDDEN"),
                                            ("contributor", "FORBIDDEN")])
def test_subscribers_and_contributors_may_not_upload(users, media_root, role, code):
    result = uploaded(upload(images.jpeg(), headers=token_headers(users[role])))

    assert [e["code"] for e in result["errors"]] == [code]
    assert Image.objects.count() == 0 and stored_files(media_root) == []


def test_an_anonymous_upload_is_refused_before_the_body_is_read(db, media_root):
    response = upload(images.jpeg())

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert Image.objects.count() == 0


def test_a_session_upload_needs_its_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["editor"])

    forged = upload(images.jpeg(), client=client)
    client.get("/graphql/", headers={"Accept": "text/html"})  # the playground sets the cookie
    token = client.cookies["csrftoken"].value
    genuine = upload(images.jpeg(), client=client, headers={"X-CSRFToken": token})

    assert forged.status_code == 403
    assert uploaded(genuine)["errors"] == []
    assert Image.objects.count() == 1


def test_a_malformed_multipart_request_gets_a_400(users):
    headers = token_headers(users["author"])
    no_map = Client().post("/graphql/", data={"operations": json.dumps(
        {"query": UPLOAD, "variables": {"file": None, "alt": "x"}})}, headers=headers)
    bad_json = Client().post("/graphql/", data={"operations": "{nope", "map": "{}"},
                             headers=headers)
    batch = Client().post("/graphql/", data={"operations": "[]", "map": "{}"}, headers=headers)

    assert [r.status_code for r in (no_map, bad_json, batch)] == [200, 400, 400]
    assert no_map.json()["errors"]  # `file` is required: the variable was left null
    assert Image.objects.count() == 0


# Featured images -----------------------------------------------------------------------------

CREATE = """mutation($input: CreatePostInput!) {
  createPost(input: $input) { post { id featuredImage { id alt } } errors { field code } }
}"""
UPDATE = """mutation($input: UpdatePostInput!) {
  updatePost(input: $input) { post { featuredImage { id } } errors { field code } }
}"""


def library_image(user, *, alt: str = "A loaf") -> Image:
    return image_upload(actor=user, file=io.BytesIO(images.jpeg()), alt=alt)


def gid(obj) -> str:
    return encode_global_id(type(obj).__name__, obj.pk)


def test_a_post_gets_a_featured_image_keeps_it_and_drops_it(users):
    author = GraphQLClient().as_user(users["author"])
    image = library_image(users["author"])

    created = author.execute(CREATE, {"input": {"title": "Bread", "body": "b",
                                                "featuredImageId": gid(image)}})["data"]
    post_id = created["createPost"]["post"]["id"]
    kept = author.execute(UPDATE, {"input": {"id": post_id, "title": "Bread!"}})["data"]
    dropped = author.execute(UPDATE, {"input": {"id": post_id, "featuredImageId": None}})["data"]

    assert created["createPost"]["post"]["featuredImage"] == {"id": gid(image), "alt": "A loaf"}
    assert kept["updatePost"]["post"]["featuredImage"] == {"id": gid(image)}
    assert dropped["updatePost"]["post"]["featuredImage"] is None


@pytest.mark.parametrize("which", ["other-authors-image", "garbage", "a-post-id", "deleted"])
def test_a_featured_image_the_caller_cannot_see_is_not_found_and_nothing_is_written(
        users, which):
    author = GraphQLClient().as_user(users["author"])
    post = draft_post(users["author"])
    theirs = library_image(users["other_author"])
    value = {"other-authors-image": gid(theirs), "garbage": "bm9wZQ==", "a-post-id": gid(post),
             "deleted": encode_global_id("Image", theirs.pk + 1000)}[which]

    created = author.execute(CREATE, {"input": {"title": "New", "body": "b",
                                                "featuredImageId": value}})["data"]
    updated = author.execute(UPDATE, {"input": {"id": gid(post), "title": "Changed",
                                                "featuredImageId": value}})["data"]

    for payload in (created["createPost"], updated["updatePost"]):
        assert payload == {"post": None, "errors": [{"field": "featuredImageId",
                                                     "code": "NOT_FOUND"}]}
    assert Post.objects.count() == 1
    post.refresh_from_db()
    assert post.title != "Changed" and post.featured_image is None


# Who sees which image ------------------------------------------------------------------------

NODE = "query($id: ID!) { node(id: $id) { ... on Image { id alt width } } }"


def test_an_image_only_a_draft_features_is_hidden_like_the_draft(users):
    image = library_image(users["author"], alt="The secret launch")
    post = draft_post(users["author"], featured_image=image)
    anonymous, other = GraphQLClient(), GraphQLClient().as_user(users["other_author"])
    own = GraphQLClient().as_user(users["author"])
    editor = GraphQLClient().as_user(users["editor"])

    def sees(client) -> bool:
        return client.execute(NODE, {"id": gid(image)})["data"]["node"] is not None

    assert [sees(c) for c in (anonymous, other, own, editor)] == [False, False, True, True]
    published_post(users["author"], featured_image=image)
    assert [sees(c) for c in (anonymous, other)] == [True, True]
    post_update(actor=users["author"], post=post, featured_image=None)


def test_post_featured_image_reads_in_lists_at_constant_sql(users, django_assert_num_queries):
    for n in range(3):
        published_post(users["author"], featured_image=library_image(users["author"],
                                                                     alt=f"Image {n}"))
    query = "{ posts { edges { node { title featuredImage { alt url srcset width } } } } }"

    with django_assert_num_queries(2):  # the page (with its count), the featured images
        data = GraphQLClient().execute(query)["data"]

    alts = [e["node"]["featuredImage"]["alt"] for e in data["posts"]["edges"]]
    assert sorted(alts) == ["Image 0", "Image 1", "Image 2"]


LIBRARY = "query($after: String) { images(first: 2, after: $after) { totalCount " \
          "pageInfo { hasNextPage endCursor } edges { node { alt } } } }"


def test_editors_list_the_whole_library_authors_their_own_others_are_refused(users):
    for n in range(3):
        library_image(users["author"], alt=f"Ann's {n}")
    library_image(users["editor"], alt="Eddie's")

    def library(client):
        return client.execute(LIBRARY, allow_errors=True)

    editor = library(GraphQLClient().as_user(users["editor"]))["data"]["images"]
    author = library(GraphQLClient().as_user(users["author"]))["data"]["images"]
    subscriber = library(GraphQLClient().as_user(users["subscriber"]))
    anonymous = library(GraphQLClient())

    assert editor["totalCount"] == 4 and editor["pageInfo"]["hasNextPage"]
    assert [e["node"]["alt"] for e in editor["edges"]] == ["Eddie's", "Ann's 2"]
    assert author["totalCount"] == 3
    assert subscriber["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# Images in a post body -----------------------------------------------------------------------


def test_a_library_image_in_a_body_gets_its_srcset_and_size(users):
    image = image_upload(actor=users["author"], file=io.BytesIO(images.png(700, 350)),
                         alt="A wide loaf")
    url = f"https://cms.example.com/media/{image.renditions[1][2]}"
    post = post_create(actor=users["author"], title="Loaves", body=f"Look:\n\n![]({url})\n\n"
                       f"![mine](javascript:alert(1)//{image.renditions[0][2]})")

    html = post.html
    srcset = ", ".join(f"https://cms.example.com/media/{n} {w}w" for w, _, n in image.renditions)
    assert f'<img src="{url}" alt="A wide loaf" srcset="{srcset}" width="640" height="320">' \
        in html
    assert "javascript" not in html
    assert html.count("srcset") == 1


# Files ---------------------------------------------------------------------------------------


def test_files_are_served_in_development_with_immutable_caching(users):
    image = library_image(users["author"])
    name = image.renditions[-1][2]

    response = Client().get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content) == default_storage.open(name).read()
    assert Client().get("/media/../config/settings.py").status_code in (400, 404)
