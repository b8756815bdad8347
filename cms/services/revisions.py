"""Revisions of a post's content. `record` is called by the post services inside their
transaction, so every door (GraphQL, the admin, commands) keeps one; `revision_restore` puts an
old revision back through `post_update`, which records the restored content as a new revision."""

from django.db.models import Max

from cms.errors import DomainError, ErrorCode
from cms.models import Post, PostRevision


def content_of(post: Post) -> dict:
    return {"title": post.title, "excerpt": post.excerpt, "body": post.body,
            "tags": sorted(post.tags.values_list("name", flat=True)),
            "featured_image_id": post.featured_image_id}


def record(post: Post, *, actor, note: str = "") -> PostRevision | None:
    """Keep the post's present content as its next revision, unless the latest already holds
    it. The caller holds the post row's lock, so numbers never collide."""
    content = content_of(post)
    latest = PostRevision.objects.filter(post=post).order_by("-number").first()
    if latest is not None and latest.content() == content:
        return None
    number = (latest.number if latest else 0) + 1
    return PostRevision.objects.create(
        post=post, number=number, created_by=actor if getattr(actor, "pk", None) else None,
        note=note[:200], **content)


def revision_restore(*, actor, revision: PostRevision) -> Post:
    """Make `revision`'s content the post's again (the post rules apply); the result is a new
    revision."""
    from cms.services.posts import post_update  # posts calls `record` from here

    if not PostRevision.objects.filter(pk=revision.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "There is no such revision.", field="revision")
    return post_update(actor=actor, post=revision.post, title=revision.title,
                       excerpt=revision.excerpt, body=revision.body, tags=list(revision.tags),
                       featured_image=revision.featured_image,
                       revision_note=f"Restored revision {revision.number}.")


def last_number(post_id: int) -> int:
    return PostRevision.objects.filter(post_id=post_id).aggregate(n=Max("number"))["n"] or 0
