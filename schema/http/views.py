"""The /graphql/ endpoint: JSON in, JSON out, and the playground for browsers.

GraphQL over HTTP as its specification (the GraphQL-over-HTTP draft) asks:

- the answer's media type is negotiated from Accept (schema/http/media_types.py):
  `application/graphql-response+json` when the client prefers it, `application/json` otherwise
  (and without an Accept header, as before); a 406 when it accepts neither;
- in `application/graphql-response+json`, a request that fails before execution (not JSON, not
  a well-formed request, a document that does not parse or validate, an operation that cannot
  be chosen, variables that do not coerce) gets a 4xx and a body without `data`; an executed
  one a 200 with `data`. In `application/json` nothing changed: GraphQL's own refusals are a
  200 with `data: null`, a malformed request a 4xx;
- a document of several operations needs `operationName` (400 without it); GET runs queries
  only (a mutation is a 405 with `Allow: POST`, not run); HEAD is answered as GET, without the
  body; other methods get a 405 with `Allow: GET, HEAD, POST`;
- `documentId` names a trusted document (schema/http/persisted.py).
"""

import json

import orjson
from cross_web import HTTPException
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from strawberry.django.views import GraphQLView
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema import schema
from schema.core.context import Context
from schema.http import http_cache, persisted, playground, result_cache
from schema.http.auth import Refused, authenticate, client_ip, session_of_request, visitor
from schema.http.media_types import GRAPHQL_RESPONSE, JSON, negotiate

