"""Reads of reactions."""

from django.db.models import Q

from cms.models import Reaction


def reactions_given(*, post_ids: list[int], with_comments: bool, user_id: int | None = None,
                    visitor_key: str | None = None) -> list[tuple[int | None, int | None, str]]:
    """(post id, comment id, kind) of every reaction one reactor (an account, else a visitor)
    gave the posts of `post_ids`, and (`with_comments`) their comments, in the order given."""
    reactor = Q(user_id=user_id) if user_id is not None else Q(visitor_key=visitor_key)
    subjects = Q(post_id__in=post_ids)
    if with_comments:
        subjects |= Q(comment__post_id__in=post_ids)
    rows = Reaction.objects.filter(reactor, subjects).order_by("id")
    return list(rows.values_list("post_id", "comment_id", "kind"))
