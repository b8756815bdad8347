"""The start page, and the example blog that Hearth serves itself in development."""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.static import serve

from cms.selectors.posts import post_list_size
from schema.http import playground

BLOG = Path(settings.BASE_DIR) / "examples" / "blog"
LOCAL_PASSWORD = Path(settings.BASE_DIR) / "var" / "local-admin-password"


def start(request):
    """What is running and where to go: the playground, the admin, the example blog."""
    return render(request, "hearth/start.html", {
        "debug": settings.DEBUG,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "playground_installed": playground.installed(),
        "playground_url": reverse("graphql"),
        "admin_url": reverse("admin:index"),
        "blog_url": reverse("example-blog") if settings.DEBUG else None,
        "password_file": LOCAL_PASSWORD.relative_to(settings.BASE_DIR),
        "published": post_list_size(),
    })


def example_blog(request, path: str):
    """examples/blog on Hearth's own origin (development only), talking to this /graphql/."""
    if not settings.DEBUG:
        raise Http404("The example blog is served by Hearth only in development.")
    if path in ("", "index.html"):
        page = (BLOG / "index.html").read_text()
        api = request.build_absolute_uri(reverse("graphql"))
        page = page.replace('content="http://127.0.0.1:8000/graphql/"', f'content="{api}"', 1)
        return HttpResponse(page)
    return serve(request, path, document_root=BLOG)
