"""Reads of posts and their tags: lists for a reader, one post by slug, id or preview token,
posts and tags by ids."""

from functools import cache, lru_cache
from urllib.parse import unquote

from django.db.models import Count, Min, Q, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from cms.models import Post, Tag
from cms.models.posts import PostStatus, is_live, is_scheduled
from cms.policies import ANONYMOUS, Reader, visible_posts, visible_tags
from cms.prepared import PreparedQuery
from cms.selectors.pagination import Page, PageArgs, forward_page, paginate
from cms.selectors.users import unshown_user_fields
from cms.services import previews

# The text of a post, which a list rarely shows: left in the database unless asked for.
TEXT_FIELDS = ("body", "html")
MAX_SEARCH_WORDS = 10


def with_authors(posts):
    """Posts with their authors, in the same query."""
    return posts.select_related("author").defer(*unshown_user_fields("author"))


def newest_first(posts):
    return posts.order_by(Coalesce("published_at", "created_at").desc(), "-id")


def _status_is(status: str, now) -> Q:
    """A post's public status (DRAFT, SCHEDULED, PUBLISHED, ARCHIVED) as a condition."""
    return {
        "DRAFT": Q(status=PostStatus.DRAFT),
        "ARCHIVED": Q(status=PostStatus.ARCHIVED),
        "SCHEDULED": is_scheduled(now),
        "PUBLISHED": is_live(now),
    }[status]


def _filtered(posts, *, tag: str | None, author: str | None, search: str | None,
              status: str | None):
    if tag:
        posts = posts.filter(tags__slug=tag)
    if author:
        posts = posts.filter(author__slug=author)
    if search:
        for word in search.split()[:MAX_SEARCH_WORDS]:
            posts = posts.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if status:
        posts = posts.filter(_status_is(status, timezone.now()))
    return posts


def post_list(*, reader: Reader, args: PageArgs, author_id: int | None = None,
              tag_id: int | None = None, tag: str | None = None, author: str | None = None,
              search: str | None = None, status: str | None = None,
              oldest_first: bool = False, with_text: tuple[str, ...] = TEXT_FIELDS) -> Page:
    """A page of the posts `reader` may read, newest first (or oldest): of one author or tag
    (by id), narrowed by tag or author slug, words in title or body, and public status. Of the
    post's text, only the `with_text` fields are read."""
    unread = tuple(name for name in TEXT_FIELDS if name not in with_text)
    narrowed = (author_id, tag_id, tag, author, search, status)
    if args.last is None and all(value is None or value == "" for value in narrowed):
        # The plain list, forward: prepared (the page's SQL compiled once, the posts and their
        # authors made without Model.__init__), like a page of top-level comments.
        start, stop = args.forward_window()
        query = _list_query(reader.is_signed_in, reader.is_moderator, oldest_first, unread,
                            start, stop)
        rows = query(now=timezone.now(), user=reader.pk or 0)
        return forward_page(rows, start, args.first, visible_posts(reader).count)
    posts = visible_posts(reader)
    if author_id is not None:
        posts = posts.filter(author=author_id)
    if tag_id is not None:
        posts = posts.filter(tags=tag_id)
    posts = newest_first(_filtered(posts, tag=tag, author=author, search=search, status=status))
    if oldest_first:
        posts = posts.reverse()
    return paginate(with_authors(posts).defer(*unread), args)


@lru_cache(maxsize=256)
def _list_query(signed_in: bool, moderator: bool, oldest_first: bool, unread: tuple[str, ...],
                start: int, stop: int) -> PreparedQuery:
    """Rows `start` to `stop` of the posts a reader may read, newest (or oldest) first, with
    their authors and total."""

    def build(now, user):
        reader = Reader(pk=user if signed_in else None, is_moderator=moderator)
        posts = newest_first(visible_posts(reader, now=now))
        if oldest_first:
            posts = posts.reverse()
        posts = with_authors(posts).defer(*unread)
        return posts.annotate(window_total=Window(Count("pk")))[start:stop]

    return PreparedQuery(build)


