"""WordPress export files shaped as WordPress's Tools > Export writes them (wp-admin/includes/
export.php): the same elements in the same order, CDATA with `]]>` split across two sections,
GMT dates of `0000-00-00 00:00:00` for drafts, percent-encoded slugs, `__trashed` slugs and
`post-trashed` comments with the post's `_wp_trash_meta_comments_status`."""

from dataclasses import dataclass, field


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class A:  # an author
    id: int
    login: str
    email: str
    display_name: str
    first_name: str = ""
    last_name: str = ""

    def xml(self) -> str:
        return (f"\t<wp:author><wp:author_id>{self.id}</wp:author_id>"
                f"<wp:author_login>{cdata(self.login)}</wp:author_login>"
                f"<wp:author_email>{cdata(self.email)}</wp:author_email>"
                f"<wp:author_display_name>{cdata(self.display_name)}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(self.first_name)}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(self.last_name)}</wp:author_last_name>"
                "</wp:author>\n")


@dataclass
class C:  # a comment
    id: int
    content: str
    parent: int = 0
    approved: str = "1"
    type: str = "comment"
    user_id: int = 0
    author: str = "A Reader"
    email: str = "reader@example.org"
    url: str = ""
    ip: str = "203.0.113.7"
    date_gmt: str = "2023-03-01 10:00:00"
    date: str | None = None
    agent: str | None = None  # WordPress's exporter leaves it out; some tools write it
    meta: list[tuple[str, str]] = field(default_factory=list)

    def xml(self) -> str:
        agent = ("" if self.agent is None
                 else f"\t\t\t<wp:comment_agent>{cdata(self.agent)}</wp:comment_agent>\n")
        meta = "".join(f"\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>{cdata(k)}</wp:meta_key>\n"
                       f"\t\t\t\t<wp:meta_value>{cdata(v)}</wp:meta_value>\n"
                       "\t\t\t</wp:commentmeta>\n" for k, v in self.meta)
        return (
            "\t\t<wp:comment>\n"
            f"\t\t\t<wp:comment_id>{self.id}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author>{cdata(self.author)}</wp:comment_author>\n"
            f"\t\t\t<wp:comment_author_email>{cdata(self.email)}</wp:comment_author_email>\n"
            f"\t\t\t<wp:comment_author_url>{self.url}</wp:comment_author_url>\n"
            f"\t\t\t<wp:comment_author_IP>{cdata(self.ip)}</wp:comment_author_IP>\n"
            f"\t\t\t<wp:comment_date>{cdata(self.date or self.date_gmt)}</wp:comment_date>\n"
            f"\t\t\t<wp:comment_date_gmt>{cdata(self.date_gmt)}</wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content>{cdata(self.content)}</wp:comment_content>\n"
            f"\t\t\t<wp:comment_approved>{cdata(self.approved)}</wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type>{cdata(self.type)}</wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{self.parent}</wp:comment_parent>\n"
            f"\t\t\t<wp:comment_user_id>{self.user_id}</wp:comment_user_id>\n"
            f"{agent}{meta}\t\t</wp:comment>\n")


@dataclass
class P:  # an item: a post, page or attachment
    id: int
    title: str
    content: str = "<!-- wp:paragraph -->\n<p>Hello.</p>\n<!-- /wp:paragraph -->"
    status: str = "publish"
    slug: str | None = None
    creator: str = "alice"
    date_gmt: str = "2023-02-01 09:30:00"
    date: str | None = None
    excerpt: str = ""
    type: str = "post"
    comment_status: str = "open"
    password: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # domain, nicename, name
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[C] = field(default_factory=list)

    def xml(self) -> str:
        slug = self.title.lower().replace(" ", "-") if self.slug is None else self.slug
        terms = "".join(f'\t\t<category domain="{d}" nicename="{n}">{cdata(name)}</category>\n'
                        for d, n, name in self.terms)
        meta = "".join(f"\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{cdata(k)}</wp:meta_key>\n"
                       f"\t\t\t<wp:meta_value>{cdata(v)}</wp:meta_value>\n"
                       "\t\t</wp:postmeta>\n" for k, v in self.meta)
        return (
            "\t<item>\n"
            f"\t\t<title>{cdata(self.title)}</title>\n"
            f"\t\t<link>https://blog.example.com/{slug}/</link>\n"
            "\t\t<pubDate>Wed, 01 Feb 2023 09:30:00 +0000</pubDate>\n"
            f"\t\t<dc:creator>{cdata(self.creator)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">https://blog.example.com/?p={self.id}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(self.content)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(self.excerpt)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{self.id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(self.date or self.date_gmt)}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(self.date_gmt)}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{cdata(self.date or self.date_gmt)}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{cdata(self.date_gmt)}</wp:post_modified_gmt>\n"
            f"\t\t<wp:comment_status>{cdata(self.comment_status)}</wp:comment_status>\n"
            f"\t\t<wp:ping_status>{cdata('open')}</wp:ping_status>\n"
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(self.status)}</wp:status>\n"
            "\t\t<wp:post_parent>0</wp:post_parent>\n"
            "\t\t<wp:menu_order>0</wp:menu_order>\n"
            f"\t\t<wp:post_type>{cdata(self.type)}</wp:post_type>\n"
            f"\t\t<wp:post_password>{cdata(self.password)}</wp:post_password>\n"
            "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
            f"{terms}{meta}{''.join(c.xml() for c in self.comments)}"
            "\t</item>\n")


