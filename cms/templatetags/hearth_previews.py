"""`{% post_preview_url post user as url %}`: the frontend preview address with a fresh token, or
an empty string when `user` may not preview `post`."""

from django import template

from cms.errors import DomainError
from cms.services.previews import preview_token_create, preview_url

register = template.Library()


@register.simple_tag
def post_preview_url(post, user) -> str:
    if post is None or post.pk is None:
        return ""
    try:
        token, _ = preview_token_create(actor=user, post=post)
    except DomainError:
        return ""
    return preview_url(post, token)
