"""Every top-level mutation field counts toward the per-caller mutation limit, wherever it is
written: directly, in inline fragments on Mutation, in fragment spreads, nested fragments, and
under @skip/@include (counted whatever the condition)."""

import uuid

import pytest

from cms.models import Reaction
from tests.support import factories
from tests.support.writes import gid

KINDS = ("LIKE", "LOVE", "HUG", "WOW")


def react(kind: str) -> str:
    return f"{kind.lower()}: react(input: {{subjectId: $id, kind: {kind}}}) {{ errors {{ code }} }}"


A, B, C, D = (react(kind) for kind in KINDS)

FOUR_FIELDS = {
    "inline fragment": f"mutation($id: ID!) {{ ... on Mutation {{ {A} {B} {C} {D} }} }}",
    "untyped inline fragment": f"mutation($id: ID!) {{ {A} ... {{ {B} {C} {D} }} }}",
    "fragment spread": f"mutation($id: ID!) {{ ...M }}"
                       f" fragment M on Mutation {{ {A} {B} {C} {D} }}",
    "nested fragments": f"mutation($id: ID!) {{ {A} ... on Mutation {{ ...M }} }}"
                        f" fragment M on Mutation {{ {B} ...N }}"
                        f" fragment N on Mutation {{ ... on Mutation {{ {C} {D} }} }}",
    "a fragment spread twice": f"mutation($id: ID!) {{ ...M ...M }}"
                               f" fragment M on Mutation {{ {A} {B} }}",
    "skipped and included": f"mutation($id: ID!) {{ {A} {B} ... @skip(if: true) {{ {C} }}"
                            f" ... @include(if: false) {{ {D} }} }}",
}


def send(gql, query: str, post, ip: str):
    return gql.client.post("/graphql/", {"query": query, "variables": {"id": gid(post)}},
                           content_type="application/json", REMOTE_ADDR=ip)


@pytest.fixture
def fresh_ip():
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.mark.parametrize("shape", FOUR_FIELDS)
def test_four_mutation_fields_in_any_shape_count_four(gql, settings, users, fresh_ip, shape):
    settings.HEARTH_MUTATION_RATE_LIMIT = 3
    settings.HEARTH_MUTATION_RATE_WINDOW_SECONDS = 3_600
    post = factories.published_post(users["author"])
    response = send(gql, FOUR_FIELDS[shape], post, fresh_ip)
    assert response.status_code == 429, response.content
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert Reaction.objects.count() == 0


def test_three_fields_in_fragments_fit_a_limit_of_three_and_run(gql, settings, users, fresh_ip):
    settings.HEARTH_MUTATION_RATE_LIMIT = 3
    settings.HEARTH_MUTATION_RATE_WINDOW_SECONDS = 3_600
    post = factories.published_post(users["author"])
    query = (f"mutation($id: ID!) {{ {A} ... on Mutation {{ ...M }} }}"
             f" fragment M on Mutation {{ {B} {C} }}")
    response = send(gql, query, post, fresh_ip)
    assert response.status_code == 200, response.content
    assert Reaction.objects.count() == 3
    # The window is spent: even one more field is refused.
    response = send(gql, f"mutation($id: ID!) {{ ... {{ {D} }} }}", post, fresh_ip)
    assert response.status_code == 429
    assert Reaction.objects.count() == 3
