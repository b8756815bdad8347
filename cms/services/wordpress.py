"""Importing a WordPress export (WXR): authors, tags, posts and their comment threads, in one
transaction, so a file that fails anywhere leaves nothing behind.

Every WordPress author, post and comment imported is recorded (WordPressItem, by the site's
address and its WordPress login or id): a second import of the same file changes nothing, and a
later export of the same site adds only what is new. Comments are written in bulk, a post's
thread at once: their ids are taken in date order, so the thread's paths (cms/models/comments.py)
read it as WordPress showed it, and the counts are computed from the whole thread and stored
exact. The import sends no webhooks; the cached reads of every post it touched are refreshed once
it commits.

Decisions the summary reports:
- pages, attachments (the posts keep their images' addresses; the files are not copied) and
  other item types (menus, blocks, templates) are skipped, with their comments;
- pingbacks and trackbacks are skipped;
- a reply whose parent is not in the file (WordPress leaves spam out of its exports, and the
  replies to it in) becomes a top-level comment of its post, never dropped.
"""

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction

from cms import content_versions
from cms.errors import DomainError
from cms.models import (
    Comment,
    CommentStatus,
    OldSlug,
    Post,
    PostStatus,
    Role,
    Tag,
    User,
    WordPressItem,
    WordPressKind,
)
from cms.models.comments import PATH_SEGMENT
from cms.models.users import DEFAULT_DISPLAY_NAME
from cms.rendering import render_markdown
from cms.services import revisions
from cms.services.posts import MAX_SLUG, MAX_TAG, _validate_text
from cms.wordpress import mapper
from cms.wordpress.content import ContentError, split_more, to_markdown, to_text
from cms.wordpress.reader import Author, Item, Site, Term, WxrComment, WxrError, WxrReader

# Hearth's own Markdown, written by export_wxr beside the HTML WordPress reads: an export
# imported again gives back the very text.
MARKDOWN_META = "_hearth_markdown"
COMMENT_TYPES = {"", "comment"}
LINKBACK_TYPES = {"pingback", "trackback"}
BATCH = 500


@dataclass
class ImportSummary:
    posts: int = 0
    comments: int = 0
    authors: int = 0
    tags: int = 0
    old_slugs: int = 0
    orphans: int = 0
    already: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def line(self) -> str:
        imported = ", ".join(_count(n, what) for n, what in (
            (self.posts, "post"), (self.comments, "comment"), (self.authors, "author"),
            (self.tags, "tag"), (self.old_slugs, "old slug")))
        skipped = ", ".join(_count(n, what) for what, n in self.skipped.items()) or "nothing"
        line = f"Imported {imported}; skipped {skipped}"
        if self.orphans:
            line += (f"; {_count(self.orphans, 'reply')} to comments not in the file (spam "
                     "WordPress leaves out) made top-level")
        if self.already:
            already = ", ".join(_count(n, what) for what, n in self.already.items())
            line += f"; already imported before: {already}"
        if self.dry_run:
            line = f"Dry run, nothing written. {line}"
        return line + "."


def _count(n: int, what: str) -> str:
    plural = {"reply": "replies", "pingback or trackback": "pingbacks and trackbacks",
              "other item": "other items"}.get(what, what + "s")
    return f"{n:,} {what if n == 1 else plural}"


