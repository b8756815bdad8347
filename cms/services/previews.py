"""Draft preview without cookies: a signed, expiring token that opens one post, whatever its
status, to whoever holds it (a frontend's preview route, like Next.js draft mode expects)."""

from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.utils import timezone

from cms.models import Post
from cms.policies import require_can_preview

SALT = "hearth.preview"


def preview_token_create(*, actor, post: Post) -> tuple[str, datetime]:
    """A token for `post` and the time it stops working."""
    require_can_preview(actor, post)
    token = signing.dumps({"post": post.pk}, salt=SALT, compress=False)
    return token, timezone.now() + timedelta(seconds=settings.HEARTH_PREVIEW_TOKEN_SECONDS)


def post_id_from_preview_token(token: str) -> int | None:
    """The post a token opens, or None when it is forged, tampered with or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.HEARTH_PREVIEW_TOKEN_SECONDS)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    post_id = data.get("post") if isinstance(data, dict) else None
    return post_id if isinstance(post_id, int) else None


def preview_url(post: Post, token: str) -> str:
    """The frontend's preview address (HEARTH_PREVIEW_URL with {slug}, {id} and {token})."""
    return settings.HEARTH_PREVIEW_URL.format(slug=quote(post.slug), id=post.pk,
                                              token=quote(token, safe=":"))
