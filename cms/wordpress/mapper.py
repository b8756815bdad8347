"""WordPress's values as Hearth's: statuses, dates, slugs, a guest's fields. Pure functions;
the import service (cms/services/wordpress.py) writes what they give.

Statuses, as a reader of either would expect:
- posts: `publish` and `future` are published (a future date makes the post scheduled);
  `draft` and `pending` are drafts (Hearth has no review queue); `private` is archived (kept,
  shown to no reader but their author and moderators). `trash` goes to Hearth's trash, in the
  status WordPress saved before the trash (`_wp_trash_meta_status`), so it can be restored.
  `auto-draft` is skipped, as WordPress's own importer does.
- comments: `1` approved, `0` pending, `spam`, `trash`; `post-trashed` (the comments of a
  trashed post) takes the status WordPress saved in the post's `_wp_trash_meta_comments_status`.
"""

import ipaddress
import re
from datetime import UTC, datetime
from urllib.parse import unquote

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.text import slugify

from cms.models import CommentStatus, PostStatus

POST_STATUSES = {
    "publish": PostStatus.PUBLISHED,
    "future": PostStatus.PUBLISHED,
    "draft": PostStatus.DRAFT,
    "pending": PostStatus.DRAFT,
    "private": PostStatus.ARCHIVED,
}
COMMENT_STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
}
# The category every WordPress post is filed under unless given another: not worth a tag.
DEFAULT_CATEGORY = "uncategorized"
NO_DATE = "0000-00-00 00:00:00"
UNTITLED = "(no title)"

_TRASHED = re.compile(r"__trashed(?:-\d+)?$")
_PHP_ENTRY = re.compile(r'i:(\d+);(?:s:\d+:"([^"]*)"|i:(\d+));')
_url_validator = URLValidator(schemes=["http", "https"])


def post_status(status: str, meta: list[tuple[str, str]]) -> tuple[PostStatus, bool]:
    """Hearth's status of a WordPress post, and whether it is in the trash: a trashed post
    takes the status it had before (a draft when WordPress did not save it)."""
    if status == "trash":
        before = dict(meta).get("_wp_trash_meta_status", "").strip()
        return POST_STATUSES.get(before, PostStatus.DRAFT), True
    return POST_STATUSES.get(status, PostStatus.DRAFT), False


def parse_date(value: str) -> datetime | None:
    """A WXR date ("2024-05-01 13:45:00") as UTC; None for WordPress's "no date" or none."""
    value = value.strip()
    if not value or value == NO_DATE:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"the date {value[:40]!r} is not YYYY-MM-DD HH:MM:SS") from None


def gmt_date(gmt: str, local: str) -> datetime | None:
    """The GMT date, or the site's local date taken as UTC where WordPress left the GMT one
    empty (drafts and pending posts): the export does not say the site's time zone."""
    return parse_date(gmt) or parse_date(local)


def wordpress_slug(post_name: str) -> str:
    """The slug as it appears in the post's permalink: percent-decoded, without the
    `__trashed` WordPress appends when it trashes a post."""
    return _TRASHED.sub("", unquote(post_name.strip(), errors="replace"))


def slug_base(text: str, max_length: int) -> str:
    """A Hearth slug made from any text: transliterated to ASCII (привет is privet), then
    lower-case letters, digits and hyphens."""
    return slugify(anyascii(text))[:max_length].strip("-")


def trash_meta_statuses(meta: list[tuple[str, str]]) -> dict[int, str]:
    """`_wp_trash_meta_comments_status` (a PHP-serialized array of comment id to status)."""
    statuses = {}
    for key, value in meta:
        if key == "_wp_trash_meta_comments_status":
            for match in _PHP_ENTRY.finditer(value):
                statuses[int(match.group(1))] = match.group(2) or match.group(3)
    return statuses


def comment_status(approved: str, comment_id: int, before_trash: dict[int, str]) -> str:
    if approved == "post-trashed":
        approved = before_trash.get(comment_id, "0")
    return COMMENT_STATUSES.get(approved, CommentStatus.PENDING)


def guest_email(value: str, max_length: int) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value.lower() if len(value) <= max_length else ""


def guest_url(value: str, max_length: int) -> str:
    value = value.strip()
    if not value or len(value) > max_length:
        return ""
    try:
        _url_validator(value)
    except ValidationError:
        return ""
    return value


def guest_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
