"""Prepared queries (cms/prepared.py) give what the plain queryset gives, bind new values on
every run, and refuse a build whose values would be frozen into the SQL."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Comment, Post, User
from cms.policies import ANONYMOUS, Reader, visible_posts
from cms.prepared import Among, PreparedQuery
from cms.selectors.pagination import PageArgs
from cms.selectors.posts import post_list, post_lookup
from tests.support.factories import comment, draft_post, published_post


@pytest.fixture(autouse=True)
def prepared_on(settings):
    """These tests are about preparation: on, whatever CI's environment says."""
    settings.HEARTH_PREPARED_QUERIES = True


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


@pytest.mark.parametrize("reader", [None, "author", "editor"])
@pytest.mark.parametrize("oldest_first", [False, True])
def test_the_plain_post_list_is_prepared_and_pages_as_the_filtered_one(posts, users, reader,
                                                                        oldest_first):
    """Without filters the list runs prepared; with an empty filter it is the same list, run
    as a plain queryset: both give the same posts, cursors, pages and totals."""
    viewer = Reader.of(users[reader] if reader else None)
    for args in (PageArgs(first=2, after=None, last=None, before=None),
                 PageArgs(first=2, after=1, last=None, before=None),
                 PageArgs(first=50, after=None, last=None, before=None)):
        with CaptureQueriesContext(connection) as queries:
            plain = post_list(reader=viewer, args=args, oldest_first=oldest_first, with_text=())
        assert len(queries) == 1
        assert all({"body", "html"} <= p.get_deferred_fields() for p in plain.rows)
        through_filters = post_list(reader=viewer, args=args, oldest_first=oldest_first,
                                    with_text=(), search=" ")
        assert [row(p) for p in plain.rows] == [row(p) for p in through_filters.rows]
        assert plain.cursors == through_filters.cursors
        assert (plain.has_next, plain.has_previous, plain.total) == (
            through_filters.has_next, through_filters.has_previous, through_filters.total)
        assert all(p.author.pk == p.author_id for p in plain.rows)


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


def test_in_with_a_list_is_refused_and_among_takes_any_number_of_ids(posts, users):
    with pytest.raises(ValueError, match="compared with columns"):
        PreparedQuery(lambda ids: Post.objects.filter(pk__in=ids))(ids=[1, 2])
    top = comment(posts["live"], user=users["subscriber"])
    replies = [comment(posts["live"], user=users["subscriber"], parent=top) for _ in range(2)]
    other = comment(posts["other"], user=users["subscriber"])
    ids = [top.pk, *(r.pk for r in replies), other.pk]
    by_pk = PreparedQuery(lambda ids: Comment.objects.filter(pk__among=ids).order_by("pk"))
    by_parent = PreparedQuery(lambda ids: Comment.objects.filter(parent_id__among=ids)
                              .order_by("pk"))
    for chosen in ([], ids[:1], ids, [*ids, 10**9]):
        assert [c.pk for c in by_pk(ids=chosen)] == sorted(
            Comment.objects.filter(pk__in=chosen).values_list("pk", flat=True))
        assert [c.pk for c in by_parent(ids=chosen)] == sorted(
            Comment.objects.filter(parent_id__in=chosen).values_list("pk", flat=True))


def test_among_is_a_lookup_of_the_fields_that_use_it_only(db):
    """Registered in CmsConfig.ready() on the comment's id and parent, not on every field."""
    assert Comment._meta.get_field("id").get_lookup("among") is Among
    assert Comment._meta.get_field("parent").get_lookup("among") is Among
    for field in (Post._meta.get_field("id"), Comment._meta.get_field("post"),
                  User._meta.get_field("id")):
        assert field.get_lookup("among") is None
    with pytest.raises(FieldError, match="among"):
        list(Post.objects.filter(pk__among=[1]))


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


def test_prepared_instances_behave_as_loaded_ones(posts, users):
    """The runner makes instances without `__init__`; they behave as Django's own."""
    live = posts["live"]
    lookup = PreparedQuery(lambda pk: Post.objects.defer("body").select_related("author")
                           .defer("author__email").filter(pk=pk))
    [post] = lookup(pk=live.pk)
    assert post._state.adding is False and post._state.db == "default"
    assert post.get_deferred_fields() == {"body"}
    assert post.author.get_deferred_fields() == {"email"}
    assert post.author._state.adding is False and post.author._state.db == "default"
    with CaptureQueriesContext(connection) as queries:
        assert post.author.username == users["author"].username  # loaded with the post
        assert post.body == live.body  # deferred: read on first use
    assert len(queries) == 1
    post.title = "Renamed"
    post.save(update_fields=["title"])  # an update, not an insert
    assert Post.objects.get(pk=post.pk).title == "Renamed"
    post.author_id = users["other_author"].pk
    assert post.author == users["other_author"]  # the cached author is dropped


def test_models_load_as_django_loads_them_outside_prepared_queries(posts, users):
    """No model skips `Model.__init__`: a post_init receiver sees every instance a queryset
    makes; only the prepared-query runner builds its own."""
    comment(posts["live"], user=users["subscriber"])
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(type(instance))

    post_init.connect(receiver)
    try:
        list(Post.objects.select_related("author").filter(pk=posts["live"].pk))
        list(Comment.objects.all()[:1])
        assert seen == [Post, User, Comment]
        seen.clear()
        PreparedQuery(lambda pk: Post.objects.select_related("author").filter(pk=pk))(
            pk=posts["live"].pk)
        assert seen == []
    finally:
        post_init.disconnect(receiver)


@pytest.mark.parametrize("prepared", [True, False])
def test_switched_off_a_prepared_query_runs_its_queryset(posts, settings, prepared):
    settings.HEARTH_PREPARED_QUERIES = prepared
    build_calls = []

    def build(author):
        build_calls.append(author)
        return Post.objects.filter(author_id=author).order_by("pk")

    lookup = PreparedQuery(build)
    author = posts["live"].author_id
    for _ in range(3):
        assert [p.pk for p in lookup(author=author)] == list(
            Post.objects.filter(author_id=author).order_by("pk").values_list("pk", flat=True))
    # Prepared: built twice (two rounds of markers) once; plain: built on every call.
    assert len(build_calls) == (2 if prepared else 3)
