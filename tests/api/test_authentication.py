"""Who is calling: API tokens (made, used, revoked), browser sessions with CSRF on writes."""

import io
import json

from django.core.management import call_command
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from cms.models import ApiToken, Comment
from cms.models.tokens import hash_token
from cms.services.tokens import token_create, token_revoke
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import ADD_COMMENT, accepted, gid, guest, row_counts

VIEWER = "query { viewer { slug } }"


def bearer(raw: str) -> GraphQLClient:
    return GraphQLClient(headers={"Authorization": f"Bearer {raw}"})


def assert_refused_401(response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


def test_create_token_returns_the_token_once_and_stores_only_its_hash(users):
    token, raw = token_create(user=users["author"], name="ci")
    assert raw.startswith(ApiToken.PREFIX)
    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(raw)
    assert raw not in (stored.token_hash, stored.hint, stored.name)
    assert raw.startswith(stored.hint)
    assert stored.last_used_at is None and stored.revoked_at is None


def test_create_token_command_prints_the_token_alone(users):
    out = io.StringIO()
    call_command("create_token", "ann", stdout=out)
    raw = out.getvalue().strip()
    assert out.getvalue().count("\n") == 1 and " " not in raw
    assert ApiToken.objects.get().user == users["author"]
    assert bearer(raw).execute(VIEWER)["data"]["viewer"] == {"slug": users["author"].slug}


def test_bearer_token_authenticates_and_records_its_last_use(users):
    _, raw = token_create(user=users["editor"])
    assert bearer(raw).execute(VIEWER)["data"]["viewer"] == {"slug": users["editor"].slug}
    assert ApiToken.objects.get().last_used_at is not None


def test_anonymous_viewer_is_null(gql):
    assert gql.execute(VIEWER)["data"]["viewer"] is None


def test_revoked_token_is_refused_with_401_not_taken_as_anonymous(users):
    token, raw = token_create(user=users["subscriber"])
    post = factories.published_post(users["author"])
    token_revoke(token=token)
    before = row_counts()
    assert_refused_401(bearer(raw).post(VIEWER))
    # A guest may comment, yet a revoked token does not fall back to being a guest.
    assert_refused_401(bearer(raw).post(ADD_COMMENT, {"input": guest(post)}))
    assert row_counts() == before


def test_unknown_token_is_refused_with_401(users):
    post = factories.published_post(users["author"])
    before = row_counts()
    assert_refused_401(bearer("hearth_not-a-real-token").post(VIEWER))
    assert_refused_401(bearer("hearth_not-a-real-token").post(ADD_COMMENT,
                                                              {"input": guest(post)}))
    assert row_counts() == before


def test_malformed_authorization_header_is_refused_with_401(users):
    for header in ("Basic YW5uOnB3", "Bearer", "Bearer    ", "hearth_abc"):
        client = GraphQLClient(headers={"Authorization": header})
        assert_refused_401(client.post(VIEWER))


def test_token_of_an_inactive_user_is_refused(users):
    _, raw = token_create(user=users["author"])
    users["author"].is_active = False
    users["author"].save()
    assert_refused_401(bearer(raw).post(VIEWER))


def csrf_pair() -> tuple[str, str]:
    """A CSRF cookie value and a matching X-CSRFToken header value."""
    request = RequestFactory().get("/")
    header = get_token(request)
    return request.META["CSRF_COOKIE"], header


def session_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post_json(client: Client, query: str, variables: dict, **headers):
    return client.post("/graphql/", data=json.dumps({"query": query, "variables": variables}),
                       content_type="application/json", headers=headers)


def test_session_mutation_without_csrf_token_is_refused_and_writes_nothing(users):
    post = factories.published_post(users["author"])
    client = session_client(users["subscriber"])
    before = row_counts()
    response = post_json(client, ADD_COMMENT, {"input": {"postId": gid(post), "body": "Hi."}})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    cookie, _ = csrf_pair()
    client.cookies["csrftoken"] = cookie
    response = post_json(client, ADD_COMMENT, {"input": {"postId": gid(post), "body": "Hi."}},
                         X_CSRFToken="wrong" * 8)
    assert response.status_code == 403
    assert row_counts() == before


def test_session_mutation_with_a_valid_csrf_token_works(users):
    post = factories.published_post(users["author"])
    client = session_client(users["subscriber"])
    cookie, header = csrf_pair()
    client.cookies["csrftoken"] = cookie
    response = post_json(client, ADD_COMMENT, {"input": {"postId": gid(post), "body": "Hi."}},
                         X_CSRFToken=header)
    assert response.status_code == 200
    result = response.json()["data"]["addComment"]
    assert result["errors"] == []
    assert result["comment"]["author"]["user"] == {"slug": users["subscriber"].slug}
    assert Comment.objects.get().user == users["subscriber"]


def test_session_query_by_get_needs_no_csrf_token(users):
    client = session_client(users["subscriber"])
    response = client.get("/graphql/", {"query": VIEWER})
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {"slug": users["subscriber"].slug}


def test_token_and_anonymous_mutations_need_no_csrf_token(users):
    post = factories.published_post(users["author"])
    _, raw = token_create(user=users["subscriber"])
    with_token = GraphQLClient(Client(enforce_csrf_checks=True),
                               headers={"Authorization": f"Bearer {raw}"})
    accepted(with_token, ADD_COMMENT, {"input": {"postId": gid(post), "body": "Token."}},
             "addComment")
    anonymous = GraphQLClient(Client(enforce_csrf_checks=True))
    accepted(anonymous, ADD_COMMENT, {"input": guest(post)}, "addComment")
    assert Comment.objects.count() == 2
