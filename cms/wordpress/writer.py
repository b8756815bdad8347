"""A WordPress export (WXR 1.2) of the whole site, written as WordPress's own exporter writes it
(wp-admin/includes/export.php), so WordPress's importer reads it, and so does import_wxr.

WordPress gets each post's and comment's rendered HTML in `content:encoded` and
`wp:comment_content`; Hearth's Markdown rides along as the `_hearth_markdown` meta (hidden in
WordPress, like every meta key that starts with "_"), which import_wxr prefers, so an export
imported again gives back the very text. Statuses: published is `publish` (`future` while
scheduled), draft `draft`, archived `private`; old slugs are `_wp_old_slug`, percent-encoded as
WordPress stores slugs. A post in Hearth's trash is written as WordPress trashes one: `trash`,
its slug with `__trashed`, its status before in `_wp_trash_meta_status`, its comments
`post-trashed` with their statuses in `_wp_trash_meta_comments_status`. Dates are UTC, both as
the local and the GMT date.
"""

import html
import re
from datetime import UTC, datetime
from urllib.parse import quote

from django.utils import timezone

from cms.models import CommentStatus, PostStatus
from cms.selectors.wordpress import (
    export_authors,
    export_comment_statuses,
    export_comments,
    export_posts,
    export_tags,
)

MARKDOWN_META = "_hearth_markdown"
COMMENT_STATUSES = {CommentStatus.APPROVED: "1", CommentStatus.PENDING: "0",
                    CommentStatus.SPAM: "spam", CommentStatus.TRASH: "trash"}
# What XML 1.0 cannot hold, even in CDATA.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cdata(text: str) -> str:
    text = _NOT_XML.sub("", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def escaped(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text or ""), quote=True)


def wp_date(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "0000-00-00 00:00:00"


def wp_slug(slug: str) -> str:
    """A slug as WordPress stores it: anything but ASCII letters, digits, `-` and `_`
    percent-encoded in lower case (sanitize_title_with_dashes)."""
    return re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(slug, safe="-_"))


def php_array(values: dict[int, str]) -> str:
    """`values` PHP-serialized, as WordPress stores an array in a meta value."""
    entries = "".join(f'i:{key};s:{len(value.encode())}:"{value}";'
                      for key, value in values.items())
    return f"a:{len(values)}:{{{entries}}}"


def post_status(post, now) -> str:
    """The post's WordPress status, leaving the trash aside."""
    if post.status == PostStatus.PUBLISHED:
        return "publish" if post.published_at <= now else "future"
    return "draft" if post.status == PostStatus.DRAFT else "private"


def write_wxr(out, *, site_url: str, title: str = "Hearth") -> dict[str, int]:
    """Write the export to the text stream `out`; the number of authors, tags, posts and
    comments written."""
    site_url = site_url.rstrip("/")
    now = timezone.now()
    counts = {"authors": 0, "tags": 0, "posts": 0, "comments": 0}
    out.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- A WordPress eXtended RSS file (WXR 1.2) written by Hearth's export_wxr. -->\n"
        '<rss version="2.0"\n'
        '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n\n<channel>\n'
        f"\t<title>{escaped(title)}</title>\n"
        f"\t<link>{escaped(site_url)}</link>\n"
        "\t<description></description>\n"
        f"\t<pubDate>{now.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>\n"
        "\t<language>en</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{escaped(site_url)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{escaped(site_url)}</wp:base_blog_url>\n\n")
    for user in export_authors():
        out.write(
            f"\t<wp:author><wp:author_id>{user.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(user.username)}</wp:author_login>"
            f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(user.display_name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(user.first_name)}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata(user.last_name)}</wp:author_last_name></wp:author>\n")
        counts["authors"] += 1
    out.write("\n")
    for tag in export_tags():
        out.write(f"\t<wp:tag>\n\t\t<wp:term_id>{tag.pk}</wp:term_id>\n"
                  f"\t\t<wp:tag_slug>{cdata(tag.slug)}</wp:tag_slug>\n"
                  f"\t\t<wp:tag_name>{cdata(tag.name)}</wp:tag_name>\n\t</wp:tag>\n")
        counts["tags"] += 1
    out.write("\n\t<generator>Hearth</generator>\n\n")
    for post in export_posts():
        counts["comments"] += _write_post(out, post, site_url, now)
        counts["posts"] += 1
    out.write("</channel>\n</rss>\n")
    return counts


def _meta(key: str, value: str, tabs: str = "\t\t") -> str:
    return (f"{tabs}<wp:postmeta>\n{tabs}\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
            f"{tabs}\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n{tabs}</wp:postmeta>\n")


def _write_post(out, post, site_url: str, now) -> int:
    date = wp_date(post.published_at or post.created_at)
    trashed = post.trashed_at is not None
    status = post_status(post, now)
    link = f"{site_url}/{post.slug}/"
    out.write(
        "\t<item>\n"
        f"\t\t<title>{cdata(post.title)}</title>\n"
        f"\t\t<link>{escaped(link)}</link>\n"
        f"\t\t<pubDate>{(post.published_at or post.created_at).astimezone(UTC).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>\n"  # noqa: E501
        f"\t\t<dc:creator>{cdata(post.author.username)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{escaped(site_url)}/?p={post.pk}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(post.html)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata(html.escape(post.excerpt, quote=False))}"
        "</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{post.pk}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(date)}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(date)}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(wp_date(post.updated_at))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(wp_date(post.updated_at))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata('open' if post.comments_open else 'closed')}"
        "</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(post.slug + ('__trashed' if trashed else ''))}"
        "</wp:post_name>\n"
        f"\t\t<wp:status>{cdata('trash' if trashed else status)}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n")
    for tag in post.tags.all():
        out.write(f'\t\t<category domain="post_tag" nicename="{escaped(tag.slug)}">'
                  f"{cdata(tag.name)}</category>\n")
    out.write(_meta(MARKDOWN_META, post.body))
    for old in post.old_slugs.all():
        out.write(_meta("_wp_old_slug", wp_slug(old.slug)))
    if trashed:
        out.write(_meta("_wp_trash_meta_status", status))
        out.write(_meta("_wp_trash_meta_time", str(int(post.trashed_at.timestamp()))))
        out.write(_meta("_wp_desired_post_slug", post.slug))
        statuses = export_comment_statuses(post_id=post.pk)
        if statuses:
            out.write(_meta("_wp_trash_meta_comments_status",
                            php_array({pk: COMMENT_STATUSES[s] for pk, s in statuses.items()})))
    written = 0
    for comment in export_comments(post_id=post.pk):
        out.write(_comment(comment, trashed=trashed))
        written += 1
    out.write("\t</item>\n")
    return written


def _comment(comment, *, trashed: bool) -> str:
    date = wp_date(comment.created_at)
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(comment.author_email)}"
        "</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{escaped(comment.author_url)}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata(comment.ip_address or '')}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(date)}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(date)}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(comment.html)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>"
        f"{cdata('post-trashed' if trashed else COMMENT_STATUSES[comment.status])}"
        "</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
        f"\t\t\t<wp:comment_user_id>{comment.user_id or 0}</wp:comment_user_id>\n"
        f"\t\t\t<wp:comment_agent>{cdata(comment.user_agent)}</wp:comment_agent>\n"
        "\t\t\t<wp:commentmeta>\n"
        f"\t\t\t\t<wp:meta_key>{cdata(MARKDOWN_META)}</wp:meta_key>\n"
        f"\t\t\t\t<wp:meta_value>{cdata(comment.body)}</wp:meta_value>\n"
        "\t\t\t</wp:commentmeta>\n"
        "\t\t</wp:comment>\n")
