"""Deterministic data sets, written through the models in bulk.

    python -m benchmarks.datasets check NAME   # prints "ok" when the database holds NAME
    python -m benchmarks.datasets build NAME   # migrates and fills an empty database

Comments get their ids here so their `path` (the ancestors' ids and their own, PATH_SEGMENT
digits each) can be written in the same insert. The stored counters are computed from the
generated rows and then checked against fresh counts in SQL.
"""

import hashlib
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

GENERATOR_VERSION = "5"
SEED = 20261127
VISITOR_KEY = hashlib.md5(b"hearth-bench-visitor").hexdigest()  # the measured viewer
WRITER_EMAIL = "writer@example.org"  # a guest with an approved comment: W1's comments pass
THREAD_SLUG = "bench-thread"
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ["like", "love", "hug", "laugh", "wow", "sad", "celebrate"]
KIND_WEIGHTS = [60, 15, 8, 8, 4, 2, 3]
WORDS = ("the a thread reply comment post reader writer idea point good bad agree disagree "  # noqa: SIM905
         "because maybe never always question answer example source blog django python graph "
         "query page slow fast cache tree branch leaf root count number words think").split()

DATASETS = {
    # name: (comments, top-level comments, reactions per comment)
    "tiny": (150, 15, 3),
    "t1k": (1_000, 100, 5),
    "t10k": (10_000, 1_000, 5),
    "catalog": None,
}


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 40))
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = "**" + rng.choice(WORDS) + "**"
    if rng.random() < 0.05:
        words.append("https://example.org/" + rng.choice(WORDS))
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.1:
        text += "\n\n> " + " ".join(rng.choices(WORDS, k=8))
    return text


def make_users(rng: random.Random, count: int) -> list:
    from cms.models import User

    users = [
        User(username=f"reader{i:03d}", email=f"reader{i:03d}@example.com",
             display_name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}",
             avatar_url=f"https://example.org/a/{i}.png" if i % 3 else "", password="!")
        for i in range(count)
    ]
    for user in users:  # the public slug as User.save makes it (display names end in i: unique)
        user.slug = user.unique_slug()
    return User.objects.bulk_create(users)


def make_tags(count: int) -> list:
    from cms.models import Tag

    return Tag.objects.bulk_create(Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(count))


def make_post(rng: random.Random, *, slug: str, author, published_at: datetime):
    from cms.models import Post, PostStatus
    from cms.rendering import render_markdown

    body = "\n\n".join(sentence(rng) for _ in range(rng.randint(3, 8)))
    return Post(slug=slug, title=sentence(rng)[:80], excerpt=sentence(rng)[:200], body=body,
                html=render_markdown(body), status=PostStatus.PUBLISHED,
                published_at=published_at, author=author, created_at=published_at)


def tree_shape(rng: random.Random, n: int, top: int, max_depth: int) -> list[tuple]:
    """(parent index or None, depth) for n comments in time order. A reply picks its parent by
    preferential attachment: one ticket per comment plus one per reply it already has."""
    top_slots = {0, *rng.sample(range(1, n), top - 1)} if n > 1 else {0}
    nodes, tickets = [], []
    for i in range(n):
        if i in top_slots or not tickets:
            nodes.append((None, 0))
        else:
            parent = rng.choice(tickets)
            while nodes[parent][1] >= max_depth:
                parent = rng.choice(tickets)
            nodes.append((parent, nodes[parent][1] + 1))
            tickets.append(parent)
        tickets.append(i)
    return nodes