def header(version: str = "1.2", site: str = "https://blog.example.com") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of "
        "your site. -->\n"
        '<?xml-stylesheet type="text/xsl" href="https://blog.example.com/x.xsl"?>\n'
        f'<rss version="2.0"\n\txmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="http://wordpress.org/export/{version}/"\n>\n\n<channel>\n'
        "\t<title>A Blog</title>\n"
        f"\t<link>{site}</link>\n"
        "\t<description>Just another WordPress site</description>\n"
        "\t<pubDate>Mon, 06 Mar 2023 12:00:00 +0000</pubDate>\n"
        "\t<language>en-US</language>\n"
        f"\t<wp:wxr_version>{version}</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{site}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{site}</wp:base_blog_url>\n\n")


def channel_terms(terms: list[tuple[str, str, str]]) -> str:
    out = []
    for n, (domain, slug, name) in enumerate(terms, start=1):
        if domain == "category":
            out.append(f"\t<wp:category>\n\t\t<wp:term_id>{n}</wp:term_id>\n"
                       f"\t\t<wp:category_nicename>{cdata(slug)}</wp:category_nicename>\n"
                       f"\t\t<wp:category_parent>{cdata('')}</wp:category_parent>\n"
                       f"\t\t<wp:cat_name>{cdata(name)}</wp:cat_name>\n\t</wp:category>\n")
        else:
            out.append(f"\t<wp:tag>\n\t\t<wp:term_id>{n}</wp:term_id>\n"
                       f"\t\t<wp:tag_slug>{cdata(slug)}</wp:tag_slug>\n"
                       f"\t\t<wp:tag_name>{cdata(name)}</wp:tag_name>\n\t</wp:tag>\n")
    return "".join(out)


FOOTER = "</channel>\n</rss>\n"


def wxr(*, authors: list[A], items: list[P], terms=(), version: str = "1.2",
        site: str = "https://blog.example.com") -> bytes:
    body = (header(version, site) + "".join(a.xml() for a in authors) + "\n"
            + channel_terms(list(terms)) + "\n\t<generator>https://wordpress.org/?v=6.4.3"
            "</generator>\n\n" + "".join(i.xml() for i in items) + FOOTER)
    return body.encode()


def write_large_wxr(path, *, posts: int, comments: int, body_chars: int = 2000) -> int:
    """A long export written straight to `path` (never whole in memory): `posts` posts of about
    `body_chars` characters, each with `comments` comments, a third of them replies. Returns
    the file's size in bytes."""
    paragraph = "<p>Some words of a long post, <em>with emphasis</em> and a link.</p>\n"
    body = paragraph * max(1, body_chars // len(paragraph))
    with open(path, "w", encoding="utf-8") as out:
        out.write(header())
        out.write(A(1, "alice", "alice@example.com", "Alice").xml())
        for n in range(1, posts + 1):
            thread = [C(n * 10_000 + k, f"Comment {k} on post {n}.",
                        parent=n * 10_000 + k - 1 if k % 3 == 2 else 0,
                        date_gmt=f"2023-03-01 10:{k // 60 % 60:02d}:{k % 60:02d}")
                      for k in range(1, comments + 1)]
            out.write(P(n, f"Post {n}", content=body, comments=thread).xml())
        out.write(FOOTER)
        return out.tell()
