"""Hearth's own URLs, plus the floor and the strawberry-django contenders (naive, optimized)."""

from django.urls import path

from benchmarks import floor
from benchmarks.naive_schema import naive_view
from benchmarks.optimized_schema import optimized_view
from config.urls import urlpatterns as hearth_urlpatterns

urlpatterns = [
    *hearth_urlpatterns,
    *floor.urlpatterns,
    path("naive/graphql/", naive_view),
    path("optimized/graphql/", optimized_view),
]
