"""Anonymous reads served from the result cache, and never stale after a write."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import CommentStatus, Post, ReactionKind, Role
from cms.services.comments import comment_create, comment_moderate
from cms.services.posts import post_unpublish, post_update
from cms.services.reactions import reaction_add
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post
from tests.support.redis_servers import RedisServer

PAGE = """query($slug: String!) { post(slug: $slug) { title commentCount
  reactions { total } thread { totalCount edges { node { body status } } } } }"""


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _result_cache_on(settings, redis_server):
    """On, in a Redis of the tests' own: the result cache is on only with a shared cache."""
    redis_server.client.flushall()
    settings.CACHES = {"default": redis_server.cache_settings(),
                       "ratelimit": redis_server.cache_settings(KEY_PREFIX="ratelimit")}
    settings.HEARTH_RESULT_CACHE_SECONDS = 300


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`commit(write, ...)`: run a write and its after-commit work, as when its transaction
    commits in production (the test's own transaction never does)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def site(db):
    editor = make_user("editor", Role.EDITOR)
    post = published_post(make_user("author", Role.AUTHOR))
    first = comment(post, user=editor, body="First!")
    return {"editor": editor, "post": post, "first": first}


def read(post, method="post"):
    client = Client()
    if method == "get":
        response = client.get("/graphql/", {"query": PAGE, "variables": json.dumps(
            {"slug": post.slug})}, headers={"Accept": "application/json"})
    else:
        response = client.post("/graphql/", json.dumps({"query": PAGE,
                               "variables": {"slug": post.slug}}),
                               content_type="application/json")
    assert response.status_code == 200
    return response.json()["data"]["post"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_repeated_anonymous_read_runs_no_sql(site, method):
    first = read(site["post"], method)
    with CaptureQueriesContext(connection) as queries:
        again = read(site["post"], method)
    assert again == first
    assert len(queries) == 0


def result_entries(redis_server) -> list:
    return redis_server.client.keys("*hearth:result:*")


@pytest.mark.parametrize(("query", "data"), [
    ("{ errors: posts { totalCount } }", {"errors": {"totalCount": 2}}),
    ('{ posts { edges { node { title } } } }',
     {"posts": {"edges": [{"node": {"title": '"errors": [1]'}}, {"node": {"title": "Post"}}]}}),
])
def test_an_answer_showing_the_text_errors_without_errors_is_cached(site, redis_server, query,
                                                                    data):
    """Whether an answer has errors is the execution result's to say, not its bytes: a field
    aliased `errors`, or a post titled `"errors":`, is kept like any other answer."""
    published_post(site["post"].author, title='"errors": [1]')
    Post.objects.filter(pk=site["post"].pk).update(title="Post")
    client = GraphQLClient()
    assert client.execute(query)["data"] == data
    assert len(result_entries(redis_server)) == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.execute(query) == {"data": data}
    assert len(queries) == 0


def test_an_answer_with_errors_is_not_cached(site, redis_server):
    """An executed query whose answer has errors (here a resolver refusing its argument)."""
    response = GraphQLClient().post("{ posts(first: -1) { totalCount } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["path"] == ["posts"]
    assert result_entries(redis_server) == []


def test_signed_in_readers_are_never_served_from_the_cache(site):
    reader = GraphQLClient().as_user(site["editor"])
    read(site["post"])
    with CaptureQueriesContext(connection) as queries:
        reader.execute(PAGE, {"slug": site["post"].slug})
    assert len(queries) > 0


def bodies(data):
    return [e["node"]["body"] for e in data["thread"]["edges"]]


def test_no_stale_read_after_a_comment_is_added_approved_or_removed(site, commit):
    post, editor = site["post"], site["editor"]
    read(post)
    guest = commit(comment_create, actor=None, post=post, body="Held back", author_name="G",
                   author_email="g@example.org")
    assert read(post)["commentCount"] == 1  # pending: still one, but re-read after the write
    commit(comment, post, user=editor, body="Second")
    assert bodies(read(post)) == ["First!", "Second"]
    commit(comment_moderate, actor=editor, comment=guest, status=CommentStatus.APPROVED)
    assert bodies(read(post)) == ["First!", "Held back", "Second"]  # in order of writing
    commit(comment_moderate, actor=editor, comment=guest, status=CommentStatus.SPAM)
    assert bodies(read(post)) == ["First!", "Second"]
    assert read(post)["commentCount"] == 2


def test_no_stale_read_after_a_reaction(site, commit):
    post = site["post"]
    assert read(post)["reactions"]["total"] == 0
    commit(reaction_add, subject=post, kind=ReactionKind.LIKE, user=site["editor"])
    assert read(post)["reactions"]["total"] == 1


def test_no_stale_read_after_a_post_is_edited_or_unpublished(site, commit):
    post, editor = site["post"], site["editor"]
    read(post)
    commit(post_update, actor=editor, post=post, title="A better title")
    assert read(post)["title"] == "A better title"
    commit(post_unpublish, actor=editor, post=post)
    assert read(post) is None


def test_a_list_is_not_stale_when_another_post_changes(site, commit):
    query = "{ posts { totalCount edges { node { title } } } }"
    client = GraphQLClient()
    assert client.execute(query)["data"]["posts"]["totalCount"] == 1
    commit(published_post, site["post"].author, title="Fresh")
    assert client.execute(query)["data"]["posts"]["totalCount"] == 2


def test_a_scheduled_post_appears_on_time_despite_the_cache(site):
    query = "{ posts { totalCount } }"
    client = GraphQLClient()
    later = published_post(site["post"].author, title="Later")
    Post.objects.filter(pk=later.pk).update(published_at=timezone.now() + timedelta(seconds=1))
    assert client.execute(query)["data"]["posts"]["totalCount"] == 1
    Post.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    import time

    time.sleep(1.1)  # the entry lived at most until the scheduled time
    assert client.execute(query)["data"]["posts"]["totalCount"] == 2


def test_an_evicted_version_never_brings_back_an_older_answer(site, commit, redis_server):
    """Versions are random tokens: a version key evicted after a write comes back as a new
    token, never as the one the entry of before the write remembers."""
    post = site["post"]
    assert read(post)["title"] == post.title
    commit(post_update, actor=site["editor"], post=post, title="Renamed")
    for key in redis_server.client.keys("*hearth:tag:*"):
        redis_server.client.delete(key)
    assert read(post)["title"] == "Renamed"


def test_no_result_cache_without_a_cache_every_process_shares(site, settings):
    """Each process's memory: a write in one process could not reach another's entries."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "hearth-test-result-cache"}}
    read(site["post"])
    with CaptureQueriesContext(connection) as queries:
        read(site["post"])
    assert len(queries) > 0


PEOPLE = """query($slug: String!) { post(slug: $slug) {
  reactions { reactors { edges { node { displayName avatarUrl } } } }
  thread { edges { node { author { name avatarUrl }
    reactions { reactors { edges { node { displayName } } } } } } } } }"""


def people_on(post) -> tuple[list, list]:
    response = Client().post("/graphql/", json.dumps({"query": PEOPLE,
                                                       "variables": {"slug": post.slug}}),
                             content_type="application/json")
    data = response.json()["data"]["post"]
    return ([edge["node"] for edge in data["reactions"]["reactors"]["edges"]],
            [edge["node"]["author"] for edge in data["thread"]["edges"]],
            [edge["node"]["displayName"] for thread_edge in data["thread"]["edges"]
             for edge in thread_edge["node"]["reactions"]["reactors"]["edges"]])


def test_a_readers_new_name_and_picture_show_at_once_among_reactors_and_comments(site, commit):
    """The reader's comment is on one post, a reaction on another, a reaction to a comment on a
    third: each answer, cached before, shows the new profile right after the change."""
    from cms.services.accounts import account_update

    reader = make_user("reader", Role.SUBSCRIBER)
    commented, reacted = site["post"], published_post(site["editor"])
    on_a_comment = published_post(site["editor"])
    commit(comment, commented, user=reader, body="Mine.")
    commit(reaction_add, subject=reacted, kind=ReactionKind.LIKE, user=reader)
    commit(reaction_add, subject=comment(on_a_comment, user=site["editor"], body="Theirs."),
           kind=ReactionKind.LIKE, user=reader)
    before = {post.pk: people_on(post) for post in (commented, reacted, on_a_comment)}
    assert {"name": reader.display_name, "avatarUrl": None} in before[commented.pk][1]
    assert before[reacted.pk][0] == [{"displayName": reader.display_name, "avatarUrl": None}]
    assert people_on(reacted) == before[reacted.pk]  # served from the cache now

    commit(account_update, actor=reader, display_name="Rita Renamed",
           avatar_url="https://img.example/rita.png")
    renamed = {"name": "Rita Renamed", "avatarUrl": "https://img.example/rita.png"}
    assert renamed in people_on(commented)[1]
    assert people_on(reacted)[0] == [{"displayName": "Rita Renamed",
                                      "avatarUrl": "https://img.example/rita.png"}]
    assert before[on_a_comment.pk][2] == [reader.display_name]
    assert people_on(on_a_comment)[2] == ["Rita Renamed"]
