"""Per-request batch loading, over cms/selectors.

Every list of objects a resolver returns is a *batch*: each object remembers its siblings
(`_batch`). When a field needs related data for one object, the loader fetches it for the whole
batch in one query and caches it, so the next siblings find it ready. A page of 100 comments
costs one query per field level, not one per comment.
"""

from collections import defaultdict
from functools import cached_property

from cms.models import Comment, Image, Post, Tag
from cms.policies import Reader
from cms.selectors import comments as comment_selectors
from cms.selectors import images as image_selectors
from cms.selectors import posts as post_selectors
from cms.selectors.pagination import Page, PageArgs, as_batch, batch_of
from cms.selectors.reactions import reactions_given, reactor_pages


class Loaders:
    def __init__(self, *, user=None, visitor_key: str | None = None):
        self.user = user if user is not None and user.is_authenticated else None
        self.visitor_key = visitor_key
        self._replies: dict[tuple, dict[int, Page]] = defaultdict(dict)
        self._tags: dict[int, list[Tag]] = {}
        self._viewer_reactions: dict[tuple[str, int], list[str]] = {}
        self._thread_reactions_read: set[int] = set()
        self._posts: dict[int, Post] = {}
        self._comments: dict[int, Comment | None] = {}
        self._images: dict[int, Image] = {}
        self._reactors: dict[tuple, dict[int, Page]] = defaultdict(dict)

    @cached_property
    def reader(self) -> Reader:
        return Reader.of(self.user)

    def post_ids_shown(self) -> tuple[set[int], set[int]]:
        """(posts whose fields were read, posts whose comments were read): the content this
        response depends on, for cache tags."""
        comment_posts = {c.post_id for c in self._comments.values() if c is not None}
        return set(self._posts), comment_posts

    # Comments ------------------------------------------------------------------------------

    def top_level(self, post: Post, args: PageArgs, order: str) -> Page:
        """A page of `post`'s top-level comments."""
        self.remember_post(post)
        page = comment_selectors.top_level_page(post_id=post.pk, reader=self.reader, args=args,
                                                order=order)
        self.remember(page.rows)
        return page

    def remember(self, comments: list[Comment]) -> list[Comment]:
        for comment in comments:
            self._comments[comment.pk] = comment
        return comments

    def replies(self, comment: Comment, args: PageArgs) -> Page:
        """The page of `comment`'s replies, loaded with those of its whole batch."""
        cache = self._replies[args]
        if comment.pk not in cache:
            batch = [c for c in batch_of(comment) if c.pk not in cache]
            pages = comment_selectors.reply_pages(parent_ids=[c.pk for c in batch],
                                                  reader=self.reader, args=args)
            for page in pages.values():
                self.remember(page.rows)
            cache.update(pages)
            for parent in batch:
                cache.setdefault(parent.pk, Page([], [], False, args.start > 0, 0))
        return cache[comment.pk]

    def thread(self, post: Post, first: int, after_path: str | None) -> Page:
        """A page of `post`'s thread in reading order; the ancestors read with it are kept."""
        self.remember_post(post)
        page, ancestors = comment_selectors.thread_page(post=post, reader=self.reader,
                                                        first=first, after_path=after_path)
        self.remember(ancestors)
        self.remember(page.rows)
        return page

    def moderation_queue(self, args: PageArgs, status: str) -> Page:
        page = comment_selectors.moderation_queue(reader=self.reader, args=args, status=status)
        self.remember(page.rows)
        return page

    def comment(self, comment_id: int) -> Comment | None:
        """A comment already loaded in this request, or from the database if the viewer may
        see it."""
        if comment_id not in self._comments:
            self._comments[comment_id] = comment_selectors.comment_get(reader=self.reader,
                                                                       pk=comment_id)
        return self._comments[comment_id]

    def parent(self, comment: Comment) -> Comment | None:
        if comment.parent_id is None:
            return None
        if comment.parent_id not in self._comments:
            wanted = {c.parent_id for c in batch_of(comment)
                      if c.parent_id and c.parent_id not in self._comments}
            parents = comment_selectors.comments_by_ids(reader=self.reader, ids=wanted)
            self.remember(parents)
            for missing in wanted - {p.pk for p in parents}:
                self._comments[missing] = None
        return self._comments[comment.parent_id]

    # Posts ---------------------------------------------------------------------------------

    def remember_post(self, post: Post) -> Post:
        self._posts[post.pk] = post
        return post

    def posts(self, ids: list[int]) -> dict[int, Post]:
        """The posts of `ids` the viewer may read."""
        found = post_selectors.posts_by_ids(reader=self.reader, ids=ids)
        for post in found.values():
            self.remember_post(post)
        return found

    def post_of(self, comment: Comment) -> Post:
        if comment.post_id not in self._posts:
            wanted = {c.post_id for c in batch_of(comment) if c.post_id not in self._posts}
            for post in as_batch(post_selectors.posts_of_comments(ids=wanted)):
                self._posts[post.pk] = post
        return self._posts[comment.post_id]

    def tags(self, post: Post) -> list[Tag]:
        if post.pk not in self._tags:
            batch = [p.pk for p in batch_of(post) if p.pk not in self._tags]
            self._tags.update(post_selectors.tags_of_posts(post_ids=batch))
        return self._tags[post.pk]

    # Images --------------------------------------------------------------------------------

    def images(self, ids: list[int]) -> dict[int, Image]:
        """The images of `ids` the viewer may see."""
        return image_selectors.images_by_ids(reader=self.reader, ids=ids)

    def featured_image(self, post: Post) -> Image | None:
        """The post's featured image, loaded with those of its whole batch."""
        if post.featured_image_id is None:
            return None
        if post.featured_image_id not in self._images:
            wanted = {p.featured_image_id for p in batch_of(post)
                      if p.featured_image_id and p.featured_image_id not in self._images}
            self._images.update(image_selectors.featured_images(ids=wanted))
        return self._images.get(post.featured_image_id)

    # Reactions -----------------------------------------------------------------------------

    def viewer_reactions(self, subject: Post | Comment) -> list[str]:
        """The kinds the viewer gave `subject`. For a comment, the viewer's reactions to its
        whole post and its comments are read at once; for a post, those of its batch."""
        if self.user is None and not self.visitor_key:
            return []
        if isinstance(subject, Comment):
            if subject.post_id not in self._thread_reactions_read:
                self._thread_reactions_read.add(subject.post_id)
                self._read_reactions([subject.post_id], with_comments=True)
            return self._viewer_reactions.get(("comment", subject.pk), [])
        if ("post", subject.pk) not in self._viewer_reactions:
            batch = [p.pk for p in batch_of(subject)]
            # A post read alone is a post page: its comments' reactions come along.
            alone = len(batch) == 1
            if alone:
                self._thread_reactions_read.add(subject.pk)
            self._read_reactions(batch, with_comments=alone)
        return self._viewer_reactions[("post", subject.pk)]

    def reactors(self, subject: Post | Comment, kind: str | None, args: PageArgs) -> Page:
        """The page of accounts listed as `subject`'s reactors, loaded with those of its whole
        batch (the posts of a list, the comments of a page)."""
        name = "comment" if isinstance(subject, Comment) else "post"
        cache = self._reactors[(name, kind, args.start, args.first)]
        if subject.pk not in cache:
            batch = [s.pk for s in batch_of(subject) if s.pk not in cache]
            cache.update(reactor_pages(subject=name, subject_ids=batch, kind=kind,
                                       start=args.start, first=args.first))
        return cache[subject.pk]

    def _read_reactions(self, post_ids: list[int], *, with_comments: bool) -> None:
        for post_id in post_ids:
            self._viewer_reactions.setdefault(("post", post_id), [])
        given = reactions_given(post_ids=post_ids, with_comments=with_comments,
                                user_id=self.user.pk if self.user is not None else None,
                                visitor_key=self.visitor_key)
        for post_id, comment_id, kind in given:
            key = ("post", post_id) if post_id else ("comment", comment_id)
            kinds = self._viewer_reactions.setdefault(key, [])
            if kind not in kinds:
                kinds.append(kind)
