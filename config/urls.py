from django.contrib import admin
from django.urls import path

from config.views import example_blog, start
from feeds.views import comments_feed, posts_feed
from schema.http.playground import asset as playground_asset
from schema.http.views import graphql_view

urlpatterns = [
    path("", start, name="start"),
    path("blog/", example_blog, {"path": ""}, name="example-blog"),
    path("blog/<path:path>", example_blog),
    path("admin/", admin.site.urls),
    path("graphql/playground/<str:name>", playground_asset, name="playground-asset"),
    path("graphql/", graphql_view, name="graphql"),
    path("graphql", graphql_view),
    path("feeds/posts/", posts_feed, name="feed-posts"),
    path("feeds/posts/<str:slug>/comments/", comments_feed, name="feed-comments"),
]
