"""F, the floor: what the same pages cost in plain Django at its fastest. Each query is a
`values()` queryset compiled to SQL once per thread (`Compiled`), then run with new values and
no per-request building or compiling, as hand-written SQL would be; the tree is built in Python
and encoded with orjson as Hearth encodes its answers. The responses have the shape of
Hearth's GraphQL responses (same ids, cursors and field names), so sizes compare and the smoke
test can compare them. `cached_post_page` is F with its JSON kept in Django's cache (the cache
Hearth's result cache uses), the like-for-like for a cached read."""

import base64
import hashlib
import json
import threading
from collections import defaultdict
from datetime import UTC, datetime

import orjson
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection as db
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cms.errors import DomainError
from cms.models import Comment, CommentStatus, Post, Reaction
from cms.models.reactions import ReactionKind
from cms.prepared import Among, id_list
from cms.services import comments as comment_services
from cms.services import reactions as reaction_services
from cms.visitors import new_visitor, visitor_key_from_token

# A list of ids as one parameter (`= ANY(%s)`, `json_each(%s)`), so the SQL is the same for any
# number of them; Hearth registers the same lookup on Comment.id and Comment.parent.
for _field in (Reaction._meta.get_field("comment"), Reaction._meta.get_field("post"),
               Post.tags.through._meta.get_field("post")):
    _field.register_lookup(Among)

KINDS = ReactionKind.values
COUNT_FIELDS = [f"reactions_{k}" for k in KINDS]
COMMENT_FIELDS = ["id", "parent_id", "depth", "html", "created_at", "status", "author_name",
                  "author_url", "user_id", "user__display_name", "user__username", "reply_count",
                  "descendant_count", *COUNT_FIELDS]


def _marker(index: int, value):
    """A stand-in for `value` that no real value or constant of the query equals."""
    if isinstance(value, str):
        return f"\x00floor-{index}\x00"
    if isinstance(value, datetime):
        return datetime(1901, 1, 1, 0, 0, 0, 100_000 + index, tzinfo=UTC)
    if isinstance(value, list):
        return [-2_000_000_000 - index]
    return -2_000_000_000 - index


def _db_value(value):
    if isinstance(value, datetime):
        return db.ops.adapt_datetimefield_value(value)
    if isinstance(value, list):
        return id_list(db, value)
    return value


def _key(param):
    return tuple(param) if isinstance(param, list) else param


class Compiled:
    """A `values()` queryset compiled to SQL once per thread, then run with new values: no
    queryset built and nothing compiled per request, the rows converted as `values()` converts
    them. `build(**values)` must give the same SQL whatever the values (they are compared with
    columns only); a slice is part of the SQL."""

    def __init__(self, build):
        self.build = build
        self.local = threading.local()

    def __call__(self, **values) -> list[dict]:
        compiled = getattr(self.local, "compiled", None)
        if compiled is None:
            compiled = self.local.compiled = self.compile(values)
        compiler, sql, slots, converters, names = compiled
        params = [_db_value(values[name]) if name else constant for name, constant in slots]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def compile(self, values: dict) -> tuple:
        markers = {name: _marker(i, value) for i, (name, value) in enumerate(values.items())}
        query = self.build(**markers).query
        compiler = query.get_compiler(using=db.alias)
        sql, params = compiler.as_sql()
        by_marker = {_key(_db_value(marker)): name for name, marker in markers.items()}
        slots = [(by_marker.get(_key(param)), param) for param in params]
        missing = set(markers) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"values not in the SQL: {missing}")
        converters = compiler.get_converters(
            [column for column, _, _ in compiler.select[:compiler.col_count]])
        names = list(query.selected) if query.selected else [
            *query.extra_select, *query.values_select, *query.annotation_select]
        return compiler, sql, slots, converters, names


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cursor(offset: int) -> str:
    return base64.b64encode(f"o:{offset}".encode()).decode()


def path_cursor(path: str) -> str:
    return base64.b64encode(f"p:{path}".encode()).decode()


def offset_after(value: str | None) -> int:
    return 0 if not value else int(base64.b64decode(value).decode()[2:]) + 1


