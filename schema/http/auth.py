"""Who is calling: a bearer token, a browser session (with CSRF for writes), a browser app's
session token (X-Session-Token), or nobody."""

import ipaddress
from contextlib import contextmanager

from allauth.headless import app_settings as headless_settings
from allauth.headless.constants import Client
from allauth.headless.internal.authkit import purge_request_user_cache
from allauth.headless.internal.decorators import mark_request_as_headless
from allauth.headless.internal.sessionkit import new_session
from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware

from cms.errors import DomainError
from cms.services.tokens import token_authenticate
from cms.visitors import visitor_key_from_token


class Refused(Exception):
    """A request refused before it ran: its status, message, error code and headers (`Allow`
    for a 405); `graphql_response_status` where application/graphql-response+json needs
    another status (an answer without `data` there is never a 2xx)."""

    def __init__(self, status: int, message: str, code: str, *, headers: dict | None = None,
                 graphql_response_status: int | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = headers or {}
        self.graphql_response_status = graphql_response_status


SESSION_TOKEN = "X-Session-Token"


def is_app(request) -> bool:
    """A browser app holding its session as a token, not a cookie: it sends X-Session-Token on
    every request (empty until it has signed in)."""
    return SESSION_TOKEN in request.headers


@contextmanager
def session_of_request(request):
    """Run the request with its session: a browser's cookie one, or (allauth headless's app
    client, as its `app_view` does) the session named by X-Session-Token, a new one for an
    empty token. A token's session is saved here and never becomes a cookie. Either way the
    request is allauth's headless one, so its flows leave no messages (cookies) behind."""
    if not hasattr(request, "allauth"):  # not through the middleware (a view called directly)
        yield
        return
    if not is_app(request):
        mark_request_as_headless(request, Client.BROWSER)
        yield
        return
    token = request.headers[SESSION_TOKEN].strip()
    session = headless_settings.TOKEN_STRATEGY.lookup_session(token) if token else new_session()
    if session is None:
        raise Refused(401, "The session token is unknown or has expired: sign in again.",
                      "UNAUTHENTICATED")
    cookie_session, cookie_user = request.session, request.user
    request.session = session
    purge_request_user_cache(request)
    mark_request_as_headless(request, Client.APP)
    request.allauth.headless._pre_user = request.user
    try:
        yield
    finally:
        if request.session.modified and not request.session.is_empty():
            request.session.save()
        request.session, request.user = cookie_session, cookie_user
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False  # signing in rotates the CSRF token


def _csrf_failure(request) -> bool:
    checker = CsrfViewMiddleware(lambda r: None)
    return checker.process_view(request, None, (), {}) is not None


def authenticate(request):
    """The user behind the request, or None. A bad token is refused, never taken as anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Refused(401, "Use `Authorization: Bearer <token>`.", "UNAUTHENTICATED")
        try:
            return token_authenticate(raw.strip())
        except DomainError as error:
            raise Refused(401, error.message, "UNAUTHENTICATED") from None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method == "POST" and not is_app(request) and _csrf_failure(request):
        raise Refused(403, "CSRF verification failed. Send the csrftoken cookie's value as "
                      "X-CSRFToken, or use an API token.", "FORBIDDEN")
    return user


def visitor(request) -> tuple[str | None, str | None, Exception | None]:
    """(visitor key, token, error) from X-Visitor-Token."""
    token = request.headers.get("X-Visitor-Token", "").strip()
    if not token:
        return None, None, None
    try:
        return visitor_key_from_token(token), token, None
    except DomainError as error:
        return None, None, error


def client_ip(request) -> str | None:
    """The connection's address, or the one a trusted proxy forwarded (rightmost untrusted)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.HEARTH_TRUSTED_PROXIES
    if remote in trusted:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for address in reversed([p for p in forwarded if p]):
            if address not in trusted:
                remote = address
                break
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return None
