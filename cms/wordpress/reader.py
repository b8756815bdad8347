"""A streaming reader of WordPress exports (WXR 1.0 to 1.2): one `Author`, `Term` or `Item` at a
time, each with what WordPress wrote for it, as text.

lxml's iterparse reads the file in chunks; every element is dropped once read, so memory holds
one item (a post with its comments) at a time, whatever the file's size. The parser resolves no
entity, reads no DTD and opens nothing on the network; a file that declares a DTD at all is
refused (WordPress never writes one; it is how entity bombs come in), as is an element nested
deeper than a WXR file nests (libxml2 stops at 256 anyway, and a text node over 10 MB, without
`huge_tree`). Every error names the item it happened in.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

# rss > channel > item > wp:comment > wp:commentmeta > wp:meta_key is as deep as WXR goes.
MAX_DEPTH = 8

NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WxrError(Exception):
    """The file cannot be imported; the message says where and why."""


@dataclass
class Author:
    login: str
    id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    domain: str  # "category" or "post_tag"
    slug: str
    name: str


@dataclass
class WxrComment:
    id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: str = ""
    date_gmt: str = ""
    agent: str = ""  # not in WordPress's own exports; export_wxr writes it
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent: int = 0
    user_id: int = 0
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Item:
    index: int
    post_id: int = 0
    title: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    comment_status: str = "open"
    post_name: str = ""
    status: str = ""
    post_type: str = "post"
    password: str = ""
    terms: list[Term] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)

    def label(self) -> str:
        title = f" {self.title[:60]!r}" if self.title else ""
        return f"post {self.post_id}{title}" if self.post_id else f"item #{self.index}{title}"


@dataclass
class Site:
    url: str
    from_link: bool  # the channel's <link>, which WXR 1.0 has instead of wp:base_site_url


def _name(tag) -> str:
    """`wp:post_id`, `content:encoded`, `title`: the element's name with a fixed prefix for the
    namespaces WXR uses, whichever version (1.0, 1.1, 1.2) of WordPress's it is."""
    if not isinstance(tag, str):
        return ""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri.startswith("http://wordpress.org/export/"):
        return f"{'excerpt' if uri.endswith('/excerpt/') else 'wp'}:{local}"
    return f"{NAMESPACES.get(uri, uri)}:{local}"


def _int(text: str, what: str, where: str) -> int:
    try:
        return int(text.strip() or 0)
    except ValueError:
        raise WxrError(f"{where}: {what} is {text[:40]!r}, not a number.") from None


def _fields(element) -> dict[str, str]:
    return {_name(child.tag): (child.text or "") for child in element}