def respond(data: dict) -> HttpResponse:
    return HttpResponse(orjson.dumps({"data": data}), content_type="application/json")


def viewer_key(request) -> str | None:
    token = request.headers.get("X-Visitor-Token")
    if not token:
        return None
    try:
        return visitor_key_from_token(token)
    except DomainError:
        return None


def _viewer_rows(subjects):
    return Compiled(lambda key, **ids: Reaction.objects.filter(subjects(**ids), visitor_key=key)
                    .order_by("id").values("post_id", "comment_id", "kind"))


# The visitor's own reactions: to comments, to a post and comments, to posts.
VIEWER = {"comments": _viewer_rows(lambda comments: Q(comment__among=comments)),
          "post": _viewer_rows(lambda post, comments: Q(post_id=post) | Q(comment__among=comments)),
          "posts": _viewer_rows(lambda posts: Q(post__among=posts))}


def viewer_kinds(key: str | None, shape: str, **ids) -> dict[tuple[str, int], list[str]]:
    found = defaultdict(list)
    if key is None:
        return found
    for row in VIEWER[shape](key=key, **ids):
        subject = ("post", row["post_id"]) if row["post_id"] else ("comment", row["comment_id"])
        kind = row["kind"].upper()
        if kind not in found[subject]:
            found[subject].append(kind)
    return found


def reactions(row: dict, viewer: list[str]) -> dict:
    counts = sorted(((k, row[f"reactions_{k}"]) for k in KINDS if row[f"reactions_{k}"]),
                    key=lambda item: -item[1])
    return {"total": sum(row[f] for f in COUNT_FIELDS),
            "counts": [{"kind": k.upper(), "count": n} for k, n in counts],
            "viewerReactions": viewer}


def comment_node(row: dict, viewer: dict, *, thread: bool) -> dict:
    shown = row["status"] == CommentStatus.APPROVED
    name = (row["user__display_name"] or row["user__username"]) if row["user_id"] else row[
        "author_name"]
    node = {"id": gid("Comment", row["id"]), "depth": row["depth"],
            "html": row["html"] if shown else "", "createdAt": row["created_at"].isoformat(),
            "author": {"name": name if shown else "",
                       "url": (row["author_url"] or None) if shown else None}}
    if thread:
        node["parent"] = {"id": gid("Comment", row["parent_id"])} if row["parent_id"] else None
    else:
        node["replyCount"], node["descendantCount"] = row["reply_count"], row["descendant_count"]
    node["reactions"] = reactions(row, viewer.get(("comment", row["id"]), []))
    return node


def connection(nodes: list, offsets: list[int], has_next: bool, has_previous: bool, total: int):
    return {"totalCount": total,
            "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_previous,
                         "endCursor": cursor(offsets[-1]) if offsets else None},
            "edges": [{"node": n} for n in nodes]}


def _live_post(*fields) -> Compiled:
    return Compiled(lambda slug, now: Post.objects.live(now).filter(slug=slug)
                    .values("id", *fields)[:1])


LIVE_POST = {
    "small": _live_post("slug", "title", "published_at", "comment_count"),
    "thread": _live_post("thread_count"),
    "page": _live_post("title", "html", "published_at", "comment_count", "author__display_name",
                       "author__avatar_url", *COUNT_FIELDS),
}


def live_post(shape: str, slug: str) -> dict | None:
    rows = LIVE_POST[shape](slug=slug, now=timezone.now())
    return rows[0] if rows else None


def small(request, slug):
    post = live_post("small", slug)
    if post is None:
        return respond({"post": None})
    return respond({"post": {"id": gid("Post", post["id"]), "slug": post["slug"],
                             "title": post["title"], "commentCount": post["comment_count"],
                             "publishedAt": post["published_at"].isoformat()}})


# A thread page by keyset on the (post, path) index; "" comes before every path.
THREAD_PAGE = Compiled(lambda post, after: Comment.objects.filter(post_id=post, path__gt=after)
                       .in_thread().order_by("path").values(*COMMENT_FIELDS, "path")[:101])


