"""The media files (MEDIA_URL) served by Hearth itself, in development (HEARTH_SERVE_MEDIA): a
file's name is content-addressed, so it never changes and may be cached for a year. Production
serves MEDIA_ROOT from the web server, or the files from a bucket and a CDN (README, *Images*)."""

from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve

IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def media(request, path: str):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = IMMUTABLE
    # Whatever a file holds, a browser never runs it as a page of this origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
