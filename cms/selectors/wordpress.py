"""Reads for export_wxr: everything, whatever its status, for the site's operator (the file holds
commenters' e-mail and IP addresses and the authors' logins)."""

from django.db.models import Q

from cms.models import Comment, Post, Tag, User

POSTS_PER_CHUNK = 100


def export_authors():
    """The accounts that wrote a post or a comment."""
    return (User.objects.filter(Q(posts__isnull=False) | Q(comments__isnull=False))
            .distinct().order_by("pk"))


def export_tags():
    return Tag.objects.order_by("pk")


def export_posts():
    """Every post, oldest first, a chunk at a time, with its author, tags and old slugs."""
    return (Post.objects.select_related("author").prefetch_related("tags", "old_slugs")
            .order_by("pk").iterator(chunk_size=POSTS_PER_CHUNK))


def export_comments(*, post_id: int):
    """A post's comments in thread order (every parent before its replies)."""
    return (Comment.objects.filter(post_id=post_id).select_related("user").order_by("path")
            .iterator(chunk_size=1000))


def export_comment_statuses(*, post_id: int) -> dict[int, str]:
    """Each comment's status by id, for a trashed post's `_wp_trash_meta_comments_status`."""
    return dict(Comment.objects.filter(post_id=post_id).order_by("pk")
                .values_list("pk", "status"))
