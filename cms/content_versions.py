"""Versions of the content that cached reads depend on, kept in Django's cache.

A cached response names the content it shows as tags (`posts`, `post:<id>`,
`post-comments:<id>`, see schema/http_cache.py) and remembers their versions. Every write bumps
the versions of what it touched, after its transaction commits, so a cached read of older
content is never served again. Lists show every post's counts, so any write bumps `posts`.
"""

from django.core.cache import cache

from cms import events

PREFIX = "hearth:tag:"


def _key(tag: str) -> str:
    return PREFIX + tag


def versions(tags) -> dict[str, int]:
    found = cache.get_many([_key(t) for t in tags])
    return {t: found.get(_key(t), 0) for t in tags}


def bump(tags) -> None:
    for tag in tags:
        key = _key(tag)
        if not cache.add(key, 1, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=None)


def tags_of_write(post_id: int) -> list[str]:
    return ["posts", f"post:{post_id}", f"post-comments:{post_id}"]


def on_write(event: str, post_id: int, payload: dict) -> None:
    """The `cms.events` listener: bump after commit, never for a write that rolled back."""
    events.on_commit(lambda: bump(tags_of_write(post_id)))


def register() -> None:
    events.listen(on_write)
