"""A real-shaped WordPress export with every case the importer must handle (issue 15)."""

from tests.support.wxr import A, C, P, wxr

TRASH_META = 'a:2:{i:150;s:1:"1";i:151;s:1:"0";}'
CYRILLIC_SLUG = "%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80"  # привет-мир

AUTHORS = [
    A(1, "alice", "Alice@Example.com", "Alice Liddell", "Alice", "Liddell"),
    A(2, "bob", "bob@example.com", "bob", "Bob", "Builder"),  # display name is the login
    A(3, "carol.admin", "not-an-address", "carol.admin"),
]
TERMS = [
    ("category", "uncategorized", "Uncategorized"),
    ("category", "news", "News"),
    ("category", "%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8", "Новости"),
    ("post_tag", "python", "Python"),
    ("post_tag", "q-a", "Q&amp;A"),
]

HELLO = """<!-- wp:paragraph -->
<p>Welcome to <strong>my blog</strong>. <a href="javascript:alert(1)">Click</a> and
<a href="https://example.org/" onclick="steal()">a real link</a>.</p>
<!-- /wp:paragraph -->

<!-- wp:more -->
<!--more-->
<!-- /wp:more -->

<!-- wp:html -->
<script>document.write('owned')</script>
<iframe src="https://evil.example/frame"></iframe>
<!-- /wp:html -->

[gallery ids="4,5,6"]

A classic paragraph
with a line break, and code: a]]>b.

<pre>def hello():
    return 1</pre>"""


def blog_posts() -> list[P]:
    thread = [
        C(111, "First of all!", date_gmt="2023-03-01 08:00:00"),
        C(100, "Great post.", date_gmt="2023-03-01 10:00:00", author="Guest &amp; Friend",
          url="https://guest.example/", ip="2001:db8::1", agent="Mozilla/5.0 (X11; Linux)"),
        C(101, 'Agreed, see <a href="https://ref.example/" rel="nofollow ugc">this</a>.',
          parent=100, date_gmt="2023-03-01 11:00:00"),
        C(102, "Deeper reply.", parent=101, date_gmt="2023-03-01 12:00:00"),
        C(109, "Thanks, says the author.", parent=100, user_id=1, author="Alice Liddell",
          email="alice@example.com", date_gmt="2023-03-01 11:30:00"),
        C(103, "Held for moderation.", approved="0", date_gmt="2023-03-02 10:00:00"),
        C(104, "Buy pills", approved="spam", date_gmt="2023-03-02 11:00:00",
          url="javascript:alert(1)", email="spam@", ip="not-an-ip"),
        C(110, "Don't click that.", parent=104, date_gmt="2023-03-02 12:00:00"),
        C(105, "Trashed comment", approved="trash", date_gmt="2023-03-02 13:00:00"),
        C(106, "Pingback text", type="pingback", date_gmt="2023-03-03 10:00:00"),
        C(107, "Trackback text", type="trackback", date_gmt="2023-03-03 11:00:00"),
        C(108, "Replying to a spammer WordPress left out.", parent=999,
          date_gmt="2023-03-03 12:00:00"),
    ]
    return [
        P(10, "Hello world", content=HELLO, slug="hello-world",
          terms=[("category", "uncategorized", "Uncategorized"), ("category", "news", "News"),
                 ("post_tag", "python", "Python")],
          meta=[("_wp_old_slug", "hello-old"), ("_edit_last", "1")], comments=thread),
        P(11, "Coming soon", status="future", date_gmt="2099-01-01 12:00:00"),
        P(12, "A draft", status="draft", slug="", date_gmt="0000-00-00 00:00:00",
          date="2023-01-05 14:00:00"),
        P(13, "Waiting for review", status="pending", slug="", creator="bob",
          date_gmt="0000-00-00 00:00:00", date="2023-01-06 14:00:00"),
        P(14, "Members only", status="private", creator="carol.admin"),
        P(15, "Gone", status="trash", slug="gone__trashed",
          meta=[("_wp_trash_meta_status", "publish"),
                ("_wp_trash_meta_comments_status", TRASH_META)],
          comments=[C(150, "Was approved", approved="post-trashed"),
                    C(151, "Was pending", approved="post-trashed")]),
        P(16, "Привет мир", slug=CYRILLIC_SLUG,
          terms=[("category", "%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8", "Новости"),
                 ("post_tag", "q-a", "Q&amp;A")]),
        P(17, "Closed for comments", creator="bob", comment_status="closed",
          excerpt="<p>A <em>short</em> summary &amp; more.</p>"),
        P(18, "Password protected", password="letmein"),
        P(20, "About", type="page", comments=[C(200, "On a page")]),
        P(21, "photo.jpg", type="attachment", status="inherit", content=""),
        P(22, "Home", type="nav_menu_item"),
    ]


def blog() -> bytes:
    return wxr(authors=AUTHORS, items=blog_posts(), terms=TERMS)
