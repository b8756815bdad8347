"""Per-request batch loading for synchronous execution.

Every list of objects a resolver returns is a *batch*: each object remembers its siblings
(`_batch`). When a field needs related data for one object, the loader fetches it for the whole
batch in one query and caches it, so the next siblings find it ready. A page of 100 comments
costs one query per field level, not one per comment.
"""

from collections import defaultdict
from functools import cache, lru_cache

from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import Left, Length, RowNumber

from cms.models import Comment, Post, Reaction, Tag
from cms.models.comments import PATH_SEGMENT
from cms.permissions import is_moderator
from cms.prepared import PreparedQuery
from schema.pagination import PageArgs, encode_cursor, encode_path_cursor

COMMENT_ORDER = {"OLDEST_FIRST": "path", "NEWEST_FIRST": "-path"}
# Columns no field of a list of comments shows: the commenter's private data (only moderators
# read it, and they get it).
PRIVATE_COMMENT_FIELDS = ("author_email", "ip_address", "user_agent")
# A user's account fields, which no type shows: never loaded with a comment's or a post's author.
UNSHOWN_USER_COLUMNS = ("password", "email", "first_name", "last_name", "last_login",
                        "date_joined", "is_staff", "is_superuser")


def unshown_user_fields(relation: str) -> list[str]:
    return [f"{relation}__{column}" for column in UNSHOWN_USER_COLUMNS]


def with_authors(posts):
    """Posts with their authors, in the same query."""
    return posts.select_related("author").defer(*unshown_user_fields("author"))


def as_batch(objects: list) -> list:
    for obj in objects:
        obj._batch = objects
    return objects


def _batch_of(obj) -> list:
    return getattr(obj, "_batch", None) or [obj]


class Page:
    """One page of a connection: the rows with their cursors, and how it sits in the whole."""

    def __init__(self, rows: list, cursors: list[str], has_next: bool, has_previous: bool,
                 total):
        self.rows = as_batch(rows)
        self.cursors = cursors
        self.has_next = has_next
        self.has_previous = has_previous
        self._total = total

    @property
    def total(self) -> int:
        if callable(self._total):
            self._total = self._total()
        return self._total


def offset_cursors(start: int, count: int) -> list[str]:
    return [encode_cursor(offset) for offset in range(start, start + count)]


def paginate(queryset, args: PageArgs) -> Page:
    """Slice an ordered queryset. Forward pages read one extra row to know `hasNextPage`; the
    total comes from a window count in the same query when a row comes back."""
    if args.last is not None:
        total = queryset.count()
        start, stop = args.backward_window(total)
        rows = list(queryset[start:stop])
        return Page(rows, offset_cursors(start, len(rows)), stop < total, start > 0, total)
    start, stop = args.forward_window()
    rows = list(queryset.annotate(window_total=Window(Count("pk")))[start:stop])
    return forward_page(rows, start, args.first, queryset.count)


def forward_page(rows: list, start: int, first: int, count) -> Page:
    """A forward page from its rows (one more than `first` if there is a next page) with
    their window total; `count` counts when no row came back."""
    has_next = len(rows) > first
    rows = rows[:first]
    total = rows[0].window_total if rows else count
    return Page(rows, offset_cursors(start, len(rows)), has_next, start > 0, total)


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


# A thread cursor may be as deep as a request allows: the query reads at most this many of the
# ancestors its path names, so its cost does not grow with the cursor.
ANCESTORS_READ_WITH_A_PAGE = 100


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


