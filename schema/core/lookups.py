"""What a mutation acts on, by global ID, through the selectors: the caller's NOT_FOUND for an
object that does not exist or that it may not see."""

from functools import partial

from cms import models
from cms.policies import require_moderator
from cms.selectors.comments import comment_visible
from cms.selectors.posts import post_in_trash, post_visible
from cms.selectors.users import active_account
from schema.core.context import Info
from schema.core.ids import load_visible


def visible_post(info: Info, value: str, field: str = "id") -> models.Post:
    return load_visible(partial(post_visible, reader=info.context.reader), value, field=field,
                        type_name="Post")


def visible_comment(info: Info, value: str, field: str = "id") -> models.Comment:
    return load_visible(partial(comment_visible, reader=info.context.reader), value,
                        field=field, type_name="Comment")


def trashed_post(info: Info, value: str, field: str = "id") -> models.Post:
    return load_visible(partial(post_in_trash, reader=info.context.reader), value, field=field,
                        type_name="Post")


def new_author(info: Info, value: str | None, field: str = "authorId") -> models.User | None:
    """The account a post is given to; only editors and administrators may name one, so nobody
    else learns which ids exist."""
    if value is None:
        return None
    require_moderator(info.context.user)
    return load_visible(active_account, value, field=field, type_name="Author")
