"""Writes to posts. Each service is one transaction; a DomainError rolls it back."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from cms import content_versions, live, mail, webhooks
from cms.errors import DomainError, ErrorCode, ValidationErrors
from cms.models import OldSlug, Post, PostStatus, Tag
from cms.policies import (
    require_can_edit_post,
    require_can_publish_post,
    require_can_reassign_post,
    require_post_writer,
)
from cms.rendering import render_markdown
from cms.selectors.images import images_in_body
from cms.services import revisions
from cms.services.validation import clean_datetime

MAX_TITLE = 300
MAX_SLUG = 200
MAX_TAG = 100
KEEP = object()  # `featured_image` left as it is


def render_body(body: str) -> str:
    """A post body as HTML: the library images it names get their renditions (srcset)."""
    return render_markdown(body, library=images_in_body(body))


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "post")[: MAX_SLUG - 8]
    taken = set(Post.objects.filter(slug__startswith=base).exclude(pk=exclude_pk)
                .values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_slug(slug: str, *, exclude_pk: int | None = None) -> str:
    cleaned = slugify(slug)
    if not cleaned or cleaned != slug or len(slug) > MAX_SLUG:
        raise DomainError(ErrorCode.INVALID, "A slug is lower-case letters, digits and hyphens.",
                          field="slug")
    if Post.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        raise DomainError(ErrorCode.DUPLICATE, "Another post already has this slug.", field="slug")
    return slug


def _validate_text(title: str | None, body: str | None) -> None:
    errors = []
    if title is not None and not title.strip():
        errors.append(DomainError(ErrorCode.REQUIRED, "A post needs a title.", field="title"))
    if title is not None and len(title) > MAX_TITLE:
        errors.append(DomainError(ErrorCode.INVALID, f"A title has at most {MAX_TITLE} characters.",
                                  field="title"))
    if body is not None and len(body) > settings.HEARTH_MAX_POST_BODY_LENGTH:
        errors.append(DomainError(
            ErrorCode.INVALID, f"A body has {len(body):,} characters; at most "
            f"{settings.HEARTH_MAX_POST_BODY_LENGTH:,} fit.", field="body"))
    for field, value in (("title", title), ("body", body)):
        if value is not None and ("\x00" in value or not _encodable(value)):
            errors.append(DomainError(ErrorCode.INVALID, f"The {field} contains a NUL character "
                                      "or invalid Unicode.", field=field))
    if errors:
        raise ValidationErrors(errors)


def _encodable(value: str) -> bool:
    """False for lone surrogates, which no database column can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _tags_from_names(names: list[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names):
        if not name or len(name) > MAX_TAG or not slugify(name):
            raise DomainError(ErrorCode.INVALID, f"{name[:40]!r} is not a usable tag name.",
                              field="tags")
        same = Tag.objects.filter(Q(slug=slugify(name)) | Q(name__iexact=name))
        tag = same.first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name, slug=slugify(name))
            except IntegrityError:  # a concurrent writer made it first
                tag = same.first()
        if tag not in tags:
            tags.append(tag)
    return tags


def _save_new(post: Post, *, slug_from: str | None) -> None:
    """Insert `post`. A slug made from the title is made again if a concurrent writer took it;
    a slug the caller gave and someone took meanwhile is a DUPLICATE."""
    for _ in range(5):
        if slug_from is not None:
            post.slug = _unique_slug(slug_from)
        try:
            with transaction.atomic():
                post.save()
            return
        except IntegrityError:
            if slug_from is None:
                break
    raise DomainError(ErrorCode.DUPLICATE, "Another post already has this slug.", field="slug")


@transaction.atomic
def post_create(*, actor, title: str, body: str, slug: str | None = None,
                excerpt: str | None = None, tags: list[str] | None = None,
                comments_open: bool | None = None, featured_image=None) -> Post:
    """`featured_image`: an Image the actor may see (cms.selectors.images.image_visible)."""
    require_post_writer(actor)
    _validate_text(title, body)
    post = Post(
        author=actor,
        title=title.strip(),
        slug=_clean_slug(slug) if slug else "",
        excerpt=excerpt or "",
        body=body,
        html=render_body(body),
        comments_open=True if comments_open is None else comments_open,
        featured_image=featured_image,
    )
    _save_new(post, slug_from=None if slug else title)
    if tags:
        post.tags.set(_tags_from_names(tags))
    revisions.record(post, actor=actor)
    return post


def _keep_old_slug(post: Post, slug: str) -> None:
    """Rename `post`, keeping its slug as an old one: old links find it (the newest holder of
    an old slug is the post found by it)."""
    OldSlug.objects.update_or_create(slug=post.slug, defaults={"post": post})
    OldSlug.objects.filter(post=post, slug=slug).delete()
    post.slug = slug