def thread(request, slug):
    """R1, one page: `thread(first: 100, after:)`, read as Hearth reads it: by keyset on the
    (post, path) index, the total from the post's stored thread count."""
    first = 100
    after = request.GET.get("after")
    after_path = base64.b64decode(after).decode()[2:] if after else None
    post = live_post("thread", slug)
    if post is None:
        return respond({"post": None})
    rows = THREAD_PAGE(post=post["id"], after=after_path or "")
    has_next, rows = len(rows) > first, rows[:first]
    viewer = viewer_kinds(viewer_key(request), "comments", comments=[r["id"] for r in rows])
    nodes = [comment_node(r, viewer, thread=True) for r in rows]
    end_cursor = path_cursor(rows[-1]["path"]) if rows else None
    page = connection(nodes, [], has_next, after_path is not None, post["thread_count"])
    page["pageInfo"]["endCursor"] = end_cursor
    return respond({"post": {"thread": page}})


# Each parent's first 6 replies (5 shown), with their row number and the parent's total.
REPLIES = Compiled(lambda parents: Comment.objects.filter(parent__among=parents).in_thread()
                   .annotate(row=Window(RowNumber(), partition_by=F("parent_id"),
                                        order_by=F("path").asc()),
                             total=Window(Count("pk"), partition_by=F("parent_id")))
                   .filter(row__lte=6).order_by("parent_id", "path")
                   .values(*COMMENT_FIELDS, "row", "total"))


def replies_of(parent_ids: list[int]) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for row in REPLIES(parents=parent_ids):
        grouped[row["parent_id"]].append(row)
    return grouped


def reply_connection(rows: list[dict], first: int, viewer: dict, children: dict | None) -> dict:
    shown = rows[:first]
    nodes = []
    for row in shown:
        node = comment_node(row, viewer, thread=False)
        if children is not None:
            node["replies"] = reply_connection(children.get(row["id"], []), first, viewer, None)
        nodes.append(node)
    return connection(nodes, [r["row"] - 1 for r in shown], len(rows) > first, False,
                      rows[0]["total"] if rows else 0)


POST_TAGS = Compiled(lambda post: Post.tags.through.objects.filter(post_id=post)
                     .order_by("tag__name").values("tag__slug", "tag__name"))
TOP_LEVEL = Compiled(lambda post: Comment.objects.filter(post_id=post, parent__isnull=True)
                     .in_thread().order_by("path").annotate(total=Window(Count("pk")))
                     .values(*COMMENT_FIELDS, "total")[:21])


def post_page(request, slug):
    """R2: the post, its tags and reactions, 20 top-level comments with two levels of 5 replies."""
    post = live_post("page", slug)
    if post is None:
        return respond({"post": None})
    tags = POST_TAGS(post=post["id"])
    top = TOP_LEVEL(post=post["id"])
    level1 = replies_of([r["id"] for r in top[:20]])
    level2 = replies_of([r["id"] for rows in level1.values() for r in rows[:5]])
    ids = [r["id"] for r in top]
    ids += [r["id"] for level in (level1, level2) for rows in level.values() for r in rows]
    viewer = viewer_kinds(viewer_key(request), "post", post=post["id"], comments=ids)
    nodes = []
    for row in top[:20]:
        node = comment_node(row, viewer, thread=False)
        node["replies"] = reply_connection(level1.get(row["id"], []), 5, viewer, level2)
        nodes.append(node)
    total = top[0]["total"] if top else 0
    return respond({"post": {
        "id": gid("Post", post["id"]), "title": post["title"], "html": post["html"],
        "publishedAt": post["published_at"].isoformat(), "commentCount": post["comment_count"],
        "author": {"displayName": post["author__display_name"],
                   "avatarUrl": post["author__avatar_url"] or None},
        "tags": [{"slug": t["tag__slug"], "name": t["tag__name"]} for t in tags],
        "reactions": reactions(post, viewer.get(("post", post["id"]), [])),
        "comments": connection(nodes, list(range(len(nodes))), len(top) > 20, False, total),
    }})


