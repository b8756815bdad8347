import json

import pytest
from django.test import Client

from cms.models import Role, User
from tests.support.smtp import mailbox, smtp_server  # noqa: F401 - fixtures for every test


@pytest.fixture(autouse=True)
def _fast_rules(settings):
    """Flood control and mutation rate limits off unless a test turns them on; each test sets
    what it checks."""
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 0
    # Each test starts with an empty cache. The result cache is off: a test's writes never
    # commit (so never purge); tests/api/test_result_cache.py turns it on and commits for real.
    from django.core.cache import cache

    cache.clear()
    settings.HEARTH_RESULT_CACHE_SECONDS = 0
    settings.HEARTH_MUTATION_RATE_LIMIT = 1_000_000
    settings.HEARTH_MAIL_REQUEST_LIMIT = settings.HEARTH_MAIL_REQUEST_TOTAL_LIMIT = 1_000_000
    # A fast hasher: the `users` fixture makes six users per test, ~1 s each with PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    config.addinivalue_line("markers", "fallback_expected: the test runs queries the fast "
                                       "executor hands to the standard one (introspection...)")


@pytest.fixture(autouse=True)
def _no_unexpected_fallback(request):
    """Every query a test runs takes the fast executor, unless the test is marked
    `fallback_expected`: an unplanned fallback is a slower path and leaves the fast one untested.
    (Mutations always run on the standard executor; they are not fallbacks.)"""
    from schema.engine.fast_execution import fallbacks

    before = fallbacks.copy()
    yield
    unexpected = fallbacks - before
    if unexpected and request.node.get_closest_marker("fallback_expected") is None:
        pytest.fail(f"Queries fell back to the standard executor: {dict(unexpected)}")


@pytest.fixture
def roomy_limits(settings):
    """Query limits wide enough for tests that walk the whole schema in one document."""
    settings.HEARTH_MAX_TOKENS = 100_000
    settings.HEARTH_MAX_ALIASES = 10**6
    settings.HEARTH_MAX_NODES = 10**9
    settings.HEARTH_MAX_QUERY_DEPTH = 100
    settings.HEARTH_MAX_SELECTIONS = 10**6
    settings.HEARTH_MAX_QUERY_CHARS = 10**7


def make_user(username: str, role: Role | None = None, **fields) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username=username, email=f"{username}@example.com",
                                    password="pw-" + username, **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def users(db):
    """One user per role, and a second author to own other people's posts."""
    return {
        "administrator": make_user("ada", Role.ADMINISTRATOR),
        "editor": make_user("eddie", Role.EDITOR),
        "author": make_user("ann", Role.AUTHOR),
        "other_author": make_user("otto", Role.AUTHOR),
        "contributor": make_user("connie", Role.CONTRIBUTOR),
        "subscriber": make_user("sub", Role.SUBSCRIBER),
    }


class GraphQLClient:
    """Talks to the real /graphql/ endpoint through Django's test client."""

    def __init__(self, client: Client | None = None, headers: dict | None = None):
        self.client = client or Client()
        self.headers = headers or {}

    def post(self, query: str, variables: dict | None = None, headers: dict | None = None):
        return self.client.post(
            "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json", headers={**self.headers, **(headers or {})},
        )

    def execute(self, query: str, variables: dict | None = None, headers: dict | None = None,
                allow_errors: bool = False) -> dict:
        response = self.post(query, variables, headers)
        assert response.status_code == 200, response.content
        body = response.json()
        if not allow_errors:
            assert "errors" not in body, body["errors"]
        return body

    def as_user(self, user) -> "GraphQLClient":
        from cms.services.tokens import token_create

        _, raw = token_create(user=user)
        return GraphQLClient(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def gql(db):
    return GraphQLClient()
