"""Reads of comments: a post's top-level page, reply windows for many parents at once, a
thread page in reading order, comments by id, and the moderation queue.

Which comments a thread shows is `Comment.objects.in_thread()`; which columns a reader gets is
decided here: a commenter's e-mail, IP address and browser only for moderators
(`policies.sees_private_comment_fields`), the account fields of a comment's user for nobody.
"""

from collections import defaultdict
from functools import cache, lru_cache

from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import Left, Length, RowNumber

from cms.models import Comment, CommentStatus
from cms.models.comments import PATH_SEGMENT
from cms.policies import (
    Reader,
    require_moderation_queue_reader,
    sees_private_comment_fields,
    visible_comments,
)
from cms.prepared import PreparedQuery
from cms.selectors.pagination import (
    Page,
    PageArgs,
    as_batch,
    encode_cursor,
    encode_path_cursor,
    forward_page,
    paginate,
)
from cms.selectors.users import unshown_user_fields

COMMENT_ORDER = {"OLDEST_FIRST": "path", "NEWEST_FIRST": "-path"}
# The commenter's private data: only moderators read it, and they get it.
PRIVATE_COMMENT_FIELDS = ("author_email", "ip_address", "user_agent")
# A thread cursor may be as deep as a request allows: the query reads at most this many of the
# ancestors its path names, so its cost does not grow with the cursor.
ANCESTORS_READ_WITH_A_PAGE = 100


def comment_rows(queryset, moderator: bool):
    """A thread's rows of `queryset`, with their users, and only the columns shown."""
    queryset = queryset.in_thread().select_related("user").defer(*unshown_user_fields("user"))
    return queryset if moderator else queryset.defer(*PRIVATE_COMMENT_FIELDS)


def top_level_rows(post_id: int, moderator: bool, order: str):
    top_level = Comment.objects.filter(post_id=post_id, parent__isnull=True)
    return comment_rows(top_level, moderator).order_by(order)


@lru_cache(maxsize=256)
def top_level_query(moderator: bool, order: str, start: int, stop: int):
    """Rows `start` to `stop` of a post's top-level comments, with their total."""

    def build(post):
        rows = top_level_rows(post, moderator, order)
        return rows.annotate(window_total=Window(Count("pk")))[start:stop]

    return PreparedQuery(build)


@cache
def replies_query(moderator: bool, backward: bool, before: bool, forward: bool):
    """Replies of many parents, a window of rows per parent: rows after `start`, and up to
    `before`, the last `back` rows (`backward`) or the first `limit` rows (`forward`)."""

    def build(parents, start, before_row, back, limit):
        queryset = comment_rows(Comment.objects.filter(parent_id__among=parents), moderator)
        queryset = queryset.annotate(
            row=Window(RowNumber(), partition_by=F("parent_id"), order_by=F("path").asc()),
            window_total=Window(Count("pk"), partition_by=F("parent_id")),
        )
        if backward:
            queryset = queryset.annotate(back_row=Window(
                RowNumber(), partition_by=F("parent_id"), order_by=F("path").desc()))
        queryset = queryset.filter(row__gt=start)  # row is 1-based: offset n is row n + 1
        if before:
            queryset = queryset.filter(row__lte=before_row)
        if backward:
            queryset = queryset.filter(back_row__lte=back)
        elif forward:
            queryset = queryset.filter(row__lte=limit)
        return queryset.order_by("parent_id", "path")

    return PreparedQuery(build)


@lru_cache(maxsize=256)
def thread_query(moderator: bool, limit: int, after: bool):
    """`limit` comments of a post in path order; after a path, with the ancestors (by id). An
    ancestor counts only if its path begins `after_path`, so a forged cursor naming any
    comments loads no more than the real ancestors of its position."""

    def build(post, after_path, ancestors):
        queryset = comment_rows(Comment.objects.filter(post_id=post), moderator).order_by("path")
        if after:
            is_ancestor = Q(pk__among=ancestors, path=Left(Value(after_path), Length("path")))
            queryset = queryset.filter(Q(path__gt=after_path) | is_ancestor)
        return queryset[:limit]

    return PreparedQuery(build)


def top_level_page(*, post_id: int, reader: Reader, args: PageArgs,
                   order: str = "OLDEST_FIRST") -> Page:
    """A page of a post's top-level comments, as the thread shows them."""
    moderator = sees_private_comment_fields(reader)
    order_by = COMMENT_ORDER[order]
    if args.last is not None:
        return paginate(top_level_rows(post_id, moderator, order_by), args)
    start, stop = args.forward_window()
    rows = top_level_query(moderator, order_by, start, stop)(post=post_id)
    # The queryset is built only to count, when the page came back empty.
    return forward_page(rows, start, args.first,
                        lambda: top_level_rows(post_id, moderator, order_by).count())


