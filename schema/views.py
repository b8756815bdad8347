"""The /graphql/ endpoint: JSON in, JSON out, and the playground for browsers."""

import json

from cross_web import HTTPException
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from schema import http_cache, persisted, playground, result_cache, schema
from schema.auth import Refused, authenticate, client_ip, visitor
from schema.context import Context


def error_response(status: int, message: str, code: str | None = None) -> JsonResponse:
    error = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JsonResponse({"data": None, "errors": [error]}, status=status)


def read_body(request) -> None:
    """Refuse a POST that is not JSON or is too large, before anything reads it. A chunked body
    (no Content-Length; the server de-chunks it) is read up to the limit and no further."""
    if request.content_type != "application/json":
        raise Refused(415, "Send operations as `Content-Type: application/json`.", "BAD_REQUEST")
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
        request._body = body  # what request.body returns from now on
    try:
        request.body.decode()
    except UnicodeDecodeError:
        raise Refused(400, "The request body is not UTF-8.", "BAD_REQUEST") from None


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


class HearthGraphQLView(GraphQLView):
    graphql_ide = "graphiql"
    allow_queries_via_get = True

    def dispatch(self, request, *args, **kwargs):
        try:
            request.hearth_user = authenticate(request)
            response = self.run(request=request)
            persisted.register(request)
            return response
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.code)
        except HTTPException as error:
            return error_response(error.status_code, error.reason, "BAD_REQUEST")
        except RequestDataTooBig:
            return error_response(413, "The request body is too large.", "INVALID")

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

    def parse_http_body(self, request):
        data = persisted.resolve(request.request, super().parse_http_body(request))
        if not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "`operationName` must be a string.")
        return data

    def should_render_graphql_ide(self, request) -> bool:
        return super().should_render_graphql_ide(request) and not persisted.requested(request)

    def render_graphql_ide(self, request):
        """The self-hosted playground when installed, else Strawberry's CDN-loaded GraphiQL."""
        get_token(request)  # the playground's mutations need the CSRF cookie of a session
        page = playground.render(request)
        return page if page is not None else super().render_graphql_ide(request)

    def get_context(self, request, response) -> Context:
        key, token, token_error = visitor(request)
        return Context(request=request, response=response, user=request.hearth_user,
                       visitor_key=key, visitor_token=token, visitor_token_error=token_error,
                       client_ip=client_ip(request))

    def encode_json(self, data) -> str:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def checked_body(view):
    """Refuse a bad POST body before anything reads it (the result cache keys on the body)."""

    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            try:
                read_body(request)
            except Refused as refused:
                return error_response(refused.status, refused.message, refused.code)
            except RequestDataTooBig:
                return error_response(413, "The request body is too large.", "INVALID")
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = True
    return wrapped


graphql_view = checked_body(http_cache.cached(
    result_cache.served_from_cache(csrf_exempt(HearthGraphQLView.as_view(schema=schema)))))