def _written(post: Post, event: str | None) -> None:
    """The end of every write to a post: the webhooks' `event` (None when the public saw no
    change) queued in the write's transaction, the post's cached reads made stale, and its live
    subscribers told once it commits."""
    if event is not None:
        webhooks.enqueue_post_event(post, event)
    content_versions.post_written(post.pk)
    live.post_changed(post.pk)


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk)


@transaction.atomic
def post_update(*, actor, post: Post, title: str | None = None, body: str | None = None,
                slug: str | None = None, excerpt: str | None = None,
                tags: list[str] | None = None, comments_open: bool | None = None,
                featured_image=KEEP, author=None, revision_note: str = "") -> Post:
    """Change what is given. A change of title, body, excerpt, tags or featured image keeps a
    revision;
    `featured_image` is an Image the actor may see, None to remove it, KEEP by default;
    `author` gives the post to another writer (editors and administrators only)."""
    post = _locked_post(post)
    require_can_edit_post(actor, post)
    if author is not None and author.pk != post.author_id:
        require_can_reassign_post(actor, post, author)
        post.author = author
    _validate_text(title, body)
    if title is not None:
        post.title = title.strip()
    if body is not None:
        post.body = body
        post.html = render_body(body)
    if slug is not None and slug != post.slug:
        _keep_old_slug(post, _clean_slug(slug, exclude_pk=post.pk))
    if excerpt is not None:
        post.excerpt = excerpt
    if comments_open is not None:
        post.comments_open = comments_open
    if featured_image is not KEEP:
        post.featured_image = featured_image
    post.save()
    if tags is not None:
        post.tags.set(_tags_from_names(tags))
    revisions.record(post, actor=actor, note=revision_note)
    _written(post, "post.updated")
    return post


@transaction.atomic
def post_publish(*, actor, post: Post, publish_at: datetime | None = None) -> Post:
    """Publish now, or schedule: a future `publish_at` makes the post public at that time."""
    post = _locked_post(post)
    require_can_publish_post(actor, post)
    if publish_at is not None:
        publish_at = clean_datetime(publish_at, field="publishAt")
    if publish_at is not None or not post.is_live():
        post.published_at = publish_at or timezone.now()
    post.status = PostStatus.PUBLISHED
    post.save()
    _written(post, "post.published")
    mail.queue_post_published(post)
    return post


@transaction.atomic
def post_unpublish(*, actor, post: Post) -> Post:
    post = _locked_post(post)
    require_can_publish_post(actor, post)
    post.status = PostStatus.DRAFT
    post.save()
    _written(post, "post.unpublished")
    return post


@transaction.atomic
def post_archive(*, actor, post: Post) -> Post:
    post = _locked_post(post)
    require_can_publish_post(actor, post)
    post.status = PostStatus.ARCHIVED
    post.save()
    _written(post, "post.unpublished")
    return post


@transaction.atomic
def post_trash(*, actor, post: Post) -> Post:
    """Move to the trash: out of every list and lookup, kept HEARTH_TRASH_DAYS, then purged."""
    post = _locked_post(post)
    require_can_edit_post(actor, post)
    if post.trashed_at is None:
        was_live = post.is_live()
        post.trashed_at = timezone.now()
        post.save(update_fields=["trashed_at", "updated_at"])
        _written(post, "post.unpublished" if was_live else None)
    return post


@transaction.atomic
def post_restore(*, actor, post: Post) -> Post:
    """Take a post out of the trash, in the status it had."""
    post = _locked_post(post)
    require_can_edit_post(actor, post)
    if post.trashed_at is not None:
        post.trashed_at = None
        post.save(update_fields=["trashed_at", "updated_at"])
        _written(post, "post.published" if post.is_live() else None)
    return post


def posts_purge_trash(*, now=None) -> int:
    """Delete the posts trashed more than HEARTH_TRASH_DAYS ago, each in its own transaction;
    the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.HEARTH_TRASH_DAYS)
    purged = 0
    for pk in Post.objects.filter(trashed_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            post = Post.objects.select_for_update().filter(pk=pk, trashed_at__lt=cutoff).first()
            if post is not None:
                _delete(post)
                purged += 1
    return purged


@transaction.atomic
def post_delete(*, actor, post: Post) -> int:
    post = _locked_post(post)
    require_can_edit_post(actor, post)
    return _delete(post)


def _delete(post: Post) -> int:
    pk = post.pk
    _written(post, "post.deleted")
    post.comments.update(parent=None)  # PROTECT on parent would block the cascade
    post.delete()
    return pk
