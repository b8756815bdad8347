"""In-process figures for F (floor), N (naive strawberry-django), S (strawberry-django with its
optimizer) and H (Hearth), as JSON.

    python -m benchmarks.inprocess OPS BUDGET_SECONDS CAP_SECONDS [CONTENDERS]   # figures
    python -m benchmarks.inprocess targets              # what the HTTP runs write to
    python -m benchmarks.inprocess verify               # stored counters equal fresh counts

with DJANGO_SETTINGS_MODULE=benchmarks.settings and DATABASE_URL set by benchmarks.run.
"""

import json
import sys

import django


def main() -> None:
    django.setup()
    from benchmarks.measure import Client, Writes, run_contenders

    if sys.argv[1] == "targets":
        from cms.models import Comment, Post

        if not Post.objects.filter(slug="bench-thread").exists():
            print("{}")  # the catalog: nothing to write to
            return
        writes = Writes("http")
        paths = list(Comment.objects.filter(post__slug="bench-thread").in_thread()
                     .order_by("path").values_list("path", flat=True))
        print(json.dumps({"post": writes.post_id, "parent": writes.parent_id, "hot": writes.hot,
                          "comments": len(paths), "page_ends": paths[99::100]}))
    elif sys.argv[1] == "verify":
        from benchmarks.datasets import verify
        from cms.models import Comment

        verify()
        written = {name: Comment.objects.filter(body__startswith="HTTP benchmark reply",
                                                body__endswith=f"from {name}.").count()
                   for name in ("F", "N", "H", "G", "Gt")}
        print(json.dumps({"counts": "exact", "w1_comments_written": written}))
    else:
        ops, budget, cap = sys.argv[1].split(","), float(sys.argv[2]), float(sys.argv[3])
        names = sys.argv[4].split(",") if len(sys.argv) > 4 else list(CLIENTS)
        clients = [Client(name, CLIENTS[name]) for name in names]
        print(json.dumps(run_contenders(clients, ops, budget, cap=cap)))


CLIENTS = {"F": None, "N": "/naive/graphql/", "S": "/optimized/graphql/", "H": "/graphql/"}


if __name__ == "__main__":
    main()
