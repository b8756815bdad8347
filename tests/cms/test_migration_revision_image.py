"""0015 gives each post's latest revision the post's featured image: saving the post again
records no revision for an image that did not change."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = ("cms", "0014_account_mail"), ("cms", "0015_revision_featured_image")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_latest_revision_of_each_post_gets_its_featured_image():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    user = old.get_model("cms", "User").objects.create(username="ann")
    image = old.get_model("cms", "Image").objects.create(
        file="images/x/a.png", digest="a" * 64, format="PNG", width=4, height=3, bytes=10,
        alt="A loaf", uploaded_by=user)
    Post, PostRevision = old.get_model("cms", "Post"), old.get_model("cms", "PostRevision")
    featured = Post.objects.create(title="With", slug="with", author=user, featured_image=image)
    plain = Post.objects.create(title="Without", slug="without", author=user)
    for post in (featured, plain):
        for number in (1, 2):
            PostRevision.objects.create(post=post, number=number, title=post.title)

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    new = executor.loader.project_state([AFTER]).apps
    rows = new.get_model("cms", "PostRevision").objects.order_by("post_id", "number")
    assert list(rows.values_list("post__slug", "number", "featured_image_id")) == [
        ("with", 1, None), ("with", 2, image.pk), ("without", 1, None), ("without", 2, None)]
