"""What WordPress's own importer needs of a WXR file, and the shape WordPress's exporter gives it,
checked element by element: a stand-in for importing into a real WordPress, which cannot be
installed here (the importer plugin is in no package registry this machine reaches).

The rules come from WordPress's exporter (wp-admin/includes/export.php: namespaces, element
order, CDATA) and from its importer plugin (parsers.php, class-wp-import.php): the parser refuses a
DTD and a missing or malformed `wp:wxr_version`; it reads an item's terms only from `category`
elements with a `nicename`; it maps `dc:creator` to an author by login and `comment_user_id` to
one by id; and it inserts a post's comments in id order, finding a reply's parent only among the
comments inserted before it, so a parent's id must be below its replies'.
`wordpress_import_problems` returns every rule broken, as sentences; none is a pass.
"""

import re

from lxml import etree

WP = "http://wordpress.org/export/1.2/"
NAMESPACES = {"excerpt": "http://wordpress.org/export/1.2/excerpt/",
              "content": "http://purl.org/rss/1.0/modules/content/",
              "wfw": "http://wellformedweb.org/CommentAPI/",
              "dc": "http://purl.org/dc/elements/1.1/", "wp": WP}
PREFIX = {uri: prefix for prefix, uri in NAMESPACES.items()}

CHANNEL = (r"title link description pubDate language wp:wxr_version wp:base_site_url "
           r"wp:base_blog_url (wp:author )*(wp:category )*(wp:tag )*(wp:term )*generator (item )*")
AUTHOR = ("wp:author_id wp:author_login wp:author_email wp:author_display_name "
          "wp:author_first_name wp:author_last_name")
TAG = r"wp:term_id wp:tag_slug wp:tag_name (wp:tag_description )?(wp:termmeta )*"
ITEM = (r"title link pubDate dc:creator guid description content:encoded excerpt:encoded "
        r"wp:post_id wp:post_date wp:post_date_gmt wp:post_modified wp:post_modified_gmt "
        r"wp:comment_status wp:ping_status wp:post_name wp:status wp:post_parent wp:menu_order "
        r"wp:post_type wp:post_password wp:is_sticky (category )*(wp:postmeta )*(wp:comment )*")
# wp:comment_agent is Hearth's one addition (a commenter's user agent, which WordPress's
# exporter leaves out); WordPress's parser reads the elements it knows by name and skips it.
COMMENT = (r"wp:comment_id wp:comment_author wp:comment_author_email wp:comment_author_url "
           r"wp:comment_author_IP wp:comment_date wp:comment_date_gmt wp:comment_content "
           r"wp:comment_approved wp:comment_type wp:comment_parent wp:comment_user_id "
           r"(wp:comment_agent )?(wp:commentmeta )*")
# What export.php writes through wxr_cdata().
ITEM_CDATA = ("title", "dc:creator", "content:encoded", "excerpt:encoded", "wp:post_date",
              "wp:post_date_gmt", "wp:comment_status", "wp:ping_status", "wp:post_name",
              "wp:status", "wp:post_type", "wp:post_password")
COMMENT_CDATA = ("wp:comment_author", "wp:comment_author_email", "wp:comment_author_IP",
                 "wp:comment_date", "wp:comment_date_gmt", "wp:comment_content",
                 "wp:comment_approved", "wp:comment_type")
POST_STATUSES = {"publish", "future", "draft", "pending", "private", "trash"}
COMMENT_STATUSES = {"1", "0", "spam", "trash", "post-trashed"}
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _name(element) -> str:
    if not element.tag.startswith("{"):
        return element.tag
    uri, local = element.tag[1:].split("}")
    return f"{PREFIX.get(uri, uri)}:{local}"


def _sequence(element) -> str:
    return "".join(_name(child) + " " for child in element
                   if isinstance(child.tag, str))


def _text(element, name: str) -> str:
    prefix, _, local = name.rpartition(":")
    found = element.find(f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local)
    return found.text or "" if found is not None else ""


def _cdata(element, names, where, problems) -> None:
    for name in names:
        prefix, _, local = name.rpartition(":")
        found = element.find(f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local)
        raw = etree.tostring(found, encoding="unicode", with_tail=False)
        if found.text and not re.match(r"<[^>]*><!\[CDATA\[", raw):
            problems.append(f"{where}: <{name}> is not written as CDATA.")