def reply_pages(*, parent_ids: list[int], reader: Reader, args: PageArgs) -> dict[int, Page]:
    """The page of replies of each parent that has any, in one query: a window per parent,
    so every parent gets its own `first` (or `last`) replies. The replies of all the parents
    are one batch."""
    backward = args.last is not None and args.before is None
    query = replies_query(sees_private_comment_fields(reader), backward,
                          args.before is not None, args.first is not None)
    found = query(parents=parent_ids, start=args.start, before_row=args.before or 0,
                  back=(args.last or 0) + 1, limit=args.start + (args.first or 0) + 1)
    grouped: dict[int, list[Comment]] = defaultdict(list)
    for reply in found:
        grouped[reply.parent_id].append(reply)
    pages = {}
    for parent_id, rows in grouped.items():
        total = rows[0].window_total
        if args.last is not None:
            has_previous = len(rows) > args.last
            rows = rows[-args.last:] if args.last else []
            has_next = bool(rows) and rows[-1].row < total
        else:
            has_next = len(rows) > args.first
            rows = rows[: args.first]
            has_previous = args.start > 0
        pages[parent_id] = Page(rows, [encode_cursor(r.row - 1) for r in rows], has_next,
                                has_previous, total)
    # So that their own replies load together in the next query.
    as_batch([reply for page in pages.values() for reply in page.rows])
    return pages


def thread_page(*, post, reader: Reader, first: int,
                after_path: str | None = None) -> tuple[Page, list[Comment]]:
    """A page of `post`'s thread in reading order, by keyset on `path`, and the ancestors read
    with it. After a cursor, the same query brings the cursor's comment and its nearest
    ancestors: the parents of the page's comments are then in hand (depth-first order), with
    no query per parent."""
    moderator = sees_private_comment_fields(reader)
    ancestors_found: list[Comment] = []
    if after_path is None:
        rows = thread_query(moderator, first + 1, False)(post=post.pk, after_path="",
                                                          ancestors=[])
    else:
        # The nearest ancestors, which most rows hang under; other parents load alone.
        nearest = after_path[-ANCESTORS_READ_WITH_A_PAGE * PATH_SEGMENT:]
        ancestors = [int(nearest[i:i + PATH_SEGMENT])
                     for i in range(0, len(nearest), PATH_SEGMENT)]
        query = thread_query(moderator, first + 1 + len(ancestors), True)
        found = query(post=post.pk, after_path=after_path, ancestors=ancestors)
        ancestors_found = as_batch([c for c in found if c.path <= after_path])
        rows = [c for c in found if c.path > after_path]
    has_next = len(rows) > first
    rows = rows[:first]
    page = Page(rows, [encode_path_cursor(c.path) for c in rows], has_next,
                after_path is not None, post.thread_count)
    return page, ancestors_found


def comment_get(*, reader: Reader, pk: int) -> Comment | None:
    """One comment `reader` may open, with its user."""
    return visible_comments(reader).select_related("user").filter(pk=pk).first()


def comment_visible(*, reader: Reader, pk: int) -> Comment | None:
    """The comment `pk`, if `reader` may open it: the target of a write."""
    return visible_comments(reader).filter(pk=pk).first()


def comment_any(*, pk: int) -> Comment | None:
    """The comment `pk` whoever may see it: a reply's parent, which the service checks."""
    return Comment.objects.filter(pk=pk).first()


def comments_by_ids(*, reader: Reader, ids) -> list[Comment]:
    """The comments of `ids` that `reader` may open, with their users, as one batch."""
    return as_batch(list(visible_comments(reader).select_related("user").filter(pk__in=ids)))


def latest_approved_comments(*, post_id: int, limit: int) -> list[Comment]:
    """The newest `limit` approved comments of post `post_id` (which the caller found visible),
    with their users, without the commenters' private fields: what anyone may see of them."""
    comments = Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
    comments = comments.select_related("user").defer(*unshown_user_fields("user"))
    return list(comments.defer(*PRIVATE_COMMENT_FIELDS).order_by("-created_at", "-id")[:limit])


def moderation_queue(*, reader: Reader, args: PageArgs, status: str = "pending") -> Page:
    """Comments of `status` (awaiting a decision by default), oldest first: moderators only.
    Comments on a post in the trash wait with it."""
    require_moderation_queue_reader(reader)
    comments = (Comment.objects.filter(status=status, post__trashed_at__isnull=True)
                .select_related("user")
                .order_by("created_at", "id"))
    return paginate(comments, args)


def pending_comment_count() -> int:
    """Comments awaiting a decision, as the moderation queue lists them."""
    return Comment.objects.filter(status=CommentStatus.PENDING,
                                  post__trashed_at__isnull=True).count()