class Builder:
    """Accumulates rows with their ids and counters, then writes them in bulk."""

    def __init__(self, rng: random.Random, users: list):
        from cms.models import Comment

        self.rng = rng
        self.users = users
        self.comments: list = []
        self.reactions: list = []
        self.reaction_keys: set = set()
        last = Comment.objects.order_by("-id").values_list("id", flat=True).first()
        self.next_id = (last or 0) + 1

    def thread(self, post, n: int, top: int, *, max_depth: int, start: datetime) -> list:
        from cms.models import Comment, CommentStatus
        from cms.models.comments import PATH_SEGMENT
        from cms.rendering import render_markdown

        rng, made = self.rng, []
        for i, (parent_index, depth) in enumerate(tree_shape(rng, n, top, max_depth)):
            parent = made[parent_index] if parent_index is not None else None
            pk = self.next_id
            self.next_id += 1
            comment = Comment(
                id=pk, post_id=post.pk, parent_id=parent.pk if parent else None, depth=depth,
                path=(parent.path if parent else "") + f"{pk:0{PATH_SEGMENT}d}",
                body=sentence(rng), status=CommentStatus.APPROVED,
                created_at=start + timedelta(minutes=i), ip_address="198.51.100.7",
            )
            comment.html = render_markdown(comment.body, for_comment=True)
            if i == 1:
                comment.author_name, comment.author_email = "Writer", WRITER_EMAIL
            elif rng.random() < 0.7:
                user = rng.choice(self.users)
                comment.user_id, comment.author_name, comment.author_email = (
                    user.pk, str(user), user.email)
            else:
                k = rng.randrange(300)
                comment.author_name, comment.author_email = f"Guest {k}", f"guest{k}@example.org"
                comment.author_url = f"https://guest{k}.example.org/" if k % 2 else ""
            made.append(comment)
        self.comments.extend(made)
        return made

    def react(self, subject_field: str, subject_id: int, *, user=None, visitor: str | None = None,
              kind: str | None = None) -> None:
        from cms.models import Reaction

        kind = kind or self.rng.choices(KINDS, KIND_WEIGHTS)[0]
        key = (subject_field, subject_id, user.pk if user else visitor, kind)
        if key in self.reaction_keys:
            return
        self.reaction_keys.add(key)
        self.reactions.append(Reaction(**{f"{subject_field}_id": subject_id}, kind=kind,
                                       user_id=user.pk if user else None, visitor_key=visitor))

    def react_preferentially(self, comments: list, count: int) -> None:
        """`count` reactions by random users, more on comments that drew more replies."""
        replies = Counter(c.parent_id for c in comments if c.parent_id)
        tickets = [c.pk for c in comments for _ in range(1 + 2 * replies[c.pk])]
        for _ in range(count):
            self.react("comment", self.rng.choice(tickets), user=self.rng.choice(self.users))

    def save(self, posts: list) -> None:
        from cms.models import Comment, Post, Reaction

        reply_count, descendant_count, comment_count = Counter(), Counter(), Counter()
        by_id = {c.pk: c for c in self.comments}
        for c in self.comments:
            comment_count[c.post_id] += 1
            if c.parent_id:
                reply_count[c.parent_id] += 1
                for ancestor in c.ancestor_ids():
                    descendant_count[ancestor] += 1
        posts_by_id = {p.pk: p for p in posts}
        kinds = Counter((r.comment_id, r.post_id, r.kind) for r in self.reactions)
        for c in self.comments:
            c.reply_count, c.descendant_count = reply_count[c.pk], descendant_count[c.pk]
        for (comment_id, post_id, kind), n in kinds.items():
            subject = by_id[comment_id] if comment_id else posts_by_id[post_id]
            setattr(subject, f"reactions_{kind}", n)
        # Every generated comment is approved: the thread shows exactly them (`thread_count`,
        # where the model has that counter).
        counters = [f.name for f in Post._meta.fields
                    if f.name in ("comment_count", "thread_count")]
        for post in posts:
            for counter in counters:
                setattr(post, counter, comment_count[post.pk])
        Post.objects.bulk_update(posts, [*counters, *(f"reactions_{k}" for k in KINDS)],
                                 batch_size=500)
        Comment.objects.bulk_create(self.comments, batch_size=2000)
        Reaction.objects.bulk_create(self.reactions, batch_size=2000)
        reset_sequences(Comment)