CONTENT_TYPES = {GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8", JSON: JSON}
ALLOWED_METHODS = "GET, HEAD, POST"


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
    """/graphql/, one request in order: negotiate the media type, check the body, serve an
    anonymous read from the result cache, authenticate, resolve a trusted document or persisted
    query, run the operation, store the answer and register the persisted query, set the
    caching headers.

    Django makes a view instance per request: the request's facts are its typed attributes
    (what execution learned is on the Context)."""

    graphql_ide = "graphiql"
    allow_queries_via_get = True

    media: str | None = JSON  # the answer's media type, from Accept (None: none acceptable)
    body: bytes = b""  # a POST's, as checked (GET has none)
    user = None  # who authenticated, or None
    context: Context | None = None  # None while no operation ran (a refusal, the playground)
    result: ExecutionResult | None = None
    registration: tuple[str, str] | None = None  # a persisted query to keep once it ran

    def dispatch(self, request, *args, **kwargs):
        """HEAD is answered as GET is (a query only), without the body."""
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        self.media = negotiate(request.headers.get("Accept", ""))
        try:
            with session_of_request(request):
                response = self.answer(request)
        except Refused as refused:
            response = self.error_response(refused.status, refused.message, refused.code,
                                           refused.graphql_response_status)
            for name, value in refused.headers.items():
                response[name] = value
        except HTTPException as error:
            response = self.error_response(error.status_code, error.reason, "BAD_REQUEST")
        except RequestDataTooBig:
            response = self.error_response(413, "The request body is too large.", "INVALID")
        except (MultiPartParserError, SuspiciousOperation):  # a malformed multipart body
            response = self.error_response(400, "The multipart body could not be read.",
                                           "BAD_REQUEST")
        if head:
            request.method = "HEAD"
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def error_response(self, status: int, message: str, code: str | None = None,
                       graphql_response_status: int | None = None) -> JsonResponse:
        """A request refused before execution, privately: in application/graphql-response+json
        without `data` (so never a 2xx), in application/json with `data: null` as before."""
        error = {"message": message}
        if code:
            error["extensions"] = {"code": code}
        if self.media == GRAPHQL_RESPONSE:
            response = JsonResponse({"errors": [error]}, status=graphql_response_status or status,
                                    content_type=CONTENT_TYPES[GRAPHQL_RESPONSE])
        else:
            response = JsonResponse({"data": None, "errors": [error]}, status=status)
        return http_cache.finish(self.request, response, public=False)

    # What @csrf_exempt sets, which as_view copies from dispatch: browser sessions are checked
    # in authenticate, token and anonymous callers need none (method_decorator would cost 6 us
    # a request).
    dispatch.csrf_exempt = True

    def answer(self, request):
        """The steps, in order; a step refuses by raising."""
        if request.method not in ("GET", "POST"):
            raise Refused(405, f"Send GraphQL requests with {ALLOWED_METHODS}.", "BAD_REQUEST",
                          headers={"Allow": ALLOWED_METHODS})
        if self.media is None and not self.should_render_graphql_ide(
                self.request_adapter_class(request)):
            raise Refused(406, "Accept application/graphql-response+json or application/json.",
                          "NOT_ACCEPTABLE")
        if request.method == "POST" and request.content_type == "multipart/form-data":
            return self.answer_upload(request)
        if request.method == "POST":
            self.body = self.checked_body(request)
        cache_key = result_cache.key(request, self.body)
        if cache_key is not None and (entry := result_cache.fresh(cache_key)) is not None:
            return http_cache.finish(request, entry.response(CONTENT_TYPES[self.media or JSON]),
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

    def answer_upload(self, request):
        """A multipart request (an upload): its size checked before a byte is read, its caller
        authenticated (a session's CSRF token checked), then run; never cached."""
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length.isdigit():
            raise Refused(411, "A multipart upload needs a Content-Length.", "BAD_REQUEST")
        if int(length) > settings.HEARTH_UPLOAD_MAX_BODY_BYTES:
            raise Refused(413, f"The upload is larger than "
                          f"{settings.HEARTH_UPLOAD_MAX_BODY_BYTES:,} bytes "
                          "(HEARTH_UPLOAD_MAX_BODY_BYTES).", "INVALID")
        self.user = authenticate(request)
        if self.user is None:
            raise Refused(401, "Uploads need an API token (Authorization: Bearer) or a signed-in "
                          "session with its CSRF token.", "UNAUTHENTICATED")
        response = self.run(request=request)
        return http_cache.finish(request, response, public=False)

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
        string, the document it names filled in."""
        data, self.registration = persisted.resolve(*self.request_data(request))
        try:
            self.result = self.schema.execute_sync(
                data.query, variable_values=data.variables, context_value=context,
                root_value=root_value, operation_name=data.operation_name,
                allowed_operation_types=OperationType.from_http(request.method),
                operation_extensions=data.extensions)
        except CannotGetOperationTypeError as error:
            raise Refused(400, error.as_http_error_reason() + " Name the operation to run "
                          "in `operationName`.", "BAD_REQUEST") from None
        except InvalidOperationTypeError as error:
            raise Refused(405, error.as_http_error_reason(request.method), "BAD_REQUEST",
                          headers={"Allow": "POST"}) from None
        except MissingQueryError:
            raise Refused(400, "No GraphQL document in the request: send `query` (or "
                          "`documentId`).", "BAD_REQUEST") from None
        return self.result

    def request_data(self, request) -> tuple[GraphQLRequestData, object]:
        """The request's parameters, checked: a JSON object (POST) or the query string (GET),
        `query`, `operationName` and `documentId` strings, `variables` and `extensions`
        objects, each optional. An empty `operationName` is none (the spec's GET rule)."""
        if request.method == "GET":
            params = request.GET.dict()
            for name in ("variables", "extensions"):
                params[name] = self.decode_json(params[name]) if params.get(name) else None
        elif request.content_type == "multipart/form-data":  # an upload (answer_upload)
            params = self.parse_multipart(self.request_adapter_class(request))
        else:
            params = self.decode_json(self.body)
        if not isinstance(params, dict):  # a list too: batching is off
            raise HTTPException(400, "Expected a JSON object: one operation per request.")
        for name, kind in (("query", str), ("operationName", str), ("variables", dict),
                           ("extensions", dict)):
            if not isinstance(params.get(name), kind | None):
                article = "an object" if kind is dict else "a string"
                raise HTTPException(400, f"`{name}` must be {article} or null.")
        return GraphQLRequestData(query=params.get("query"), variables=params.get("variables"),
                                  operation_name=params.get("operationName") or None,
                                  extensions=params.get("extensions")), params.get("documentId")

    def before_execution(self, result: ExecutionResult) -> bool:
        """Whether the request failed before its operation ran: the document did not parse or
        validate (no operation was executed), or its variables did not coerce (graphql-core
        answers with errors at no field's path and no data)."""
        if not result.errors:
            return False
        if self.context.operation_type is None:
            return True
        return result.data is None and all(error.path is None for error in result.errors)

    def process_result(self, request, result: ExecutionResult):
        answer = super().process_result(request, result)
        if self.media == GRAPHQL_RESPONSE and self.before_execution(result):
            del answer["data"]
        return answer

    def create_response(self, response_data, sub_response):
        """In application/graphql-response+json, an answer without `data` is a 4xx (a 400
        unless a step chose another, such as the rate limit's 429)."""
        response = super().create_response(response_data, sub_response)
        if self.media == GRAPHQL_RESPONSE:
            response["Content-Type"] = CONTENT_TYPES[GRAPHQL_RESPONSE]
            if "data" not in response_data and response.status_code == 200:
                response.status_code = 400
        return response

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
                and not request.headers.get("X-Session-Token")
                and self.shareable(response))

    def should_render_graphql_ide(self, request) -> bool:
        return super().should_render_graphql_ide(request) and not persisted.requested(request)

    def render_graphql_ide(self, request):
        """The self-hosted playground, or how to install it (never a CDN's)."""
        get_token(request)  # the playground's mutations need the CSRF cookie of a session
        return playground.render(request)

    def decode_json(self, data):
        """A JSON value (the body, or GET's `variables` or `extensions`), or a 400."""
        try:
            value = json.loads(data)
        except (ValueError, RecursionError):  # bad JSON, bad UTF-8, 5,000-digit numbers, nesting
            raise HTTPException(400, "The request is not valid JSON.") from None
        check_values(value)
        return value

    def encode_json(self, data) -> bytes:
        """orjson: the same bytes as the standard library's compact UTF-8 JSON, 10-15x faster
        (an R2 page: 1.1 ms against 0.08 ms). What it refuses (an integer beyond 64 bits in a
        JSON scalar) goes the standard library's way."""
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


# uploadImage takes the GraphQL multipart request spec. A multipart POST is a request any page
# may send cross-site without a preflight, so answer_upload takes it only from a caller with an
# API token or a session that passed the CSRF check, and only within its own body limit.
graphql_view = HearthGraphQLView.as_view(schema=schema, multipart_uploads_enabled=True)