class Loaders:
    def __init__(self, *, user=None, visitor_key: str | None = None):
        self.user = user if user is not None and user.is_authenticated else None
        self.visitor_key = visitor_key
        self._replies: dict[tuple, dict[int, Page]] = defaultdict(dict)
        self._tags: dict[int, list[Tag]] = {}
        self._viewer_reactions: dict[tuple[str, int], list[str]] = {}
        self._thread_reactions_read: set[int] = set()
        self._posts: dict[int, Post] = {}
        self._comments: dict[int, Comment] = {}

    def post_ids_shown(self) -> tuple[set[int], set[int]]:
        """(posts whose fields were read, posts whose comments were read): the content this
        response depends on, for cache tags."""
        comment_posts = {c.post_id for c in self._comments.values() if c is not None}
        return set(self._posts), comment_posts

    # Comments ------------------------------------------------------------------------------

    def top_level(self, post: Post, args: PageArgs, order: str) -> Page:
        """A page of `post`'s top-level comments."""
        moderator = is_moderator(self.user)
        if args.last is not None:
            page = paginate(top_level_rows(post.pk, moderator, order), args)
        else:
            start, stop = args.forward_window()
            rows = top_level_query(moderator, order, start, stop)(post=post.pk)
            # The queryset is built only to count, when the page came back empty.
            page = forward_page(rows, start, args.first,
                                lambda: top_level_rows(post.pk, moderator, order).count())
        self.remember(page.rows)
        return page

    def remember(self, comments: list[Comment]) -> list[Comment]:
        for comment in comments:
            self._comments[comment.pk] = comment
        return comments

    def replies(self, comment: Comment, args: PageArgs) -> Page:
        """The page of `comment`'s replies, loaded with those of its whole batch: a window per
        parent, so every comment gets its own `first` replies."""
        cache = self._replies[args]
        if comment.pk not in cache:
            batch = [c for c in _batch_of(comment) if c.pk not in cache]
            cache.update(self._load_replies([c.pk for c in batch], args))
            for parent in batch:
                cache.setdefault(parent.pk, Page([], [], False, args.start > 0, 0))
        return cache[comment.pk]

    def _load_replies(self, parent_ids: list[int], args: PageArgs) -> dict[int, Page]:
        backward = args.last is not None and args.before is None
        query = replies_query(is_moderator(self.user), backward, args.before is not None,
                              args.first is not None)
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
            self.remember(rows)
            pages[parent_id] = Page(rows, [encode_cursor(r.row - 1) for r in rows], has_next,
                                    has_previous, total)
        # The replies of every parent in this load are one batch, so their own replies load
        # together in the next query.
        as_batch([reply for page in pages.values() for reply in page.rows])
        return pages

    def thread(self, post: Post, first: int, after_path: str | None) -> Page:
        """A page of `post`'s thread in reading order, by keyset on `path`. After a cursor, the
        same query brings the cursor's comment and its nearest ancestors: the parents of the
        page's comments are then in hand (depth-first order), with no query per parent."""
        moderator = is_moderator(self.user)
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
            self.remember(as_batch([c for c in found if c.path <= after_path]))
            rows = [c for c in found if c.path > after_path]
        has_next = len(rows) > first
        rows = self.remember(rows[:first])
        return Page(rows, [encode_path_cursor(c.path) for c in rows], has_next,
                    after_path is not None, post.thread_count)

    def comment(self, comment_id: int) -> Comment | None:
        """A comment already loaded in this request, or from the database if the viewer may
        see it."""
        if comment_id not in self._comments:
            found = (Comment.objects.visible_to(self.user).select_related("user")
                     .filter(pk=comment_id).first())
            self._comments[comment_id] = found
        return self._comments[comment_id]

    def parent(self, comment: Comment) -> Comment | None:
        if comment.parent_id is None:
            return None
        if comment.parent_id not in self._comments:
            wanted = {c.parent_id for c in _batch_of(comment)
                      if c.parent_id and c.parent_id not in self._comments}
            found = (Comment.objects.visible_to(self.user).select_related("user")
                     .filter(pk__in=wanted))
            parents = list(found)
            as_batch(parents)
            self.remember(parents)
            for missing in wanted - {p.pk for p in parents}:
                self._comments[missing] = None
        return self._comments[comment.parent_id]

    # Posts ---------------------------------------------------------------------------------

    def remember_post(self, post: Post) -> Post:
        self._posts[post.pk] = post
        return post

    def post_of(self, comment: Comment) -> Post:
        if comment.post_id not in self._posts:
            wanted = {c.post_id for c in _batch_of(comment) if c.post_id not in self._posts}
            posts = as_batch(list(with_authors(Post.objects.filter(pk__in=wanted))))
            for post in posts:
                self._posts[post.pk] = post
        return self._posts[comment.post_id]

    def tags(self, post: Post) -> list[Tag]:
        if post.pk not in self._tags:
            batch = [p.pk for p in _batch_of(post) if p.pk not in self._tags]
            for pk in batch:
                self._tags[pk] = []
            links = (Post.tags.through.objects.filter(post_id__in=batch).select_related("tag")
                     .order_by("tag__name"))
            for link in links:
                self._tags[link.post_id].append(link.tag)
        return self._tags[post.pk]

    # Reactions -----------------------------------------------------------------------------

    def _reactor(self) -> Q | None:
        if self.user is not None:
            return Q(user=self.user)
        if self.visitor_key:
            return Q(visitor_key=self.visitor_key)
        return None

    def viewer_reactions(self, subject: Post | Comment) -> list[str]:
        """The kinds the viewer gave `subject`. For a comment, the viewer's reactions to its
        whole post and its comments are read at once; for a post, those of its batch."""
        reactor = self._reactor()
        if reactor is None:
            return []
        if isinstance(subject, Comment):
            if subject.post_id not in self._thread_reactions_read:
                self._thread_reactions_read.add(subject.post_id)
                self._read_reactions(reactor, [subject.post_id], with_comments=True)
            return self._viewer_reactions.get(("comment", subject.pk), [])
        if ("post", subject.pk) not in self._viewer_reactions:
            batch = [p.pk for p in _batch_of(subject)]
            # A post read alone is a post page: its comments' reactions come along.
            alone = len(batch) == 1
            if alone:
                self._thread_reactions_read.add(subject.pk)
            self._read_reactions(reactor, batch, with_comments=alone)
        return self._viewer_reactions[("post", subject.pk)]

    def _read_reactions(self, reactor: Q, post_ids: list[int], *, with_comments: bool) -> None:
        subjects = Q(post_id__in=post_ids)
        if with_comments:
            subjects |= Q(comment__post_id__in=post_ids)
        for post_id in post_ids:
            self._viewer_reactions.setdefault(("post", post_id), [])
        rows = Reaction.objects.filter(reactor, subjects).order_by("id")
        for post_id, comment_id, kind in rows.values_list("post_id", "comment_id", "kind"):
            key = ("post", post_id) if post_id else ("comment", comment_id)
            kinds = self._viewer_reactions.setdefault(key, [])
            if kind not in kinds:
                kinds.append(kind)