POSTS = Compiled(lambda now: Post.objects.live(now)
                 .order_by(Coalesce("published_at", "created_at").desc(), "-id")
                 .annotate(total=Window(Count("pk")))
                 .values("id", "slug", "title", "excerpt", "published_at", "comment_count",
                         "author__display_name", "total", *COUNT_FIELDS)[:51])
LIST_TAGS = Compiled(lambda posts: Post.tags.through.objects.filter(post__among=posts)
                     .order_by("tag__name").values("post_id", "tag__slug", "tag__name"))


def cached_post_page(request, slug):
    """R2 for an anonymous GET, its JSON kept in Django's default cache under a hash of the
    request, where Hearth keeps its result cache: only when that cache is shared (Redis, with
    REDIS_URL), as Hearth's is on only then; otherwise F's page uncached, as Hearth's is."""
    if isinstance(caches["default"], LocMemCache | DummyCache):
        return post_page(request, slug)
    key = "floor:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = post_page(request, slug).content
        cache.set(key, body, 300)
    return HttpResponse(body, content_type="application/json")


def post_list(request):
    """R3: posts(first: 50) with author, tags, commentCount and reactions."""
    rows = POSTS(now=timezone.now())
    has_next, rows = len(rows) > 50, rows[:50]
    tags = defaultdict(list)
    for link in LIST_TAGS(posts=[r["id"] for r in rows]):
        tags[link["post_id"]].append({"slug": link["tag__slug"], "name": link["tag__name"]})
    viewer = viewer_kinds(viewer_key(request), "posts", posts=[r["id"] for r in rows])
    nodes = [{"id": gid("Post", r["id"]), "slug": r["slug"], "title": r["title"],
              "excerpt": r["excerpt"], "publishedAt": r["published_at"].isoformat(),
              "commentCount": r["comment_count"],
              "author": {"displayName": r["author__display_name"]},
              "tags": tags[r["id"]], "reactions": reactions(r, viewer.get(("post", r["id"]), []))}
             for r in rows]
    total = rows[0]["total"] if rows else 0
    return respond({"posts": connection(nodes, list(range(len(rows))), has_next, False, total)})


def object_id(value: str) -> int:
    return int(base64.b64decode(value).decode().split(":", 1)[1])


@csrf_exempt
def add_comment(request):
    """W1's write: the same service Hearth calls, JSON in and out."""
    data = json.loads(request.body)
    post = Post.objects.get(pk=object_id(data["postId"]))
    parent = Comment.objects.get(pk=object_id(data["parentId"])) if data.get("parentId") else None
    try:
        comment = comment_services.comment_create(
            actor=None, post=post, parent=parent, body=data["body"],
            author_name=data.get("authorName"), author_email=data.get("authorEmail"),
            ip_address=request.META.get("REMOTE_ADDR"))
    except DomainError as error:
        return respond({"addComment": {"comment": None, "errors": [{"code": error.code.value}]}})
    return respond({"addComment": {"comment": {"id": gid("Comment", comment.pk),
                                               "status": comment.status.upper()}, "errors": []}})


@csrf_exempt
def react(request):
    """W2: react or unreact as the visitor of X-Visitor-Token, answering the new counts."""
    data = json.loads(request.body)
    key, token = viewer_key(request), None
    if key is None:
        key, token = new_visitor()
    subject = Comment.objects.get(pk=object_id(data["subjectId"]))
    service = reaction_services.reaction_add
    if data.get("remove"):
        service = reaction_services.reaction_remove
    service(subject=subject, kind=data.get("kind", "like"), visitor_key=key)
    row = Comment.objects.filter(pk=subject.pk).values(*COUNT_FIELDS).get()
    summary = reactions(row, [])
    del summary["viewerReactions"]
    return respond({"react": {"reactions": summary, "visitorToken": token, "errors": []}})


urlpatterns = [
    path("floor/posts/", post_list),
    path("floor/posts/<slug:slug>/", post_page),
    path("floor/posts/<slug:slug>/small/", small),
    path("floor/posts/<slug:slug>/cached/", cached_post_page),
    path("floor/posts/<slug:slug>/thread/", thread),
    path("floor/comments/", add_comment),
    path("floor/react/", react),
]