def reset_sequences(model) -> None:
    """After rows with ids of our own, the next id the database gives must come after them
    (PostgreSQL keeps a sequence; SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def build_thread(name: str, *, seed: int = SEED, users: int = 200):
    """One published post with the named thread. Returns the post."""
    from cms.models import Post

    n, top, per_comment = DATASETS[name]
    rng = random.Random(f"{seed}-{name}")
    people = make_users(rng, users)
    tags = make_tags(5)
    post = make_post(rng, slug=THREAD_SLUG, author=people[0], published_at=BASE_TIME)
    post.save()
    post.tags.set(tags[:3])
    builder = Builder(rng, people)
    comments = builder.thread(post, n, top, max_depth=10, start=BASE_TIME)
    builder.react_preferentially(comments, n * per_comment)
    for comment in rng.sample(comments, max(1, n // 50)):
        builder.react("comment", comment.pk, visitor=VISITOR_KEY, kind="like")
    for user in rng.sample(people, min(100, len(people))):
        builder.react("post", post.pk, user=user)
    builder.react("post", post.pk, visitor=VISITOR_KEY, kind="love")
    builder.save([post])
    return Post.objects.get(pk=post.pk)


def build_catalog(*, seed: int = SEED, posts: int = 2_000, users: int = 200) -> None:
    """`posts` published posts with 0 to 50 comments each, 1 to 4 tags, reactions."""
    from cms.models import Post

    rng = random.Random(f"{seed}-catalog")
    people = make_users(rng, users)
    tags = make_tags(30)
    made = [make_post(rng, slug=f"post-{i:05d}", author=rng.choice(people[:20]),
                      published_at=BASE_TIME - timedelta(hours=i)) for i in range(posts)]
    made = Post.objects.bulk_create(made)
    links = [Post.tags.through(post_id=p.pk, tag_id=t.pk)
             for p in made for t in rng.sample(tags, rng.randint(1, 4))]
    Post.tags.through.objects.bulk_create(links)
    builder = Builder(rng, people)
    for post in made:
        n = rng.randint(0, 50)
        if n:
            comments = builder.thread(post, n, max(1, n // 3), max_depth=3,
                                      start=post.published_at)
            builder.react_preferentially(comments, n)
        for user in rng.sample(people, rng.randint(0, 30)):
            builder.react("post", post.pk, user=user)
    builder.save(made)


def verify() -> None:
    """The stored counters equal fresh counts."""
    from django.db.models import Count, F, Q, Sum

    from cms.models import Comment, Post, Reaction

    approved = Q(status="approved")
    assert not Post.objects.annotate(n=Count("comments", filter=Q(comments__status="approved"))) \
        .exclude(comment_count=F("n")).exists(), "Post.comment_count"
    replies = Count("children", filter=Q(children__status="approved"))
    assert not Comment.objects.annotate(n=replies).exclude(reply_count=F("n")).exists(), \
        "Comment.reply_count"
    sums = Comment.objects.filter(approved).aggregate(d=Sum("descendant_count"), depth=Sum("depth"))
    assert (sums["d"] or 0) == (sums["depth"] or 0), "Comment.descendant_count"
    stored = Counter()
    for kind in KINDS:
        field = f"reactions_{kind}"
        stored[("comment", kind)] = Comment.objects.aggregate(n=Sum(field))["n"] or 0
        stored[("post", kind)] = Post.objects.aggregate(n=Sum(field))["n"] or 0
    fresh = Counter()
    rows = Reaction.objects.values_list("comment_id", "kind").annotate(n=Count("id"))
    for comment_id, kind, n in rows:
        fresh[("comment" if comment_id else "post", kind)] += n
    assert +stored == +fresh, ("reaction counts", stored, fresh)
    sample = Comment.objects.filter(reactions__isnull=False).distinct()[:200]
    for comment in sample:
        counts = Counter(comment.reactions.values_list("kind", flat=True))
        assert all(getattr(comment, f"reactions_{k}") == counts[k] for k in KINDS), comment.pk


# The stored version of a data set ------------------------------------------------------------


def stored_version() -> str | None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM bench_meta WHERE key = 'version'")
            row = cursor.fetchone()
    except Exception:  # noqa: BLE001 - no table, no database: not built
        return None
    return row[0] if row else None


def migrated() -> bool:
    """No migration of the code at hand is missing from the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def build(name: str) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        if name == "catalog":
            build_catalog()
        else:
            build_thread(name)
        verify()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_meta (key varchar(50) PRIMARY KEY, value text)")
            cursor.execute("INSERT INTO bench_meta VALUES ('version', %s)",
                           [f"{GENERATOR_VERSION}-{name}"])
    with connection.cursor() as cursor:
        # Planner statistics, as a database that has lived would have: without them PostgreSQL
        # guesses a handful of rows per post and picks plans no production database would.
        cursor.execute("ANALYZE")


def main() -> None:
    import django

    command, name = sys.argv[1], sys.argv[2]
    django.setup()
    wanted = f"{GENERATOR_VERSION}-{name}"
    if command == "check":
        print("ok" if stored_version() == wanted and migrated() else "stale")
    elif command == "build":
        build(name)
        print("built")


if __name__ == "__main__":
    main()
