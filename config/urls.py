from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import include, path, reverse

from cms import mail_pages
from config.account_views import profile
from config.media import media
from config.views import example_blog, start
from feeds.views import comments_feed, posts_feed
from schema.http.playground import asset as playground_asset
from schema.http.views import graphql_view

site_login = admin.site.login


def admin_login(request, extra_context=None):
    """Unfold's login form has no hidden `next`, and LOGIN_REDIRECT_URL is the readers' profile:
    signing in at /admin/login/ without a `next` goes to the admin, not to that profile."""
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        request.GET = request.GET.copy()
        request.GET[REDIRECT_FIELD_NAME] = reverse("admin:index")
    return site_login(request, extra_context)


admin.site.login = admin_login

urlpatterns = [
    path("", start, name="start"),
    path("blog/", example_blog, {"path": ""}, name="example-blog"),
    path("blog/<path:path>", example_blog),
    path("admin/", admin.site.urls),
    path("graphql/playground/<str:name>", playground_asset, name="playground-asset"),
    path("graphql/", graphql_view, name="graphql"),
    path("graphql", graphql_view),
    # Reader accounts (issue 16): allauth's HTML pages, Hearth's profile page, the headless API.
    path("accounts/profile/", profile, name="account_profile"),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("mail/confirm/<str:token>/", mail_pages.confirm_subscription, name="mail-confirm"),
    path("mail/unsubscribe/<str:token>/", mail_pages.unsubscribe, name="mail-unsubscribe"),
    path("privacy/export/<str:token>/", mail_pages.export_personal_data, name="privacy-export"),
    path("privacy/erase/<str:token>/", mail_pages.erase_personal_data, name="privacy-erase"),
    path("feeds/posts/", posts_feed, name="feed-posts"),
    path("feeds/posts/<str:slug>/comments/", comments_feed, name="feed-comments"),
]

if settings.HEARTH_SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media"))
