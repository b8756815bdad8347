"""Writes racing each other: a post deleted while a comment or a reaction is on its way (the
window is opened deterministically), and one author's comments to many posts at once (real
threads, each with its own database connection)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from cms.errors import DomainError
from cms.models import Comment, Post
from cms.services import comments as comment_services
from cms.services.comments import comment_create
from cms.services.posts import post_delete
from schema.core import lookups
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import ADD_COMMENT, REACT, gid, guest, payload, row_counts


def deleted_after_the_visibility_check(monkeypatch, users, loader: str):
    """Make `loader` (the mutation's last visibility check) delete the post right after it found
    its object, as a concurrent deletePost committing in that moment would."""
    real = getattr(lookups, loader)

    def load_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        post = found if isinstance(found, Post) else found.post
        post_delete(actor=users["author"], post=post)
        return found

    monkeypatch.setattr(lookups, loader, load_then_delete)


def not_found(client, document: str, variables: dict, name: str, field: str) -> None:
    """NOT_FOUND, and nothing written (the deletion, made in the same transaction, rolls back
    with it)."""
    before = row_counts()
    result = payload(client.execute(document, variables), name)
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("NOT_FOUND", field)]
    assert row_counts() == before


def test_a_comment_to_a_post_deleted_meanwhile_is_not_found(gql, monkeypatch, users):
    post = factories.published_post(users["author"])
    deleted_after_the_visibility_check(monkeypatch, users, "visible_post")
    not_found(gql, ADD_COMMENT, {"input": guest(post)}, "addComment", "postId")


def test_a_reply_to_a_post_deleted_meanwhile_is_not_found(monkeypatch, users):
    post = factories.published_post(users["author"])
    parent = factories.comment(post, user=users["editor"])
    real = comment_services.comment_create

    def delete_then_create(**kwargs):  # after every check of the mutation, before the service's
        post_delete(actor=users["author"], post=kwargs["post"])
        return real(**kwargs)

    monkeypatch.setattr(comment_services, "comment_create", delete_then_create)
    client = GraphQLClient().as_user(users["subscriber"])
    not_found(client, ADD_COMMENT, {"input": {"postId": gid(post), "parentId": gid(parent),
                                              "body": "Too late."}}, "addComment", "postId")


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_reaction_to_a_post_deleted_meanwhile_is_not_found(monkeypatch, users, signed_in):
    post = factories.published_post(users["author"])
    deleted_after_the_visibility_check(monkeypatch, users, "visible_post")
    client = GraphQLClient().as_user(users["subscriber"]) if signed_in else GraphQLClient()
    not_found(client, REACT, {"input": {"subjectId": gid(post)}}, "react", "subjectId")


def test_a_reaction_to_a_comment_of_a_post_deleted_meanwhile_is_not_found(gql, monkeypatch,
                                                                          users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["editor"])
    deleted_after_the_visibility_check(monkeypatch, users, "visible_comment")
    not_found(gql, REACT, {"input": {"subjectId": gid(comment)}}, "react", "subjectId")


def comment_at_once(authors: list[dict], posts: list[Post]) -> list[str]:
    """Each author's comment to its post, all sent at the same moment from threads with their own
    connections: "accepted" or the refusal's code, in order."""
    results: list[str] = [""] * len(authors)
    start = threading.Barrier(len(authors))

    def write(n: int) -> None:
        try:
            start.wait()
            comment_create(post=posts[n], body=f"Comment {n}.", **authors[n])
            results[n] = "accepted"
        except DomainError as error:
            results[n] = error.code.value
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(authors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def wide_flood_window(monkeypatch, settings):
    """Flood control on, and a pause between the flood check and the insert, so that comments
    checked at the same time would all pass it unless they are checked one after another."""
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 60
    real = comment_services.render_markdown

    def slow_render(*args, **kwargs):
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(comment_services, "render_markdown", slow_render)


# SQLite runs these tests in a shared-cache memory database, where a second writer fails ("table
# is locked") instead of queueing; a deployment's file database queues writers at BEGIN
# IMMEDIATE (the next test), which is what serialises one author's comments there.
needs_postgresql = pytest.mark.skipif(settings.DATABASE_VENDOR != "postgresql",
                                      reason="concurrent writers need PostgreSQL in tests")


def test_sqlite_writers_queue_at_the_start_of_each_transaction():
    if settings.DATABASE_VENDOR == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("author", ["same e-mail", "same IP", "same account"])
def test_one_authors_comments_to_many_posts_at_once_are_accepted_once(users, wide_flood_window,
                                                                      author):
    posts = [factories.published_post(users["author"]) for _ in range(4)]
    authors = []
    for n in range(4):
        if author == "same e-mail":
            fields = {"actor": None, "author_name": "Grace", "author_email": "grace@example.org",
                      "ip_address": f"198.51.100.{n + 1}"}
        elif author == "same IP":
            fields = {"actor": None, "author_name": f"Guest {n}",
                      "author_email": f"guest{n}@example.org", "ip_address": "198.51.100.1"}
        else:
            fields = {"actor": users["subscriber"], "ip_address": f"198.51.100.{n + 1}"}
        authors.append(fields)
    results = comment_at_once(authors, posts)
    assert sorted(results) == ["RATE_LIMITED"] * 3 + ["accepted"], results
    assert Comment.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_different_authors_comments_at_once_are_all_accepted(users, wide_flood_window):
    posts = [factories.published_post(users["author"]) for _ in range(3)]
    authors = [{"actor": None, "author_name": f"Guest {n}", "author_email": f"g{n}@example.org",
                "ip_address": f"198.51.100.{n + 1}"} for n in range(3)]
    assert comment_at_once(authors, posts) == ["accepted"] * 3
