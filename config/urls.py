from django.contrib import admin
from django.urls import path

from schema.http.playground import asset as playground_asset
from schema.http.views import graphql_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/playground/<str:name>", playground_asset, name="playground-asset"),
    path("graphql/", graphql_view, name="graphql"),
    path("graphql", graphql_view),
]