class _CountingFile:
    """The file, counting the bytes read so far (for the progress bar)."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.bytes_read += len(data)
        return data


class WxrReader:
    def __init__(self, stream):
        self.file = _CountingFile(stream)
        self.item: Item | None = None
        self.last_comment: int | None = None
        self.items = 0

    @property
    def bytes_read(self) -> int:
        return self.file.bytes_read

    def where(self) -> str:
        if self.item is None:
            return "before the first item" if self.items == 0 else f"after item #{self.items}"
        comment = f", after comment {self.last_comment}" if self.last_comment is not None else ""
        return f"in {self.item.label()}{comment}"

    def __iter__(self) -> Iterator[Author | Term | Item | Site]:
        events = etree.iterparse(
            self.file, events=("start", "end"), resolve_entities=False, load_dtd=False,
            no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
        try:
            yield from self._read(events)
        except etree.XMLSyntaxError as error:
            # The parser's log has the error where it happened; the exception may only say how
            # parsing ended ("no element found").
            last = error.error_log.last_error
            line = last.line if last is not None else error.lineno
            message = last.message if last is not None else error.msg
            raise WxrError(f"The file is not well-formed XML (line {line}: {message}), "
                           f"{self.where()}.") from None

    def _read(self, events) -> Iterator[Author | Term | Item | Site]:
        depth = 0
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    self._refuse_dtd(element)
                    if _name(element.tag) != "rss":
                        raise WxrError("This is not a WordPress export: its root element is "
                                       f"<{_name(element.tag)}>, not <rss>.")
                if depth > MAX_DEPTH:
                    raise WxrError(f"Elements are nested {depth} deep {self.where()}; a "
                                   f"WordPress export nests at most {MAX_DEPTH}.")
                if depth == 3 and _name(element.tag) == "item":
                    self.items += 1
                    self.item = Item(index=self.items)
                    self.last_comment = None
                continue
            depth -= 1
            name = _name(element.tag)
            if depth == 3 and self.item is not None:
                self._note(name, element)
                if name == "wp:comment":
                    self.item.comments.append(self._comment(element))
                    element.clear()
                    element.getparent().remove(element)
            elif depth == 2:
                found = self._channel_child(name, element)
                if found is not None:
                    yield found
                self.item = None
                _drop(element)

    def _refuse_dtd(self, root) -> None:
        info = root.getroottree().docinfo
        if info.internalDTD is not None or info.doctype or info.system_url or info.public_id:
            raise WxrError("The file declares a DTD (<!DOCTYPE ...>). WordPress never writes "
                           "one, and its entities are how XML bombs work: refused.")

    def _note(self, name: str, element) -> None:
        """Remember the item's id and title as soon as they are read, for error messages."""
        if name == "wp:post_id":
            self.item.post_id = _int(element.text or "", "wp:post_id", self.where())
        elif name == "title":
            self.item.title = element.text or ""

    def _comment(self, element) -> WxrComment:
        where = self.where()
        values = {}
        meta = {}
        for child in element:
            name = _name(child.tag)
            if name == "wp:commentmeta":
                pair = _fields(child)
                meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
            else:
                values[name] = child.text or ""
        comment_id = _int(values.get("wp:comment_id", ""), "wp:comment_id", where)
        where = f"in {self.item.label()}, comment {comment_id}"
        self.last_comment = comment_id
        return WxrComment(
            id=comment_id,
            author=values.get("wp:comment_author", ""),
            email=values.get("wp:comment_author_email", ""),
            url=values.get("wp:comment_author_url", ""),
            ip=values.get("wp:comment_author_IP", ""),
            date=values.get("wp:comment_date", ""),
            date_gmt=values.get("wp:comment_date_gmt", ""),
            agent=values.get("wp:comment_agent", ""),
            content=values.get("wp:comment_content", ""),
            approved=values.get("wp:comment_approved", "1").strip(),
            type=values.get("wp:comment_type", "").strip(),
            parent=_int(values.get("wp:comment_parent", ""), "wp:comment_parent", where),
            user_id=_int(values.get("wp:comment_user_id", ""), "wp:comment_user_id", where),
            meta=meta,
        )

    def _channel_child(self, name: str, element):
        if name == "item":
            return self._item(element)
        values = _fields(element)
        if name in ("wp:base_site_url", "link"):
            return Site(url=(element.text or "").strip(), from_link=name == "link")
        if name == "wp:author":
            where = f"in the author {values.get('wp:author_login', '')[:60]!r}"
            author_id = values.get("wp:author_id", "").strip()
            return Author(
                login=values.get("wp:author_login", "").strip(),
                id=_int(author_id, "wp:author_id", where) if author_id else None,
                email=values.get("wp:author_email", "").strip(),
                display_name=values.get("wp:author_display_name", "").strip(),
                first_name=values.get("wp:author_first_name", "").strip(),
                last_name=values.get("wp:author_last_name", "").strip(),
            )
        if name == "wp:category":
            return Term("category", values.get("wp:category_nicename", "").strip(),
                        values.get("wp:cat_name", "").strip())
        if name == "wp:tag":
            return Term("post_tag", values.get("wp:tag_slug", "").strip(),
                        values.get("wp:tag_name", "").strip())
        return None

    def _item(self, element) -> Item:
        item = self.item
        for child in element:
            name = _name(child.tag)
            text = child.text or ""
            if name == "category":
                domain = child.get("domain", "category")
                item.terms.append(Term(domain, (child.get("nicename") or "").strip(),
                                       text.strip()))
            elif name == "wp:postmeta":
                pair = _fields(child)
                item.meta.append((pair.get("wp:meta_key", ""), pair.get("wp:meta_value", "")))
            elif name in _ITEM_FIELDS:
                setattr(item, _ITEM_FIELDS[name], text.strip() if name != "content:encoded"
                        and name != "excerpt:encoded" else text)
        return item


_ITEM_FIELDS = {
    "dc:creator": "creator",
    "content:encoded": "content",
    "excerpt:encoded": "excerpt",
    "wp:post_date": "post_date",
    "wp:post_date_gmt": "post_date_gmt",
    "wp:comment_status": "comment_status",
    "wp:post_name": "post_name",
    "wp:status": "status",
    "wp:post_type": "post_type",
    "wp:post_password": "password",
}


def _drop(element) -> None:
    """Free what has been read: the element, and the siblings read before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
        parent.remove(element)
