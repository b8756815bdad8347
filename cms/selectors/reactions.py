"""Reads of reactions."""

from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from cms.models import Reaction
from cms.models.reactions import LISTED
from cms.selectors.pagination import Page, offset_cursors

# What a reactor list shows of an account: its public profile, never its e-mail or login name.
PUBLIC_PROFILE = ("user__id", "user__display_name", "user__avatar_url", "user__slug")


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


def reactor_count(*, subject: str, subject_id: int, kind: str | None):
    """The number of accounts listed among a subject's reactors, counted when called."""
    rows = Reaction.objects.filter(LISTED, user__is_active=True, **{f"{subject}_id": subject_id})
    if kind is not None:
        rows = rows.filter(kind=kind)
    return lambda: rows.values("user_id").distinct().count()


def reactor_pages(*, subject: str, subject_ids: list[int], kind: str | None,
                  start: int, first: int) -> dict[int, Page]:
    """For each post (`subject` "post") or comment ("comment") of `subject_ids`, the page of
    accounts that reacted (of `kind`, or of any kind, each account once), newest first, from
    offset `start`, `first` of them: one query for every subject, a window per subject. Guests
    and private reactions are never listed, nor inactive accounts; only the public profile of
    an account is loaded."""
    column = f"{subject}_id"
    rows = Reaction.objects.filter(LISTED, user__is_active=True, **{f"{column}__in": subject_ids})
    if kind is not None:
        rows = rows.filter(kind=kind)
    else:  # an account that gave several kinds is listed once, at its newest
        newer = Reaction.objects.filter(LISTED, user_id=OuterRef("user_id"),
                                        **{column: OuterRef(column)}).filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")))
        rows = rows.filter(~Exists(newer))
    newest_first = [F("created_at").desc(), F("pk").desc()]
    rows = (rows.annotate(row=Window(RowNumber(), partition_by=F(column), order_by=newest_first),
                          window_total=Window(Count("pk"), partition_by=F(column)))
            .filter(row__gt=start, row__lte=start + first + 1)
            .select_related("user").only(column, "created_at", *PUBLIC_PROFILE)
            .order_by(column, "row"))
    grouped: dict[int, list[Reaction]] = defaultdict(list)
    for reaction in rows:
        grouped[getattr(reaction, column)].append(reaction)
    pages = {}
    for subject_id in subject_ids:
        found = grouped.get(subject_id, [])
        total = found[0].window_total if found else 0
        if not found and start > 0:  # past the end: the total is counted only if asked for
            total = reactor_count(subject=subject, subject_id=subject_id, kind=kind)
        users = [reaction.user for reaction in found[:first]]
        pages[subject_id] = Page(users, offset_cursors(start, len(users)), len(found) > first,
                                 start > 0, total)
    return pages
