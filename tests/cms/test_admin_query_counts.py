"""Every admin changelist Hearth registers runs the same SQL for 5 rows as for 25: nothing shown
per row (a related object, its name, a count) costs a query of its own."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.models import (
    ApiToken,
    Comment,
    CommentStatus,
    Post,
    Reaction,
    Role,
    Tag,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from cms.services.posts import post_update
from cms.services.reactions import reaction_add
from cms.services.tokens import token_create
from cms.webhooks import enqueue_for
from tests.conftest import make_user
from tests.support.factories import comment, published_post

_made = {"n": 0}


def _n() -> int:
    _made["n"] += 1
    return _made["n"]


def _writer(role: Role = Role.AUTHOR) -> User:
    return make_user(f"writer{_n()}", role, display_name=f"Writer {_made['n']}")


def make_posts(count: int) -> None:
    for _ in range(count):
        post = published_post(_writer())
        post_update(actor=post.author, post=post, tags=[f"tag {_n()}"])


def make_tags(count: int) -> None:
    post = published_post(_writer())
    names = [f"tag {_n()}" for _ in range(count)]
    post_update(actor=post.author, post=post, tags=names)
    other = published_post(_writer())
    post_update(actor=other.author, post=other, tags=names[:2])


def make_comments(count: int) -> None:
    """Top-level comments by readers, and replies to them by readers and (held) by guests."""
    post = published_post(_writer())
    parent = None
    for index in range(count):
        if index % 2 == 0:
            parent = comment(post, user=_writer(Role.SUBSCRIBER))
        elif index % 4 == 1:
            comment(post, user=_writer(Role.SUBSCRIBER), parent=parent)
        else:
            comment(post, parent=parent, status=CommentStatus.PENDING)


def make_reactions(count: int) -> None:
    for index in range(count):
        post = published_post(_writer())
        if index % 2:
            reader = _writer(Role.SUBSCRIBER)
            reaction_add(subject=comment(post, user=reader), kind="like", user=reader)
        else:
            reaction_add(subject=post, kind="like", visitor_key=f"visitor-{_n()}-key")


def make_users(count: int) -> None:
    for index in range(count):
        _writer(list(Role)[index % len(Role)])


def make_tokens(count: int) -> None:
    for _ in range(count):
        token_create(user=_writer(), name=f"token {_n()}")


def make_endpoints(count: int) -> list[WebhookEndpoint]:
    return [WebhookEndpoint.objects.create(url=f"https://hooks{_n()}.example.com/",
                                           events=["post.published"])
            for _ in range(count)]


def make_deliveries(count: int) -> list[WebhookDelivery]:
    return [delivery for endpoint in make_endpoints(count)
            for delivery in enqueue_for([endpoint], "post.published", {"id": 1})]


def make_attempts(count: int) -> None:
    for delivery in make_deliveries(count):
        WebhookAttempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(),
                                      status_code=500, error="HTTP 500")


MAKERS = {
    Post: make_posts,
    Tag: make_tags,
    Comment: make_comments,
    Reaction: make_reactions,
    User: make_users,
    ApiToken: make_tokens,
    WebhookEndpoint: make_endpoints,
    WebhookDelivery: make_deliveries,
    WebhookAttempt: make_attempts,
}


def test_every_changelist_hearth_registers_is_measured():
    hearth = {model for model in admin.site._registry if model._meta.app_label == "cms"}
    assert hearth == set(MAKERS)


@pytest.fixture
def client(db):
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def changelist_url(model) -> str:
    return reverse(f"admin:cms_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model.__name__)
def test_a_changelist_runs_the_same_queries_for_5_rows_as_for_25(
        client, model, django_assert_num_queries):
    make = MAKERS[model]
    make(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist_url(model)).status_code == 200
    make(20)
    with django_assert_num_queries(len(few)):
        response = client.get(changelist_url(model))
    assert response.status_code == 200
    shown = model.objects.count()
    assert shown >= 25
    assert f"{shown} {model._meta.verbose_name_plural}" in " ".join(response.text.split())
