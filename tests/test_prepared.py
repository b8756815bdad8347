"""Prepared queries (cms/prepared.py) give what the plain queryset gives, bind new values on
every run, and refuse a build whose values would be frozen into the SQL."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Post
from cms.policies import ANONYMOUS, Reader, visible_posts
from cms.prepared import PreparedQuery
from cms.selectors.posts import post_lookup
from tests.factories import draft_post, published_post


@pytest.fixture
def posts(users):
    now = timezone.now()
    scheduled = published_post(users["author"])
    Post.objects.filter(pk=scheduled.pk).update(published_at=now + timedelta(days=1))
    return {
        "live": published_post(users["author"]),
        "other": published_post(users["other_author"]),
        "draft": draft_post(users["author"]),
        "other_draft": draft_post(users["other_author"]),
        "scheduled": Post.objects.get(pk=scheduled.pk),
    }


FIELDS = [f.attname for f in Post._meta.concrete_fields]


def row(post: Post) -> dict:
    return {name: getattr(post, name) for name in FIELDS}


@pytest.mark.parametrize("reader", [None, "author", "other_author", "editor", "subscriber"])
@pytest.mark.parametrize("field", ["slug", "pk"])
@pytest.mark.parametrize("with_author", [False, True])
def test_post_lookup_finds_what_visible_to_finds(posts, users, reader, field, with_author):
    user = users[reader] if reader else None
    lookup = post_lookup(field, with_author, Reader.of(user), preview=False)
    now = timezone.now()
    for post in posts.values():
        key = getattr(post, field)
        expected = list(visible_posts(Reader.of(user), now=now).filter(**{field: key}))
        found = lookup(key=key, now=now, user=user.pk if user else 0, opened=0)
        assert [row(p) for p in found] == [row(p) for p in expected]
        for p in found:
            with CaptureQueriesContext(connection) as queries:
                assert p.author.pk == p.author_id
            assert len(queries) == (0 if with_author else 1)
            if with_author:  # account fields stay in the database
                assert {"password", "email"} <= p.author.get_deferred_fields()


def test_values_are_bound_on_every_run(posts):
    lookup = post_lookup("slug", False, ANONYMOUS, preview=False)
    now = timezone.now()
    for post in (posts["live"], posts["other"], posts["live"]):
        found = lookup(key=post.slug, now=now, user=0, opened=0)
        assert [p.pk for p in found] == [post.pk]
    assert lookup(key="no-such-post", now=now, user=0, opened=0) == []


def test_the_time_is_a_value_too(posts):
    lookup = post_lookup("slug", False, ANONYMOUS, preview=False)
    scheduled = posts["scheduled"]
    before = lookup(key=scheduled.slug, now=scheduled.published_at - timedelta(seconds=1),
                    user=0, opened=0)
    after = lookup(key=scheduled.slug, now=scheduled.published_at, user=0, opened=0)
    assert before == [] and [p.pk for p in after] == [scheduled.pk]
    assert after[0].published_at == scheduled.published_at  # converted back, aware


def test_a_preview_opens_only_its_post(posts):
    lookup = post_lookup("slug", True, ANONYMOUS, preview=True)
    draft = posts["draft"]
    assert [p.pk for p in lookup(key=draft.slug, now=timezone.now(), user=0,
                                 opened=draft.pk)] == [draft.pk]
    assert lookup(key=draft.slug, now=timezone.now(), user=0, opened=posts["other"].pk) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_thread_compiles_for_its_own_connection(users):
    post = published_post(users["author"])
    lookup = PreparedQuery(lambda slug: Post.objects.filter(slug=slug))
    results = []

    def read():
        try:
            results.append([p.pk for p in lookup(slug=post.slug)])
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert results == [[post.pk]]
    assert [p.pk for p in lookup(slug=post.slug)] == [post.pk]


@pytest.mark.parametrize("build", [
    lambda slug: Post.objects.filter(slug=slug.lower()),  # a changed value
    lambda slug: Post.objects.filter(slug=slug) if slug.islower() else Post.objects.all(),
    lambda slug: Post.objects.extra(where=[f"slug = '{slug}'"]),  # noqa: S610 - the point
])
def test_a_value_that_would_be_frozen_into_the_sql_is_refused(db, build):
    with pytest.raises(ValueError, match="compared with columns"):
        PreparedQuery(build)(slug="a-post")


def test_in_with_a_list_is_refused_and_among_takes_any_number_of_ids(posts):
    with pytest.raises(ValueError, match="compared with columns"):
        PreparedQuery(lambda ids: Post.objects.filter(pk__in=ids))(ids=[1, 2])
    among = PreparedQuery(lambda ids: Post.objects.filter(author__pk__among=ids).order_by("pk"))
    authors = sorted({p.author_id for p in posts.values()})
    for ids in ([], authors[:1], authors, [*authors, 10**9]):
        expected = list(Post.objects.filter(author__pk__in=ids).order_by("pk"))
        assert [p.pk for p in among(ids=ids)] == [p.pk for p in expected]


def test_annotations_come_with_the_rows(posts):
    from django.db.models import Count, Window

    counted = PreparedQuery(lambda author: Post.objects.filter(author_id=author)
                            .annotate(total=Window(Count("pk"))).order_by("pk"))
    author = posts["live"].author_id
    found = counted(author=author)
    assert [p.total for p in found] == [Post.objects.filter(author_id=author).count()] * len(found)


def test_only_plain_values(db):
    with pytest.raises(TypeError, match="lists of ints"):
        PreparedQuery(lambda slug: Post.objects.filter(slug=slug))(slug={"a": 1})


def test_instances_loaded_without_init_behave_as_loaded_ones(posts, users):
    post = Post.objects.defer("body").select_related("author").get(pk=posts["live"].pk)
    assert post._state.adding is False and post._state.db == "default"
    assert post.get_deferred_fields() == {"body"}
    with CaptureQueriesContext(connection) as queries:
        assert post.author.username == users["author"].username  # loaded with the post
        assert post.body == posts["live"].body  # deferred: read on first use
    assert len(queries) == 1
    post.title = "Renamed"
    post.save(update_fields=["title"])  # an update, not an insert
    assert Post.objects.get(pk=post.pk).title == "Renamed"
    post.author_id = users["other_author"].pk
    assert post.author == users["other_author"]  # the cached author is dropped
