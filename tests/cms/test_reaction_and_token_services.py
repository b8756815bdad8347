"""cms.services.reactions and cms.services.tokens: happy paths and refusals by error code."""

import pytest
from django.utils import timezone

from cms.errors import ErrorCode
from cms.models import ApiToken, Reaction
from cms.models.tokens import hash_token
from cms.services.reactions import reaction_add, reaction_remove
from cms.services.tokens import token_authenticate, token_create, token_revoke
from cms.visitors import new_visitor, visitor_key_from_token
from tests.support.counts import assert_counts_exact, refused
from tests.support.factories import comment, published_post

VISITOR = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def post(users):
    return published_post(users["author"])


def test_user_reacts_once_per_kind(post, users):
    assert reaction_add(subject=post, kind="like", user=users["subscriber"]) is True
    assert reaction_add(subject=post, kind="like", user=users["subscriber"]) is False
    assert reaction_add(subject=post, kind="love", user=users["subscriber"]) is True
    post.refresh_from_db()
    assert (post.reactions_like, post.reactions_love) == (1, 1)
    assert Reaction.objects.count() == 2
    assert_counts_exact()


def test_visitor_reacts_to_a_comment_by_key(post, users):
    reply = comment(post, user=users["subscriber"])
    assert reaction_add(subject=reply, kind="hug", visitor_key=VISITOR) is True
    assert reaction_add(subject=reply, kind="hug", visitor_key=VISITOR) is False
    reply.refresh_from_db()
    assert reply.reactions_hug == 1
    assert Reaction.objects.get().visitor_key == VISITOR
    assert_counts_exact()


def test_user_wins_over_visitor_key_when_signed_in(post, users):
    reaction_add(subject=post, kind="like", user=users["subscriber"], visitor_key=VISITOR)
    reaction = Reaction.objects.get()
    assert reaction.user == users["subscriber"] and reaction.visitor_key is None


def test_unreact_removes_once(post, users):
    reaction_add(subject=post, kind="like", user=users["subscriber"])
    reaction_add(subject=post, kind="like", user=users["editor"])
    assert reaction_remove(subject=post, kind="like", user=users["subscriber"]) is True
    assert reaction_remove(subject=post, kind="like", user=users["subscriber"]) is False
    assert reaction_remove(subject=post, kind="love", user=users["editor"]) is False
    post.refresh_from_db()
    assert post.reactions_like == 1
    assert_counts_exact()


def test_reacting_without_reactor_is_unauthenticated(post):
    with refused(ErrorCode.UNAUTHENTICATED):
        reaction_add(subject=post, kind="like")
    with refused(ErrorCode.UNAUTHENTICATED):
        reaction_remove(subject=post, kind="like")
    post.refresh_from_db()
    assert Reaction.objects.count() == 0 and post.reactions_like == 0


def test_reacting_with_an_unknown_kind_is_invalid(post, users):
    with refused(ErrorCode.INVALID) as error:
        reaction_add(subject=post, kind="angry", user=users["subscriber"])
    assert error.value.field == "kind"
    with refused(ErrorCode.INVALID):
        reaction_remove(subject=post, kind="angry", user=users["subscriber"])
    assert Reaction.objects.count() == 0


def test_visitor_token_round_trips_and_forgeries_are_refused(db):
    key, token = new_visitor()
    assert len(key) == 32 and visitor_key_from_token(token) == key
    with refused(ErrorCode.UNAUTHENTICATED):
        visitor_key_from_token(token[:-2] + "xx")
    with refused(ErrorCode.UNAUTHENTICATED):
        visitor_key_from_token(key)


def test_token_create_stores_only_a_hash(users):
    token, raw = token_create(user=users["subscriber"], name="laptop")
    assert raw.startswith("hearth_") and len(raw) > 40
    stored = ApiToken.objects.values().get()
    assert raw not in [str(value) for value in stored.values()]
    assert stored["token_hash"] == hash_token(raw)
    assert raw.startswith(token.hint) and len(token.hint) == len("hearth_") + 4
    assert token.name == "laptop" and token.revoked_at is None


def test_token_authenticates_its_user_and_records_use(users):
    token, raw = token_create(user=users["subscriber"])
    assert token_authenticate(raw) == users["subscriber"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_unknown_token_is_unauthenticated(db):
    with refused(ErrorCode.UNAUTHENTICATED):
        token_authenticate("hearth_not-a-real-token")


def test_revoked_token_is_unauthenticated(users):
    token, raw = token_create(user=users["subscriber"])
    token_revoke(token=token)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    assert revoked_at is not None
    token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    with refused(ErrorCode.UNAUTHENTICATED):
        token_authenticate(raw)


def test_token_of_an_inactive_user_is_unauthenticated(users):
    _, raw = token_create(user=users["subscriber"])
    users["subscriber"].is_active = False
    users["subscriber"].save()
    with refused(ErrorCode.UNAUTHENTICATED):
        token_authenticate(raw)


def test_tokens_are_unique_per_call(users):
    raws = {token_create(user=users["subscriber"])[1] for _ in range(5)}
    assert len(raws) == 5
    assert ApiToken.objects.filter(created_at__lte=timezone.now()).count() == 5
