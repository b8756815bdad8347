"""import_wxr at size: a 10,000-comment thread (thread order and every count checked against a
computation of its own), and memory that stays bounded as the file grows."""

import io
import random
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

from cms.models import Comment, Post, WordPressItem
from cms.services.wordpress import wxr_import
from tests.support.wxr import A, C, P, write_large_wxr, wxr

ROOT = Path(__file__).resolve().parents[2]
STATUSES = ["1"] * 17 + ["0", "spam", "trash"]


def big_thread(size: int) -> list[C]:
    """`size` comments: 2% top-level at first, then a fifth top-level and the rest replies to a
    random earlier comment, plus one chain 40 deep; statuses mixed, some with HTML, a few
    replies to a spam comment WordPress left out of the file."""
    rng = random.Random(15)
    comments = []
    for k in range(1, size + 1):
        if size - 40 < k:
            parent = k - 1  # the deep chain
        elif k <= size // 50 or rng.random() < 0.2:
            parent = 0
        elif rng.random() < 0.001:
            parent = size + 1_000  # not in the file
        else:
            parent = rng.randrange(1, k)
        text = f"Reply <em>{k}</em>" if k % 10 == 0 else f"Comment {k}, plain_text *here*."
        comments.append(C(k, text, parent=parent, approved=rng.choice(STATUSES),
                          date_gmt=f"2023-03-{1 + k // 86400:02d} {k // 3600 % 24:02d}:"
                                   f"{k // 60 % 60:02d}:{k % 60:02d}"))
    rng.shuffle(comments)  # the file's order is not the thread's
    return comments


def expected(comments: list[C]):
    """The thread's reading order (depth-first, replies oldest first, orphans at the top level)
    and the counts, from the WordPress data alone."""
    ids = {c.id for c in comments}
    children: dict[int, list[C]] = {0: []}
    for c in sorted(comments, key=lambda c: (c.date_gmt, c.id)):
        children.setdefault(c.parent if c.parent in ids else 0, []).append(c)
    order, stack = [], list(reversed(children[0]))
    approved = {c.id for c in comments if c.approved == "1"}
    while stack:
        c = stack.pop()
        order.append(c.id)
        stack.extend(reversed(children.get(c.id, [])))
    below: Counter = Counter()
    for cid in reversed(order):  # replies come after their parents in reading order
        for child in children.get(cid, []):
            below[cid] += below[child.id] + (child.id in approved)
    replies = {cid: sum(ch.id in approved for ch in children.get(cid, [])) for cid in ids}
    shown = sum(cid in approved or below[cid] > 0 for cid in ids)
    return order, replies, below, len(approved), shown


def test_a_ten_thousand_comment_thread_keeps_its_order_and_exact_counts(db):
    comments = big_thread(10_000)
    data = wxr(authors=[A(1, "alice", "alice@example.com", "Alice")],
               items=[P(1, "A busy post", comments=comments)])
    summary = wxr_import(stream=io.BytesIO(data))
    missing = sum(c.parent > 10_000 for c in comments)
    assert (summary.comments, summary.orphans) == (10_000, missing) and missing > 0
    order, replies, below, approved, shown = expected(comments)
    wordpress_id = dict(WordPressItem.objects.filter(kind="comment")
                        .values_list("comment_id", "key"))
    rows = list(Comment.objects.order_by("path").values_list(
        "pk", "reply_count", "descendant_count", "depth"))
    assert [int(wordpress_id[pk]) for pk, *_ in rows] == order
    for pk, reply_count, descendant_count, _depth in rows:
        wp = int(wordpress_id[pk])
        assert (reply_count, descendant_count) == (replies[wp], below[wp]), wp
    assert max(depth for *_, depth in rows) >= 40
    post = Post.objects.get()
    assert (post.comment_count, post.thread_count) == (approved, shown)


def test_the_reader_streams_a_100_mb_file_in_bounded_memory(tmp_path):
    """The reader alone, in a process of its own (its peak RSS covers libxml2's memory too):
    a 100 MB export needs no more memory than a 10 MB one, give or take 20 MB."""
    def peak_kb(posts: int) -> tuple[int, int]:
        path = tmp_path / f"export-{posts}.xml"
        size = write_large_wxr(path, posts=posts, comments=40, body_chars=4000)
        script = ("import resource, sys; from cms.wordpress.reader import WxrReader, Item\n"
                  f"records = WxrReader(open({str(path)!r}, 'rb'))\n"
                  "items = sum(isinstance(record, Item) for record in records)\n"
                  "print(items, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        path.unlink()
        assert int(out[0]) == posts
        return size, int(out[1])

    small_size, small_peak = peak_kb(300)
    big_size, big_peak = peak_kb(3_000)
    assert big_size > 100 * 1024 * 1024 and small_size > 10 * 1024 * 1024
    assert big_peak - small_peak < 20 * 1024, (small_peak, big_peak)


def test_an_import_holds_one_item_at_a_time(db, tmp_path, settings):
    """The whole import (reader, conversion, writes; a dry run, rolled back): ten times the
    posts raise Python's peak memory by less than a megabyte, where holding the 90 more posts
    would take about 2.7 MB (each is about 30 KB of XML): the margin leaves room for a
    one-off allocation (a cache or table growing) in either run. DEBUG is off, as in
    production: with it on, Django keeps the last 9,000 queries."""
    settings.DEBUG = False

    def peak(posts: int) -> int:
        path = tmp_path / f"export-{posts}.xml"
        write_large_wxr(path, posts=posts, comments=5, body_chars=2000)
        tracemalloc.start()
        with open(path, "rb") as stream:
            summary = wxr_import(stream=stream, dry_run=True)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert summary.posts == posts
        return top

    small, big = peak(10), peak(100)
    assert big < small + 1024 * 1024, (small, big)
