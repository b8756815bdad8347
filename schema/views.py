"""The /graphql/ endpoint: JSON in, JSON out, and the playground for browsers."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView
from cross_web import HTTPException

from schema import schema
from schema.auth import Refused, authenticate, client_ip, visitor
from schema.context import Context


def error_response(status: int, message: str, code: str | None = None) -> JsonResponse:
    error = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JsonResponse({"data": None, "errors": [error]}, status=status)


class HearthGraphQLView(GraphQLView):
    graphql_ide = "graphiql"
    allow_queries_via_get = True

    def dispatch(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return error_response(413, "The request body is too large.", "INVALID")
        try:
            request.hearth_user = authenticate(request)
            return self.run(request=request)
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.code)
        except HTTPException as error:
            return error_response(error.status_code, error.reason, "BAD_REQUEST")
        except RequestDataTooBig:
            return error_response(413, "The request body is too large.", "INVALID")

    def get_context(self, request, response) -> Context:
        key, token, token_error = visitor(request)
        return Context(request=request, response=response, user=request.hearth_user,
                       visitor_key=key, visitor_token=token, visitor_token_error=token_error,
                       client_ip=client_ip(request))

    def encode_json(self, data) -> str:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


graphql_view = csrf_exempt(HearthGraphQLView.as_view(schema=schema))
