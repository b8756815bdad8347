"""Versions of the content that cached reads depend on, kept in Django's cache.

A cached response names the content it shows as tags (`posts`, `post:<id>`,
`post-comments:<id>`, see schema/http/http_cache.py) and remembers their versions. Every write bumps
the versions of what it touched, after its transaction commits, so a cached read of older
content is never served again. Lists show every post's counts, so any write bumps `posts`.

A version is a random token, never a count: a version key that is evicted or deleted comes back
as a new token, never as one an old entry remembers. If the cache refuses a bump (full), the keys
are deleted instead (Redis allows deletes when full); if it cannot be reached at all, nothing can
be read from it either. Either way no entry of older content matches again.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

from cms import cache_guard

PREFIX = "hearth:tag:"


def _key(tag: str) -> str:
    return PREFIX + tag


def _new() -> str:
    return secrets.token_hex(8)


def versions(tags) -> dict[str, str] | None:
    """The current version of each tag (a new one for a tag never seen or evicted), or None when
    the cache cannot say: then nothing may be served from the cache or stored in it."""
    keys = {tag: _key(tag) for tag in tags}

    def read():
        found = cache.get_many(list(keys.values()))
        missing = [key for key in keys.values() if key not in found]
        if missing:
            for key in missing:
                cache.add(key, _new(), timeout=None)
            found.update(cache.get_many(missing))  # another process's add may have won
        return {tag: found[key] for tag, key in keys.items()}

    try:
        return read()
    except KeyError:  # evicted again at once: the cache is too small to trust
        return None
    except Exception:  # noqa: BLE001 - down or full
        cache_guard.warn("content versions")
        return None


def bump(tags) -> None:
    keys = [_key(tag) for tag in tags]
    try:
        cache.set_many({key: _new() for key in keys}, timeout=None)
    except Exception:  # noqa: BLE001 - full or down: never an error for a committed write
        cache_guard.warn("content versions (bump)")
        cache_guard.attempt("content versions (delete)", lambda: cache.delete_many(keys))


def tags_of_write(post_id: int) -> list[str]:
    return ["posts", f"post:{post_id}", f"post-comments:{post_id}"]


def posts_written(post_ids) -> None:
    """`post_written` for many posts at once: a person's new name or picture shows on every
    post they wrote, commented on or reacted to."""
    tags = ["posts", *(tag for pk in sorted(set(post_ids)) for tag in tags_of_write(pk))]
    transaction.on_commit(lambda: bump(tags))


def post_written(post_id: int) -> None:
    """Called by every service that changes a post, its comments or its reactions, inside its
    transaction: the versions are bumped once it commits, never for a write that rolled back."""
    transaction.on_commit(lambda: bump(tags_of_write(post_id)))
