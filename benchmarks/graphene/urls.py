from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView

from benchmarks.graphene.schema import ValidatedDocumentsView, build_schema

urlpatterns = [
    path("graphene/graphql/", csrf_exempt(GraphQLView.as_view(schema=build_schema(tuned=False)))),
    path("graphene-tuned/graphql/",
         csrf_exempt(ValidatedDocumentsView.as_view(schema=build_schema(tuned=True)))),
]