@cache
def _post_lookup(field: str, with_author: bool, signed_in: bool, moderator: bool,
                 preview: bool) -> PreparedQuery:
    def build(key, now, user, opened):
        if preview:
            posts = Post.objects.not_trashed().filter(pk=opened)
        else:
            reader = Reader(pk=user, is_moderator=moderator) if signed_in else ANONYMOUS
            posts = visible_posts(reader, now=now)
        posts = posts.filter(**{field: key}).order_by()[:1]
        return with_authors(posts) if with_author else posts

    return PreparedQuery(build)


def post_lookup(field: str, with_author: bool, reader: Reader, *,
                preview: bool) -> PreparedQuery:
    """One post by `field` that the reader may see, or with a preview the post it opens; run
    with `key`, `now`, `user` (the reader's id, or 0) and `opened` (the previewed post's id, or
    0). Prepared once per kind of reader, whose id is a value. Slug and id are unique: no ORDER
    BY to compile or run."""
    return _post_lookup(field, with_author, reader.is_signed_in, reader.is_moderator, preview)


def post_get(*, reader: Reader, slug: str | None = None, pk: int | None = None,
             preview_token: str | None = None, with_author: bool = False) -> Post | None:
    """The post of `slug` or `pk` that `reader` may read; with a preview token, the post the
    token opens whatever its status (None for a bad or expired token). A slug no post has now
    finds the post that had it before (OldSlug); its `slug` is the current one. A slug is
    percent-decoded first, as a frontend may pass an old non-Latin permalink as it was in the
    address (old slugs are kept decoded; Hearth's own slugs hold no "%")."""
    opened = None
    if preview_token is not None:
        opened = previews.post_id_from_preview_token(preview_token)
        if opened is None:
            return None
    if slug is not None and "%" in slug:
        slug = unquote(slug, errors="replace")
    fields = ("slug", "old_slugs__slug") if slug is not None else ("pk",)
    for field in fields:  # a slug the post had before (an old permalink) if no post has it now
        lookup = post_lookup(field, with_author, reader, preview=opened is not None)
        found = lookup(key=slug if slug is not None else pk, now=timezone.now(),
                       user=reader.pk or 0, opened=opened or 0)
        if found:
            return found[0]
    return None


def post_visible(*, reader: Reader, pk: int) -> Post | None:
    """The post `pk`, if `reader` may read it: the target of a write."""
    return visible_posts(reader).filter(pk=pk).first()


def post_list_size(*, reader: Reader = ANONYMOUS) -> int:
    """How many posts `reader` may read (the public, by default)."""
    return visible_posts(reader).count()


def post_in_trash(*, reader: Reader, pk: int) -> Post | None:
    """The trashed post `pk`, if `reader` could read it out of the trash: the target of a
    restore."""
    return (visible_posts(reader, with_trashed=True)
            .filter(pk=pk, trashed_at__isnull=False).first())


def posts_by_ids(*, reader: Reader, ids: list[int]) -> dict[int, Post]:
    """The posts of `ids` that `reader` may read, with their authors."""
    return {post.pk: post for post in with_authors(visible_posts(reader)).filter(pk__in=ids)}


def posts_of_comments(*, ids) -> list[Post]:
    """Posts by id, with their authors, for comments already shown (whose posts the reader
    may read)."""
    return list(with_authors(Post.objects.filter(pk__in=ids)))


def tags_of_posts(*, post_ids: list[int]) -> dict[int, list[Tag]]:
    """Each post's tags, by name."""
    tags: dict[int, list[Tag]] = {pk: [] for pk in post_ids}
    links = (Post.tags.through.objects.filter(post_id__in=post_ids).select_related("tag")
             .order_by("tag__name"))
    for link in links:
        tags[link.post_id].append(link.tag)
    return tags


def tags_by_ids(*, reader: Reader, ids: list[int]) -> dict[int, Tag]:
    return {tag.pk: tag for tag in visible_tags(reader).filter(pk__in=ids)}


def latest_posts(*, limit: int) -> list[Post]:
    """The newest `limit` posts anyone may read (live ones), with their authors: a feed's."""
    return list(newest_first(with_authors(visible_posts(ANONYMOUS)))[:limit])


def next_publication(*, now):
    """When the next scheduled post goes live, or None."""
    return Post.objects.filter(is_scheduled(now)).aggregate(next=Min("published_at"))["next"]
