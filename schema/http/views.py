"""The /graphql/ endpoint: JSON in, JSON out, and the playground for browsers."""

import json

from cross_web import HTTPException
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import get_token
from strawberry.django.views import DjangoHTTPRequestAdapter, GraphQLView
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema import schema
from schema.core.context import Context
from schema.http import http_cache, persisted, playground, result_cache
from schema.http.auth import Refused, authenticate, client_ip, visitor


def error_response(status: int, message: str, code: str | None = None) -> JsonResponse:
    error = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JsonResponse({"data": None, "errors": [error]}, status=status)


def check_values(value) -> None:
    """Refuse decoded JSON with more than HEARTH_MAX_VARIABLE_VALUES values (objects, lists,
    keys and scalars: graphql-core coerces inputs value by value), or with a string holding a
    NUL or a lone surrogate (not UTF-8)."""
    maximum = settings.HEARTH_MAX_VARIABLE_VALUES
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > maximum:
            raise Refused(400, f"The request holds more than {maximum:,} JSON values "
                          "(HEARTH_MAX_VARIABLE_VALUES).", "QUERY_TOO_COMPLEX")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not is_text(item):
            raise HTTPException(400, "Strings may not contain NUL characters or lone surrogates.")


def is_text(string: str) -> bool:
    """No NUL and no lone surrogate (which UTF-8 cannot encode)."""
    if "\x00" in string:
        return False
    try:
        string.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class CheckedBody(DjangoHTTPRequestAdapter):
    """Strawberry's view of the request, with the body the view read and checked (a chunked
    body, which gunicorn passes without a Content-Length, is not in `request.body`)."""

    def __init__(self, request, body: bytes):
        super().__init__(request)
        self.checked = body

    @property
    def body(self) -> str:
        return self.checked.decode()


class HearthGraphQLView(GraphQLView):
    """/graphql/, one request in order: check the body, serve an anonymous read from the result
    cache, authenticate, resolve a persisted query, run the operation, store the answer and
    register the persisted query, set the caching headers.

    Django makes a view instance per request: the request's facts are its typed attributes
    (what execution learned is on the Context)."""

    graphql_ide = "graphiql"
    allow_queries_via_get = True

    body: bytes = b""  # a POST's, as checked (GET has none)
    user = None  # who authenticated, or None
    context: Context | None = None  # None while no operation ran (a refusal, the playground)
    result: ExecutionResult | None = None
    registration: tuple[str, str] | None = None  # a persisted query to keep once it ran

    def dispatch(self, request, *args, **kwargs):
        try:
            return self.answer(request)
        except Refused as refused:
            response = error_response(refused.status, refused.message, refused.code)
        except HTTPException as error:
            response = error_response(error.status_code, error.reason, "BAD_REQUEST")
        except RequestDataTooBig:
            response = error_response(413, "The request body is too large.", "INVALID")
        return http_cache.finish(request, response, public=False)

    # What @csrf_exempt sets, which as_view copies from dispatch: browser sessions are checked
    # in authenticate, token and anonymous callers need none (method_decorator would cost 6 us
    # a request).
    dispatch.csrf_exempt = True

    def answer(self, request):
        """The steps, in order; a step refuses by raising."""
        if request.method == "POST":
            self.body = self.checked_body(request)
        cache_key = result_cache.key(request, self.body)
        if cache_key is not None and (entry := result_cache.fresh(cache_key)) is not None:
            return http_cache.finish(request, entry.response(),
                                     public=request.method == "GET", tags=entry.tags)
        self.user = authenticate(request)
        posts_before = result_cache.posts_version() if cache_key is not None else None
        response = self.run(request=request)
        if self.result is None:  # the playground's page
            return response
        if self.registration is not None and self.context.operation_type is not None:
            persisted.register(*self.registration, caller_ip=self.context.client_ip)
        if posts_before is not None and self.storable(response):
            result_cache.store(cache_key, response.content, tags=self.context.cache_tags,
                               posts_before=posts_before, caller_ip=self.context.client_ip)
        return http_cache.finish(request, response, public=self.public(request, response),
                                 tags=self.context.cache_tags)

    def checked_body(self, request) -> bytes:
        """A POST's body, refused before anything reads it if it is not JSON, too large or not
        UTF-8. A chunked body (no Content-Length; the server de-chunks it) is read up to the
        limit and no further."""
        if request.content_type != "application/json":
            raise Refused(415, "Send operations as `Content-Type: application/json`.",
                          "BAD_REQUEST")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH") or ""
        if length and not length.isdigit():
            raise Refused(400, "The Content-Length header is not a number.", "BAD_REQUEST")
        if length and int(length) > limit:
            raise RequestDataTooBig
        if not length and request.META.get("wsgi.input_terminated"):
            body = request.META["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig
        else:
            body = request.body
        try:
            body.decode()
        except UnicodeDecodeError:
            raise Refused(400, "The request body is not UTF-8.", "BAD_REQUEST") from None
        return body

    def get_context(self, request, response) -> Context:
        key, token, token_error = visitor(request)
        self.context = Context(request=request, response=response, user=self.user,
                               visitor_key=key, visitor_token=token,
                               visitor_token_error=token_error, client_ip=client_ip(request))
        return self.context

    def execute_operation(self, request, context, root_value, sub_response) -> ExecutionResult:
        """One operation per request (batching is off), from the checked body or GET's query
        string, its persisted query filled in."""
        adapter = CheckedBody(request, self.body)
        data, self.registration = persisted.resolve(self.parse_http_body(adapter))
        if not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "`operationName` must be a string.")
        self.result = self.execute_single(
            request=request, request_adapter=adapter, sub_response=sub_response,
            context=context, root_value=root_value, request_data=data)
        return self.result

    def shareable(self, response) -> bool:
        """An answer without errors to a caller who is nobody, showing nothing private."""
        return (response.status_code == 200
                and self.context.user is None
                and not self.context.private
                and not self.result.errors)

    def storable(self, response) -> bool:
        """Whether the result cache may keep the answer (its size and the quotas are the
        cache's to check; only anonymous requests have a `cache_key`)."""
        return self.context.operation_type == OperationType.QUERY and self.shareable(response)

    def public(self, request, response) -> bool:
        """Whether CDNs may cache the answer: a GET that carries no credentials, no visitor."""
        return (request.method == "GET"
                and not request.headers.get("Authorization")
                and not request.headers.get("X-Visitor-Token")
                and self.shareable(response))

    def should_render_graphql_ide(self, request) -> bool:
        return super().should_render_graphql_ide(request) and not persisted.requested(request)

    def render_graphql_ide(self, request):
        """The self-hosted playground, or how to install it (never a CDN's)."""
        get_token(request)  # the playground's mutations need the CSRF cookie of a session
        return playground.render(request)

    def decode_json(self, data):
        """A JSON object (the body, or GET's `variables`), or a 400."""
        try:
            value = json.loads(data)
        except (ValueError, RecursionError):  # bad JSON, bad UTF-8, 5,000-digit numbers, nesting
            raise HTTPException(400, "The request is not valid JSON.") from None
        if not isinstance(value, dict):  # a list too: batching is off
            raise HTTPException(400, "Expected a JSON object: one operation per request.")
        check_values(value)
        return value

    def encode_json(self, data) -> str:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


graphql_view = HearthGraphQLView.as_view(schema=schema)
