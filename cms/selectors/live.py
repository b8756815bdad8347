"""Reads for live subscriptions (schema/live/): the rows an event names, read once per server
process and event, and which readers may read the post, one query per kind of reader."""

from cms.models import Comment, Post
from cms.policies import Reader, visible_posts
from cms.selectors.users import unshown_user_fields


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


def may_read_post(*, reader: Reader, post_id: int) -> bool:
    return visible_posts(reader).filter(pk=post_id).exists()