def wordpress_import_problems(data: bytes) -> list[str]:
    problems: list[str] = []
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    if root.getroottree().docinfo.doctype:
        problems.append("The file declares a DTD, which WordPress's parser refuses.")
    if root.tag != "rss" or root.get("version") != "2.0":
        problems.append("The root is not <rss version=\"2.0\">.")
    if root.nsmap != NAMESPACES:
        problems.append(f"The namespaces are {root.nsmap}, not those of WXR 1.2.")
    channel = root.find("channel")
    if not re.fullmatch(CHANNEL, _sequence(channel)):
        problems.append(f"The channel's elements are out of WordPress's order: "
                        f"{_sequence(channel)[:300]}")
    if not re.fullmatch(r"\d+\.\d+", _text(channel, "wp:wxr_version").strip()):
        problems.append("wp:wxr_version is missing or not a version number.")
    authors = {}
    for author in channel.iterfind(f"{{{WP}}}author"):
        if _sequence(author).strip() != AUTHOR:
            problems.append(f"An author's elements are {_sequence(author)}.")
        authors[_text(author, "wp:author_id")] = _text(author, "wp:author_login")
    if len(set(authors.values())) != len(authors) or not all(map(str.isdigit, authors)):
        problems.append("Author ids must be numbers and logins unique.")
    tag_slugs = set()
    for tag in channel.iterfind(f"{{{WP}}}tag"):
        if not re.fullmatch(TAG, _sequence(tag)):
            problems.append(f"A tag's elements are {_sequence(tag)}.")
        tag_slugs.add(_text(tag, "wp:tag_slug"))
    post_ids, comment_ids = set(), set()
    for item in channel.iterfind("item"):
        post_id = _text(item, "wp:post_id")
        where = f"Post {post_id}"
        problems += _item_problems(item, where, authors, tag_slugs)
        if not post_id.isdigit() or post_id in post_ids:
            problems.append(f"{where}: wp:post_id is not a number, or not unique.")
        post_ids.add(post_id)
        problems += _comment_problems(item, where, authors, comment_ids)
    return problems


def _item_problems(item, where, authors, tag_slugs) -> list[str]:
    problems = []
    if not re.fullmatch(ITEM, _sequence(item)):
        problems.append(f"{where}: its elements are out of WordPress's order: "
                        f"{_sequence(item)[:400]}")
        return problems
    _cdata(item, ITEM_CDATA, where, problems)
    status = _text(item, "wp:status")
    if status not in POST_STATUSES:
        problems.append(f"{where}: the status {status!r} is not WordPress's.")
    if _text(item, "dc:creator") not in authors.values():
        problems.append(f"{where}: dc:creator names no wp:author's login.")
    for name in ("wp:post_date", "wp:post_date_gmt"):
        if not DATE.fullmatch(_text(item, name)):
            problems.append(f"{where}: {name} is not YYYY-MM-DD HH:MM:SS.")
    for name in ("wp:comment_status", "wp:ping_status"):
        if _text(item, name) not in ("open", "closed"):
            problems.append(f"{where}: {name} is neither open nor closed.")
    for term in item.iterfind("category"):
        if term.get("domain") != "post_tag" or term.get("nicename") not in tag_slugs:
            problems.append(f"{where}: a category element without the nicename of a wp:tag "
                            "(WordPress's importer drops it).")
    meta = {_text(m, "wp:meta_key"): _text(m, "wp:meta_value")
            for m in item.iterfind(f"{{{WP}}}postmeta")}
    if "" in meta:
        problems.append(f"{where}: a postmeta without a key.")
    if any(slug != slug.lower() or not re.fullmatch(r"[a-z0-9_%-]+", slug)
           for slug in [_text(item, "wp:post_name")] + [
               v for k, v in meta.items() if k == "_wp_old_slug"]):
        problems.append(f"{where}: a slug is not as WordPress stores slugs (lower case, "
                        "percent-encoded).")
    if (status == "trash") != _text(item, "wp:post_name").endswith("__trashed"):
        problems.append(f"{where}: a trashed post's slug ends in __trashed, and only its.")
    if status == "trash" and meta.get("_wp_trash_meta_status") not in POST_STATUSES - {"trash"}:
        problems.append(f"{where}: a trashed post without _wp_trash_meta_status.")
    return problems


def _comment_problems(item, where, authors, comment_ids) -> list[str]:
    problems = []
    inserted = set()
    trashed = _text(item, "wp:status") == "trash"
    saved = next((_text(m, "wp:meta_value") for m in item.iterfind(f"{{{WP}}}postmeta")
                  if _text(m, "wp:meta_key") == "_wp_trash_meta_comments_status"), "")
    comments = list(item.iterfind(f"{{{WP}}}comment"))
    for comment in sorted(comments, key=lambda c: int(_text(c, "wp:comment_id") or 0)):
        comment_id = _text(comment, "wp:comment_id")
        here = f"{where}, comment {comment_id}"
        if not re.fullmatch(COMMENT, _sequence(comment)):
            problems.append(f"{here}: its elements are {_sequence(comment)[:300]}")
            continue
        _cdata(comment, COMMENT_CDATA, here, problems)
        if not comment_id.isdigit() or comment_id in comment_ids:
            problems.append(f"{here}: wp:comment_id is not a number, or not unique.")
        comment_ids.add(comment_id)
        parent = _text(comment, "wp:comment_parent")
        if parent != "0" and parent not in inserted:
            problems.append(f"{here}: its parent {parent} is not a comment of this post with "
                            "a lower id (WordPress's importer would lose the thread).")
        inserted.add(comment_id)
        approved = _text(comment, "wp:comment_approved")
        if approved not in COMMENT_STATUSES or (approved == "post-trashed") != trashed:
            problems.append(f"{here}: the status {approved!r} is not WordPress's for it.")
        if trashed and f"i:{comment_id};" not in saved:
            problems.append(f"{here}: its status before the trash is not saved.")
        if _text(comment, "wp:comment_user_id") not in {"0", *authors}:
            problems.append(f"{here}: wp:comment_user_id is no wp:author's id.")
        if not DATE.fullmatch(_text(comment, "wp:comment_date_gmt")):
            problems.append(f"{here}: wp:comment_date_gmt is not YYYY-MM-DD HH:MM:SS.")
    return problems
