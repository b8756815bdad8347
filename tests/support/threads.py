"""Large comment threads built in bulk, with the same paths and counters the services keep."""

import random

from django.db.models import Count

from cms.models import Comment, CommentStatus, Post, Reaction, ReactionKind, User
from cms.models.comments import PATH_SEGMENT
from cms.models.reactions import count_field


def build_thread(post: Post, *, size: int, top_level: int, max_depth: int, seed: int = 1,
                 users: list[User] | None = None, reactions_per_comment: int = 0) -> list[Comment]:
    """`size` approved comments: `top_level` roots, the rest replies attached at random to
    comments shallower than `max_depth`."""
    rng = random.Random(seed)
    start = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    comments: list[Comment] = []
    for i in range(size):
        pk = start + i
        parents = [c for c in comments[-200:] if c.depth < max_depth]
        parent = rng.choice(parents) if i >= top_level and parents else None
        user = rng.choice(users) if users and rng.random() < 0.5 else None
        comments.append(Comment(
            pk=pk, post=post, parent=parent, depth=parent.depth + 1 if parent else 0,
            path=(parent.path if parent else "") + f"{pk:0{PATH_SEGMENT}d}",
            user=user, author_name="" if user else f"Guest {pk}",
            author_email="" if user else f"guest{pk}@example.org", ip_address="198.51.100.7",
            body=f"Comment {pk}", html=f"<p>Comment {pk}</p>", status=CommentStatus.APPROVED,
        ))
    Comment.objects.bulk_create(comments)
    if users and reactions_per_comment:
        Reaction.objects.bulk_create([
            Reaction(comment=c, user=u, kind=ReactionKind.LIKE)
            for c in comments for u in rng.sample(users, min(reactions_per_comment, len(users)))
        ])
    recount(post)
    return comments


def recount(post: Post) -> None:
    """Set the stored counters of `post` and its comments from fresh counts."""
    comments = list(Comment.objects.filter(post=post))
    approved = [c for c in comments if c.status == CommentStatus.APPROVED]
    replies: dict[int, int] = {}
    descendants: dict[int, int] = {}
    for c in approved:
        if c.parent_id:
            replies[c.parent_id] = replies.get(c.parent_id, 0) + 1
        for ancestor in c.ancestor_ids():
            descendants[ancestor] = descendants.get(ancestor, 0) + 1
    likes = dict(Reaction.objects.filter(comment__post=post, kind=ReactionKind.LIKE)
                 .values_list("comment_id").annotate(n=Count("id")))
    for c in comments:
        c.reply_count = replies.get(c.pk, 0)
        c.descendant_count = descendants.get(c.pk, 0)
        setattr(c, count_field(ReactionKind.LIKE), likes.get(c.pk, 0))
    Comment.objects.bulk_update(comments, ["reply_count", "descendant_count",
                                           count_field(ReactionKind.LIKE)], batch_size=500)
    in_thread = sum(c.status == CommentStatus.APPROVED or c.descendant_count > 0 for c in comments)
    Post.objects.filter(pk=post.pk).update(comment_count=len(approved), thread_count=in_thread)
