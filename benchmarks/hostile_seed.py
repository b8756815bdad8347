"""The blog the hostile benchmark attacks, written in bulk (benchmarks.datasets) and through the
services where a row must be fresh (editable comments, drafts, tokens).

    python -m benchmarks.hostile_seed [posts]   # migrates, fills, prints one line of JSON

`posts` published posts (110 by default: the largest allowed query reads 100 of them) with 120
comments each (100 top-level, so `comments(first: 99)` is full), a post whose thread holds a
reply chain DEPTH deep, and people of every role: some with public content, some without.
"""

import json
import random
import sys
from datetime import timedelta

from benchmarks.datasets import BASE_TIME, SEED, Builder, make_post, make_users

ADMIN_PASSWORD = "hostile-bench-admin-password"
CHAIN_SLUG = "deep-chain"
CHAIN_DEPTH = 260
COMMENTS_PER_POST = 120
TOP_LEVEL_PER_POST = 100
MEMBERS = 10  # subscribers with a comment of their own (public content), tokens for editComment
QUIET = 5  # subscribers without any content: not public
DRAFTS = 40  # the author's drafts, for publishPost with hostile dates
PENDING = 10  # guest comments awaiting moderation


def person(username: str, role: str, **fields):
    from django.contrib.auth.models import Group

    from cms.models import User

    user = User.objects.create_user(username, email=f"{username}@example.com", password=None,
                                    **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def chain(builder: Builder, post, depth: int, users: list) -> list:
    """`depth` comments, each a reply to the one before."""
    from cms.models import Comment, CommentStatus
    from cms.models.comments import PATH_SEGMENT
    from cms.rendering import render_markdown

    made, parent = [], None
    for i in range(depth):
        pk = builder.next_id
        builder.next_id += 1
        user = users[i % len(users)]
        body = f"Reply {i} in a long chain."
        comment = Comment(
            id=pk, post_id=post.pk, parent_id=parent.pk if parent else None, depth=i,
            path=(parent.path if parent else "") + f"{pk:0{PATH_SEGMENT}d}", body=body,
            html=render_markdown(body, for_comment=True), status=CommentStatus.APPROVED,
            created_at=BASE_TIME + timedelta(minutes=i), user_id=user.pk, author_name=str(user),
            author_email=user.email)
        made.append(comment)
        parent = comment
    builder.comments.extend(made)
    return made


def seed(posts: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from cms.models import Post, User
    from cms.services.comments import comment_create
    from cms.services.posts import post_create
    from cms.services.tokens import token_create

    call_command("migrate", verbosity=0)
    rng = random.Random(f"{SEED}-hostile")
    with transaction.atomic():
        admin = User.objects.create_superuser("admin", "admin@example.com", ADMIN_PASSWORD)
        author = person("writer", "author", display_name="Wendy Writer")
        contributor = person("intern", "contributor")
        members = [person(f"member{n}", "subscriber") for n in range(MEMBERS)]
        quiet = [person(f"quiet{n}", "subscriber") for n in range(QUIET)]
        readers = make_users(rng, 40)
        made = Post.objects.bulk_create(
            make_post(rng, slug=f"post-{i:03d}", author=author,
                      published_at=BASE_TIME - timedelta(hours=i)) for i in range(posts))
        chain_post = make_post(rng, slug=CHAIN_SLUG, author=author,
                               published_at=BASE_TIME + timedelta(days=1))
        chain_post.save()
        builder = Builder(rng, readers)
        first_comments = []
        for post in made:
            comments = builder.thread(post, COMMENTS_PER_POST, TOP_LEVEL_PER_POST, max_depth=3,
                                      start=post.published_at)
            builder.react_preferentially(comments, 20)
            first_comments = first_comments or comments
        deep = chain(builder, chain_post, CHAIN_DEPTH, readers)
        builder.save([*made, chain_post])
        drafts = [post_create(actor=author, title=f"Draft {n}", body="Not yet.")
                  for n in range(DRAFTS)]
        own = [comment_create(actor=member, post=made[0], body=f"A thought from {member}.")
               for member in members]
        pending = [comment_create(actor=None, post=made[1], body=f"First visit {n}.",
                                  author_name=f"Visitor {n}",
                                  author_email=f"visitor{n}@example.org")
                   for n in range(PENDING)]
    public = {author.pk, *(m.pk for m in members), *(r.pk for r in readers)}
    return {
        "post_ids": [p.pk for p in made],
        "post_slug": made[0].slug,
        "chain_slug": CHAIN_SLUG,
        "chain_post_id": chain_post.pk,
        "chain_ids": [c.pk for c in deep],
        "comment_ids": [c.pk for c in first_comments],
        "draft_ids": [p.pk for p in drafts],
        "member_comment_ids": [c.pk for c in own],
        "pending_ids": [c.pk for c in pending],
        "users": {u.pk: u.username for u in User.objects.all()},
        "private_user_ids": [admin.pk, contributor.pk, *(q.pk for q in quiet)],
        "public_user_ids": sorted(public),
        "tokens": {
            "admin": token_create(user=admin)[1],
            "author": token_create(user=author)[1],
            "contributor": token_create(user=contributor)[1],
            "members": [token_create(user=m)[1] for m in members],
        },
        "admin_password": ADMIN_PASSWORD,
    }


def main() -> None:
    import django

    django.setup()
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 110
    print(json.dumps(seed(posts)))


if __name__ == "__main__":
    main()