def wxr_import(*, stream, dry_run: bool = False,
               progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import the WXR file `stream` (binary). WxrError names the item where it failed; nothing
    is written then, nor ever with `dry_run`."""
    reader = WxrReader(stream)
    importer = _Importer(ImportSummary(dry_run=dry_run))
    with transaction.atomic():
        for record in reader:
            try:
                importer.take(record)
            except (DomainError, ContentError, ValueError) as error:
                message = getattr(error, "message", None) or str(error)
                raise WxrError(f"{_label(record)}: {message}") from None
            if progress is not None:
                progress(reader.bytes_read)
        importer.finish()
        if dry_run:
            transaction.set_rollback(True)
    return importer.summary


def _label(record) -> str:
    if isinstance(record, Item):
        return record.label()
    if isinstance(record, Author):
        return f"The author {record.login[:60]!r}"
    return f"The term {getattr(record, 'name', '')[:60]!r}"


class _Importer:
    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.site = ""
        self.site_from_base = False
        self.users: dict[str, User] = {}  # by login
        self.logins: dict[int, str] = {}  # by WordPress user id
        self.tags: dict[str, Tag] = {}  # by Hearth slug
        self.touched: set[int] = set()
        self.author_group = Group.objects.filter(name=Role.AUTHOR).first()

    def take(self, record) -> None:
        if isinstance(record, Site):
            if not record.from_link or not self.site_from_base:
                self.site = record.url[:200]
                self.site_from_base = not record.from_link
        elif isinstance(record, Author):
            self._author(record)
        elif isinstance(record, Term):
            self._tag(record)
        else:
            self._item(record)

    def finish(self) -> None:
        keys = [tag for pk in sorted(self.touched) for tag in content_versions.tags_of_write(pk)]
        if keys:
            transaction.on_commit(lambda: content_versions.bump(["posts", *keys]))

    def _mapped(self, kind: str, keys: list[str]) -> dict[str, WordPressItem]:
        found = {}
        for start in range(0, len(keys), BATCH):
            rows = WordPressItem.objects.filter(site=self.site, kind=kind,
                                                key__in=keys[start:start + BATCH])
            found.update({row.key: row for row in rows})
        return found

    # Authors ------------------------------------------------------------------------------

    def _author(self, author: Author) -> None:
        if not author.login:
            raise ValueError("an author without a login")
        if author.id is not None:
            self.logins[author.id] = author.login
        if author.login in self.users:
            return
        row = self._mapped(WordPressKind.AUTHOR, [author.login]).get(author.login)
        if row is not None and row.user is not None:
            self.users[author.login] = row.user
            self.summary.already["author"] += 1
            return
        user = self._matching_user(author) or self._new_user(author)
        WordPressItem.objects.update_or_create(
            site=self.site, kind=WordPressKind.AUTHOR, key=author.login,
            defaults={"user": user})
        self.users[author.login] = user

    def _matching_user(self, author: Author) -> User | None:
        """An account with the author's e-mail address is the same person: their posts join
        it, and its role and password stay as they are."""
        email = mapper.guest_email(author.email, settings.HEARTH_MAX_EMAIL_LENGTH)
        return User.objects.filter(email__iexact=email).order_by("pk").first() if email else None

    def _new_user(self, author: Author) -> User:
        full_name = f"{author.first_name} {author.last_name}".strip()
        display_name = author.display_name
        if not display_name or display_name.lower() == author.login.lower():
            display_name = full_name or DEFAULT_DISPLAY_NAME  # never the login
        user = User(username=self._free_username(author.login),
                    email=mapper.guest_email(author.email, settings.HEARTH_MAX_EMAIL_LENGTH),
                    display_name=display_name[:150], first_name=author.first_name[:150],
                    last_name=author.last_name[:150])
        user.set_unusable_password()
        user.save()
        if self.author_group is not None:
            user.groups.add(self.author_group)
        self.summary.authors += 1
        return user

    def _free_username(self, login: str) -> str:
        base = "".join(c if c.isalnum() or c in "@.+-_" else "-" for c in login)[:140] or "author"
        name, n = base, 1
        while User.objects.filter(username__iexact=name).exists():
            n += 1
            name = f"{base}-wp{n}"
        return name

    def _user_of(self, login: str) -> User:
        if login not in self.users:
            # An item by an author the file does not list: an account with no public name.
            self._author(Author(login=login or "wordpress"))
        return self.users[login or "wordpress"]

    # Tags ---------------------------------------------------------------------------------

    def _tag(self, term: Term) -> Tag | None:
        if term.domain not in ("category", "post_tag"):
            return None
        wordpress_slug = mapper.wordpress_slug(term.slug) if term.slug else term.name
        if term.domain == "category" and wordpress_slug == mapper.DEFAULT_CATEGORY:
            return None
        name = html.unescape(term.name or wordpress_slug).strip()[:MAX_TAG].strip()
        slug = mapper.slug_base(wordpress_slug, MAX_TAG) or mapper.slug_base(name, MAX_TAG)
        if not name or not slug:
            return None
        if slug in self.tags:
            return self.tags[slug]
        tag = (Tag.objects.filter(slug=slug).first()
               or Tag.objects.filter(name__iexact=name).first())
        if tag is None:
            if Tag.objects.filter(name=name).exists():
                name = f"{name[:MAX_TAG - len(slug) - 3]} ({slug})"
            tag = Tag.objects.create(name=name, slug=slug)
            self.summary.tags += 1
        self.tags[slug] = tag
        return tag

    # Posts --------------------------------------------------------------------------------

    def _item(self, item: Item) -> None:
        kind = item.post_type or "post"
        if kind != "post" or item.status == "auto-draft":
            what = {"page": "page", "attachment": "attachment"}.get(kind, "other item")
            if item.status == "auto-draft":
                what = "auto-draft"
            self.summary.skipped[what] += 1
            if item.comments:
                self.summary.skipped["comment of a skipped item"] += len(item.comments)
            return
        if item.post_id <= 0:
            raise ValueError("an item without a wp:post_id")
        row = self._mapped(WordPressKind.POST, [str(item.post_id)]).get(str(item.post_id))
        if row is not None:
            self.summary.already["post"] += 1
            if row.post is None:  # deleted in Hearth since: not brought back
                return
            post = row.post
        else:
            post = self._new_post(item)
        self._comments(post, item)

    def _new_post(self, item: Item) -> Post:
        status = mapper.post_status(item.status)
        if item.password and status == PostStatus.PUBLISHED:
            status = PostStatus.ARCHIVED  # Hearth has no post passwords: kept from the public
        date = mapper.gmt_date(item.post_date_gmt, item.post_date)
        teaser, content = split_more(item.content)
        markdown = dict(item.meta).get(MARKDOWN_META)
        body = markdown if markdown is not None else to_markdown(content)
        title = html.unescape(item.title).strip() or mapper.UNTITLED
        _validate_text(title, body)
        excerpt = to_text(item.excerpt) or to_text(teaser, collapse=True)
        permalink = mapper.wordpress_slug(item.post_name)
        slug = self._free_slug(permalink or title)
        post = Post(
            title=title, slug=slug, excerpt=excerpt, body=body, html=render_markdown(body),
            status=status, author=self._user_of(item.creator),
            published_at=date if status != PostStatus.DRAFT else None,
            comments_open=item.comment_status != "closed",
        )
        if status == PostStatus.PUBLISHED and post.published_at is None:
            raise ValueError(f"a {item.status} post without a date")
        if date is not None:
            post.created_at = date
        post.save()
        tags = [tag for tag in map(self._tag, item.terms) if tag is not None]
        if tags:
            post.tags.set(dict.fromkeys(tags))
        old = {permalink} | {mapper.wordpress_slug(value) for key, value in item.meta
                             if key == "_wp_old_slug"}
        self._old_slugs(post, sorted(old - {slug, ""}))
        revisions.record(post, actor=None, note="Imported from WordPress.")
        WordPressItem.objects.create(site=self.site, kind=WordPressKind.POST,
                                     key=str(item.post_id), post=post)
        self.summary.posts += 1
        self.touched.add(post.pk)
        return post

    def _free_slug(self, text: str) -> str:
        base = mapper.slug_base(text, MAX_SLUG - 8) or "post"
        taken = set(Post.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _old_slugs(self, post: Post, slugs: list[str]) -> None:
        slugs = [slug for slug in slugs if len(slug) <= 200]
        taken = set(OldSlug.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        taken |= set(Post.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        new = [OldSlug(post=post, slug=slug) for slug in slugs if slug not in taken]
        OldSlug.objects.bulk_create(new)
        self.summary.old_slugs += len(new)

    # Comments -----------------------------------------------------------------------------

    def _comments(self, post: Post, item: Item) -> None:
        wanted = []
        for comment in item.comments:
            if comment.type in COMMENT_TYPES:
                wanted.append(comment)
            else:
                linkback = comment.type in LINKBACK_TYPES
                self.summary.skipped["pingback or trackback" if linkback
                                     else "comment of another type"] += 1
        if not wanted:
            return
        keys = [str(comment.id) for comment in wanted]
        mapped = self._mapped(WordPressKind.COMMENT, keys)
        new = [comment for comment in wanted if str(comment.id) not in mapped]
        if len(new) < len(wanted):
            self.summary.already["comment"] += len(wanted) - len(new)
        if not new:
            return
        new = list({comment.id: comment for comment in new}.values())
        before_trash = mapper.trash_meta_statuses(item.meta)
        rows = {comment.id: self._comment_row(post, comment, before_trash) for comment in new}
        new.sort(key=lambda c: (rows[c.id].created_at, c.id))
        parents = self._parents(post, new, rows)
        for comment, pk in zip(new, _allocate_ids(len(new)), strict=True):
            rows[comment.id].pk = pk
        for comment in _parents_first(new, parents, item):
            row = rows[comment.id]
            parent = parents.get(comment.id)
            if isinstance(parent, int):  # a WordPress id in this file
                parent = rows[parent]
            row.parent_id = parent.pk if parent is not None else None
            row.depth = parent.depth + 1 if parent is not None else 0
            row.path = (parent.path if parent is not None else "") + f"{row.pk:0{PATH_SEGMENT}d}"
        count_thread(post, [rows[c.id] for c in new])
        Comment.objects.bulk_create([rows[c.id] for c in new], batch_size=BATCH)
        WordPressItem.objects.bulk_create(
            [WordPressItem(site=self.site, kind=WordPressKind.COMMENT, key=str(c.id),
                           comment=rows[c.id]) for c in new], batch_size=BATCH)
        self.summary.comments += len(new)
        self.touched.add(post.pk)

    def _comment_row(self, post: Post, comment: WxrComment, before_trash) -> Comment:
        markdown = comment.meta.get(MARKDOWN_META)
        body = markdown if markdown is not None else to_markdown(comment.content)
        if len(body) > settings.HEARTH_MAX_COMMENT_LENGTH:
            raise ValueError(f"comment {comment.id} has {len(body):,} characters; at most "
                             f"{settings.HEARTH_MAX_COMMENT_LENGTH:,} fit "
                             "(HEARTH_MAX_COMMENT_LENGTH)")
        login = self.logins.get(comment.user_id) if comment.user_id else None
        user = self.users.get(login) if login else None
        try:
            created = mapper.gmt_date(comment.date_gmt, comment.date)
        except ValueError as error:
            raise ValueError(f"comment {comment.id}: {error}") from None
        return Comment(
            post=post, user=user,
            author_name=html.unescape(comment.author).strip()[:settings.HEARTH_MAX_NAME_LENGTH],
            author_email=mapper.guest_email(comment.email, settings.HEARTH_MAX_EMAIL_LENGTH),
            author_url=mapper.guest_url(comment.url, settings.HEARTH_MAX_URL_LENGTH),
            ip_address=mapper.guest_ip(comment.ip), user_agent=comment.agent.strip()[:500],
            body=body, html=render_markdown(body, for_comment=True),
            status=mapper.comment_status(comment.approved, comment.id, before_trash),
            created_at=created or post.created_at,
        )

    def _parents(self, post: Post, new: list[WxrComment], rows) -> dict:
        """Each new comment's parent: a WordPress id among the new ones, a Comment imported
        before, or none (top-level, and an orphan when WordPress named a parent)."""
        in_file = {comment.id for comment in new}
        elsewhere = [str(c.parent) for c in new if c.parent and c.parent not in in_file]
        earlier = {key: row.comment for key, row in
                   self._mapped(WordPressKind.COMMENT, sorted(set(elsewhere))).items()}
        parents = {}
        for comment in new:
            if not comment.parent:
                continue
            if comment.parent in in_file:
                parents[comment.id] = comment.parent
                continue
            found = earlier.get(str(comment.parent))
            if found is not None and found.post_id == post.pk:
                parents[comment.id] = found
            else:
                self.summary.orphans += 1
        return parents


def _parents_first(new: list[WxrComment], parents: dict, item: Item) -> list[WxrComment]:
    """The new comments with every parent before its replies; a loop of parents (which
    WordPress cannot make) is an error."""
    by_id = {comment.id: comment for comment in new}
    ordered, placed = [], set()
    for comment in new:
        chain, current = [], comment.id
        while current not in placed:
            if current in chain:
                raise WxrError(f"{item.label()}: comment {current} is its own ancestor "
                               "(wp:comment_parent loops).")
            chain.append(current)
            parent = parents.get(current)
            if not isinstance(parent, int):
                break
            current = parent
        for comment_id in reversed(chain):
            if comment_id not in placed:
                placed.add(comment_id)
                ordered.append(by_id[comment_id])
    return ordered


def _allocate_ids(n: int) -> list[int]:
    """`n` new comment ids, ascending, taken before the rows are written: a thread's paths
    are made of its comments' ids, so they are known before one bulk insert."""
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, n])
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: the import holds the write lock (IMMEDIATE), so nobody takes these meanwhile.
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 - the model's own table
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        sequence = cursor.fetchone()
        start = max(highest, sequence[0] if sequence else 0) + 1
    return list(range(start, start + n))


