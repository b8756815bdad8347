"""Reads for live subscriptions (schema/live/): the rows an event names, read once per server
process and event, and which readers may read the post, one query per kind of reader.

They run in one long-lived thread (asgiref's for synchronous code), outside any request, so
Django never closes that thread's connection: it is kept from event to event (opening one per
event would cost more than the reads) and replaced when it broke (`live_read`)."""

import functools

from django.db import connection

from cms.models import ApiToken, Comment, Post, User
from cms.models.tokens import hash_token
from cms.policies import Reader, visible_posts
from cms.selectors.users import unshown_user_fields


def live_read(read):
    @functools.wraps(read)
    def run(*args, **kwargs):
        if (connection.connection is not None and connection.errors_occurred
                and not connection.is_usable()):
            connection.close()
        return read(*args, **kwargs)

    return run


@live_read
def activity_rows(*, post_id: int, comment_id: int | None) -> tuple[Post | None, Comment | None]:
    """The post and comment an event names, as they are now (whoever may see them: each
    subscriber's view is decided apart). None for what is gone."""
    post = (Post.objects.select_related("author").defer(*unshown_user_fields("author"))
            .filter(pk=post_id).first())
    comment = None
    if comment_id is not None and post is not None:
        comment = (Comment.objects.select_related("user").defer(*unshown_user_fields("user"))
                   .filter(pk=comment_id, post_id=post_id).first())
    return post, comment


@live_read
def may_read_post(*, reader: Reader, post_id: int) -> bool:
    return visible_posts(reader).filter(pk=post_id).exists()


@live_read
def current_account(*, user_id: int, token: str | None) -> User | None:
    """The subscriber's account as it is now, if it may still read as itself: active, and the
    API token it came with (if any) not revoked. Its role is read here, with it."""
    if token is not None:
        found = (ApiToken.objects.select_related("user")
                 .filter(token_hash=hash_token(token), revoked_at__isnull=True).first())
        user = found.user if found is not None else None
    else:
        user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active or user.pk != user_id:
        return None
    user.role  # noqa: B018 - read now, in this thread
    return user
