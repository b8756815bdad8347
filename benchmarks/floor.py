"""F, the floor: what the same pages cost in plain Django. `values()` queries, the tree built in
Python, `json.dumps`. The responses have the shape of Hearth's GraphQL responses (same ids,
cursors and field names), so sizes compare and the smoke test can compare them."""

import base64
import json
from collections import defaultdict

from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from cms.errors import DomainError
from cms.models import Comment, CommentStatus, Post, Reaction
from cms.models.reactions import ReactionKind
from cms.services import comments as comment_services
from cms.services import reactions as reaction_services
from cms.visitors import new_visitor, visitor_key_from_token

KINDS = ReactionKind.values
COUNT_FIELDS = [f"reactions_{k}" for k in KINDS]
COMMENT_FIELDS = ["id", "parent_id", "depth", "html", "created_at", "status", "author_name",
                  "author_url", "user_id", "user__display_name", "user__username", "reply_count",
                  "descendant_count", *COUNT_FIELDS]


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cursor(offset: int) -> str:
    return base64.b64encode(f"o:{offset}".encode()).decode()


def path_cursor(path: str) -> str:
    return base64.b64encode(f"p:{path}".encode()).decode()


def offset_after(value: str | None) -> int:
    return 0 if not value else int(base64.b64decode(value).decode()[2:]) + 1


def respond(data: dict) -> HttpResponse:
    body = json.dumps({"data": data}, separators=(",", ":"), ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


def viewer_key(request) -> str | None:
    token = request.headers.get("X-Visitor-Token")
    if not token:
        return None
    try:
        return visitor_key_from_token(token)
    except DomainError:
        return None


def viewer_kinds(key: str | None, subjects: Q) -> dict[tuple[str, int], list[str]]:
    found = defaultdict(list)
    if key is None:
        return found
    rows = Reaction.objects.filter(subjects, visitor_key=key).values_list("post_id", "comment_id",
                                                                          "kind")
    for post_id, comment_id, kind in rows.order_by("id"):
        subject = ("post", post_id) if post_id else ("comment", comment_id)
        if kind.upper() not in found[subject]:
            found[subject].append(kind.upper())
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


def live_post(slug: str, *fields) -> dict | None:
    return Post.objects.live().filter(slug=slug).values("id", *fields).first()


def small(request, slug):
    post = live_post(slug, "slug", "title", "published_at", "comment_count")
    if post is None:
        return respond({"post": None})
    return respond({"post": {"id": gid("Post", post["id"]), "slug": post["slug"],
                             "title": post["title"], "commentCount": post["comment_count"],
                             "publishedAt": post["published_at"].isoformat()}})


def thread(request, slug):
    """R1, one page: `thread(first: 100, after:)`, read as Hearth reads it: by keyset on the
    (post, path) index, the total from the post's stored thread count."""
    first = 100
    after = request.GET.get("after")
    after_path = base64.b64decode(after).decode()[2:] if after else None
    post = Post.objects.live().filter(slug=slug).values("id", "thread_count").first()
    if post is None:
        return respond({"post": None})
    rows = Comment.objects.filter(post_id=post["id"]).in_thread().order_by("path")
    if after_path:
        rows = rows.filter(path__gt=after_path)
    rows = list(rows.values(*COMMENT_FIELDS, "path")[:first + 1])
    has_next, rows = len(rows) > first, rows[:first]
    viewer = viewer_kinds(viewer_key(request), Q(comment_id__in=[r["id"] for r in rows]))
    nodes = [comment_node(r, viewer, thread=True) for r in rows]
    end_cursor = path_cursor(rows[-1]["path"]) if rows else None
    page = connection(nodes, [], has_next, after_path is not None, post["thread_count"])
    page["pageInfo"]["endCursor"] = end_cursor
    return respond({"post": {"thread": page}})


def replies_of(parent_ids: list[int], first: int) -> dict[int, list[dict]]:
    """Each parent's first `first + 1` replies, with their row number and the parent's total."""
    rows = (Comment.objects.filter(parent_id__in=parent_ids).in_thread()
            .annotate(row=Window(RowNumber(), partition_by=F("parent_id"),
                                 order_by=F("path").asc()),
                      total=Window(Count("pk"), partition_by=F("parent_id")))
            .filter(row__lte=first + 1).order_by("parent_id", "path")
            .values(*COMMENT_FIELDS, "row", "total"))
    grouped = defaultdict(list)
    for row in rows:
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


def post_page(request, slug):
    """R2: the post, its tags and reactions, 20 top-level comments with two levels of 5 replies."""
    post = live_post(slug, "title", "html", "published_at", "comment_count",
                     "author__display_name", "author__avatar_url", *COUNT_FIELDS)
    if post is None:
        return respond({"post": None})
    tags = list(Post.tags.through.objects.filter(post_id=post["id"]).order_by("tag__name")
                .values("tag__slug", "tag__name"))
    top = list(Comment.objects.filter(post_id=post["id"], parent__isnull=True).in_thread()
               .order_by("path").annotate(total=Window(Count("pk")))
               .values(*COMMENT_FIELDS, "total")[:21])
    level1 = replies_of([r["id"] for r in top[:20]], 5)
    level2 = replies_of([r["id"] for rows in level1.values() for r in rows[:5]], 5)
    ids = [r["id"] for r in top]
    ids += [r["id"] for level in (level1, level2) for rows in level.values() for r in rows]
    viewer = viewer_kinds(viewer_key(request), Q(post_id=post["id"]) | Q(comment_id__in=ids))
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


def post_list(request):
    """R3: posts(first: 50) with author, tags, commentCount and reactions."""
    rows = list(Post.objects.live()
                .order_by(Coalesce("published_at", "created_at").desc(), "-id")
                .annotate(total=Window(Count("pk")))
                .values("id", "slug", "title", "excerpt", "published_at", "comment_count",
                        "author__display_name", "total", *COUNT_FIELDS)[:51])
    has_next, rows = len(rows) > 50, rows[:50]
    tags = defaultdict(list)
    links = (Post.tags.through.objects.filter(post_id__in=[r["id"] for r in rows])
             .order_by("tag__name").values("post_id", "tag__slug", "tag__name"))
    for link in links:
        tags[link["post_id"]].append({"slug": link["tag__slug"], "name": link["tag__name"]})
    viewer = viewer_kinds(viewer_key(request), Q(post_id__in=[r["id"] for r in rows]))
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
    path("floor/posts/<slug:slug>/thread/", thread),
    path("floor/comments/", add_comment),
    path("floor/react/", react),
]