def count_thread(post: Post, new: list[Comment]) -> None:
    """Set the exact counts of `post`'s thread, its comments in the database and the `new` ones
    about to be written (whose counts are set on them): each one's approved replies and
    approved descendants, the post's approved comments and the comments its thread shows
    (approved ones, and removed ones above an approved reply)."""
    stored = list(Comment.objects.filter(post=post).order_by().values_list(
        "pk", "parent_id", "depth", "status", "reply_count", "descendant_count"))
    rows = stored + [(c.pk, c.parent_id, c.depth, c.status, 0, 0) for c in new]
    replies: Counter = Counter()
    below: Counter = Counter()
    for pk, parent, _depth, status, _r, _d in sorted(rows, key=lambda row: -row[2]):
        if parent is not None:
            approved = status == CommentStatus.APPROVED
            replies[parent] += approved
            below[parent] += below[pk] + approved
    for comment in new:
        comment.reply_count, comment.descendant_count = replies[comment.pk], below[comment.pk]
    changed = [Comment(pk=pk, reply_count=replies[pk], descendant_count=below[pk])
               for pk, _p, _depth, _s, reply_count, descendant_count in stored
               if (reply_count, descendant_count) != (replies[pk], below[pk])]
    Comment.objects.bulk_update(changed, ["reply_count", "descendant_count"], batch_size=BATCH)
    approved = sum(status == CommentStatus.APPROVED for _pk, _p, _d, status, _r, _c in rows)
    shown = sum(status == CommentStatus.APPROVED or below[pk] > 0
                for pk, _p, _d, status, _r, _c in rows)
    Post.objects.filter(pk=post.pk).update(comment_count=approved, thread_count=shown)
