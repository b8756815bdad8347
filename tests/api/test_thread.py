"""Reading threads: order, per-parent pagination, counts, placeholders and viewer reactions."""

import base64
import random

import pytest

from cms.models import CommentStatus, ReactionKind, Role
from cms.services.comments import comment_moderate
from cms.services.reactions import reaction_add
from cms.visitors import new_visitor
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post

THREAD = """
query($slug: String!, $first: Int, $after: String) {
  post(slug: $slug) {
    commentCount
    thread(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id depth status body parent { id } author { name user { slug } } } }
    }
  }
}
"""


@pytest.fixture
def editor(db):
    return make_user("editor", Role.EDITOR)


@pytest.fixture
def post(db):
    return published_post(make_user("author", Role.AUTHOR))


def gid(type_name: str, pk: int) -> str:
    from strawberry.relay import GlobalID

    return str(GlobalID(type_name, str(pk)))


def depth_first(comments) -> list[int]:
    """The reading order computed independently: children oldest first under their parent."""
    children: dict = {}
    for c in sorted(comments, key=lambda c: c.created_at):
        children.setdefault(c.parent_id, []).append(c)
    order = []

    def visit(parent_id):
        for child in children.get(parent_id, []):
            order.append(child.pk)
            visit(child.pk)

    visit(None)
    return order


def read_whole_thread(gql, slug: str, page_size: int) -> tuple[list[dict], int]:
    nodes, after, total = [], None, None
    while True:
        data = gql.execute(THREAD, {"slug": slug, "first": page_size, "after": after})
        thread = data["data"]["post"]["thread"]
        total = thread["totalCount"]
        nodes += [edge["node"] for edge in thread["edges"]]
        if not thread["pageInfo"]["hasNextPage"]:
            return nodes, total
        after = thread["pageInfo"]["endCursor"]


def test_thread_reads_a_branching_tree_ten_deep_depth_first(gql, post, editor):
    rng = random.Random(7)
    made = []
    for _ in range(60):
        shallow = [c for c in made if c.depth < 10]
        parent = rng.choice(shallow) if made and rng.random() < 0.8 else None
        made.append(comment(post, parent=parent, user=editor))
    # Make sure the deepest branch really is ten levels below the top.
    chain = made[0]
    while chain.depth < 10:
        chain = comment(post, parent=chain, user=editor)
        made.append(chain)

    nodes, total = read_whole_thread(gql, post.slug, page_size=7)

    assert total == len(made)
    assert [n["id"] for n in nodes] == [gid("Comment", pk) for pk in depth_first(made)]
    by_id = {gid("Comment", c.pk): c for c in made}
    for node in nodes:
        stored = by_id[node["id"]]
        assert node["depth"] == stored.depth
        expected_parent = gid("Comment", stored.parent_id) if stored.parent_id else None
        assert (node["parent"] or {}).get("id") == expected_parent
    assert max(n["depth"] for n in nodes) == 10


def test_thread_pages_do_not_overlap_and_say_where_they_are(gql, post, editor):
    for _ in range(5):
        comment(post, user=editor)
    first = gql.execute(THREAD, {"slug": post.slug, "first": 2})["data"]["post"]["thread"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    last = gql.execute(THREAD, {"slug": post.slug, "first": 10,
                                "after": first["pageInfo"]["endCursor"]})["data"]["post"]["thread"]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert len(last["edges"]) == 3
    assert not {e["node"]["id"] for e in first["edges"]} & {e["node"]["id"] for e in last["edges"]}


REPLIES = """
query($slug: String!, $first: Int, $after: String) {
  post(slug: $slug) {
    comments {
      edges { node { id replies(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { body } }
      } } }
    }
  }
}
"""


def test_replies_are_paged_per_parent_not_across_the_page(gql, post, editor):
    a = comment(post, user=editor, body="A")
    b = comment(post, user=editor, body="B")
    for i in range(5):
        comment(post, parent=a, user=editor, body=f"A{i}")
    for i in range(4):
        comment(post, parent=b, user=editor, body=f"B{i}")

    data = gql.execute(REPLIES, {"slug": post.slug, "first": 3})
    pages = [e["node"]["replies"] for e in data["data"]["post"]["comments"]["edges"]]
    assert [[e["node"]["body"] for e in p["edges"]] for p in pages] == [
        ["A0", "A1", "A2"], ["B0", "B1", "B2"]]
    assert [p["totalCount"] for p in pages] == [5, 4]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True]

    # The second page of each: every parent's cursor continues its own replies.
    after = pages[0]["pageInfo"]["endCursor"]
    assert after == pages[1]["pageInfo"]["endCursor"]  # offset cursors: both at offset 2
    data = gql.execute(REPLIES, {"slug": post.slug, "first": 3, "after": after})
    pages = [e["node"]["replies"] for e in data["data"]["post"]["comments"]["edges"]]
    assert [[e["node"]["body"] for e in p["edges"]] for p in pages] == [["A3", "A4"], ["B3"]]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [False, False]


def test_comments_can_be_read_backwards_and_newest_first(gql, post, editor):
    for i in range(5):
        comment(post, user=editor, body=f"C{i}")
    query = """query($slug: String!) { post(slug: $slug) {
      newest: comments(first: 2, order: NEWEST_FIRST) { edges { node { body } } }
      tail: comments(last: 2) { pageInfo { hasPreviousPage hasNextPage } edges { node { body } } }
    } }"""
    data = gql.execute(query, {"slug": post.slug})["data"]["post"]
    assert [e["node"]["body"] for e in data["newest"]["edges"]] == ["C4", "C3"]
    assert [e["node"]["body"] for e in data["tail"]["edges"]] == ["C3", "C4"]
    assert data["tail"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}


@pytest.mark.parametrize("connection", ["thread(first: 101)", "comments(last: 101)",
                                        "comments(first: -1)"])
def test_page_sizes_beyond_the_limit_are_refused_with_a_clear_error(gql, post, connection):
    query = f"query($slug: String!) {{ post(slug: $slug) {{ {connection} {{ totalCount }} }} }}"
    body = gql.execute(query, {"slug": post.slug}, allow_errors=True)
    assert "between 0 and 100" in body["errors"][0]["message"]


def test_a_forged_cursor_is_refused(gql, post):
    body = gql.execute(THREAD, {"slug": post.slug, "after": "not-a-cursor"}, allow_errors=True)
    assert "cursor" in body["errors"][0]["message"]


def test_a_cursor_deeper_than_any_thread_may_be_is_refused(gql, post):
    from schema.core.pagination import MAX_CURSOR_DEPTH, encode_path_cursor

    deepest = encode_path_cursor("000000000001" * MAX_CURSOR_DEPTH)
    assert "errors" not in gql.execute(THREAD, {"slug": post.slug, "after": deepest})
    deeper = encode_path_cursor("000000000001" * (MAX_CURSOR_DEPTH + 1))
    body = gql.execute(THREAD, {"slug": post.slug, "after": deeper}, allow_errors=True)
    assert "not a cursor of this connection" in body["errors"][0]["message"]


def reply_chain(post, length: int) -> list[int]:
    """One reply under another, `length` deep, written directly (as an import would, or the
    services before HEARTH_MAX_REPLY_DEPTH): the ids, top first."""
    from cms.models import Comment
    from cms.models.comments import PATH_SEGMENT
    from tests.support.threads import recount

    start = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    chain: list[Comment] = []
    for pk in range(start, start + length):
        parent = chain[-1] if chain else None
        chain.append(Comment(
            pk=pk, post=post, parent=parent, depth=len(chain),
            path=(parent.path if parent else "") + f"{pk:0{PATH_SEGMENT}d}",
            author_name=f"Guest {pk}", author_email=f"guest{pk}@example.org", body=f"Reply {pk}",
            html=f"<p>Reply {pk}</p>", status=CommentStatus.APPROVED))
    Comment.objects.bulk_create(chain)
    recount(post)
    return [c.pk for c in chain]


def test_a_reply_chain_deeper_than_any_page_reads_to_the_end_by_its_own_cursors(gql, post):
    chain = reply_chain(post, 260)
    seen, after = [], None
    while True:
        page = gql.execute(THREAD, {"slug": post.slug, "first": 20, "after": after})
        thread = page["data"]["post"]["thread"]
        seen += [(e["node"]["id"], e["node"]["depth"]) for e in thread["edges"]]
        if not thread["pageInfo"]["hasNextPage"]:
            break
        after = thread["pageInfo"]["endCursor"]
    assert seen == [(gid("Comment", pk), depth) for depth, pk in enumerate(chain)]
    assert thread["totalCount"] == 260


def test_a_reply_after_a_deep_chain_shows_its_far_away_parent(gql, post):
    from cms.models import Comment
    from cms.models.comments import PATH_SEGMENT
    from tests.support.threads import recount

    chain = reply_chain(post, 150)
    top = Comment.objects.get(pk=chain[0])
    pk = chain[-1] + 1
    late = Comment.objects.create(pk=pk, post=post, parent=top, depth=1, author_name="Late",
                                  path=top.path + f"{pk:0{PATH_SEGMENT}d}", body="Late.",
                                  author_email="late@example.org", status=CommentStatus.APPROVED)
    recount(post)
    deepest = Comment.objects.get(pk=chain[-1])
    after = base64.b64encode(f"p:{deepest.path}".encode()).decode()
    page = gql.execute(THREAD, {"slug": post.slug, "first": 5, "after": after})
    edges = page["data"]["post"]["thread"]["edges"]
    assert [(e["node"]["id"], e["node"]["parent"]["id"]) for e in edges] == [
        (gid("Comment", late.pk), gid("Comment", top.pk))]


def test_a_forged_cursor_naming_other_comments_as_ancestors_loads_only_real_ancestors(post):
    """A cursor may be as deep as a request allows, so the ancestors it names are read only where
    they really are its ancestors: a forged list of every comment of a big thread loads none."""
    from cms.models.comments import PATH_SEGMENT
    from cms.selectors.comments import thread_query
    from tests.support.threads import build_thread

    comments = build_thread(post, size=300, top_level=300, max_depth=0)
    # Under the last comment, "below" all the others: 300 ancestors named, one of them real.
    named = [comments[-1], *comments[:-1]]
    forged = "".join(f"{c.pk:0{PATH_SEGMENT}d}" for c in named)
    found = thread_query(False, 5 + 1 + len(named), True)(
        post=post.pk, after_path=forged, ancestors=[c.pk for c in named])
    assert [c.pk for c in found] == [comments[-1].pk]

    top, reply = reply_chain(post, 2)
    real = thread_query(False, 5 + 1 + 2, True)(post=post.pk, after_path=f"{top:012d}{reply:012d}",
                                                ancestors=[top, reply])
    assert [c.pk for c in real] == [top, reply]


COUNTS = """
query($slug: String!) { post(slug: $slug) {
  commentCount
  comments { totalCount edges { node { replyCount descendantCount
    replies { totalCount edges { node { replyCount descendantCount } } } } } }
  thread { totalCount }
} }
"""


def test_counts_follow_approvals_and_removals(gql, post, editor):
    top = comment(post, user=editor)
    reply = comment(post, parent=top, user=editor)
    nested = comment(post, parent=reply, user=editor)
    guest = comment(post, parent=reply, status=CommentStatus.PENDING, moderator=editor)

    def counts():
        data = gql.execute(COUNTS, {"slug": post.slug})["data"]["post"]
        top_node = data["comments"]["edges"][0]["node"]
        return (data["commentCount"], data["thread"]["totalCount"], top_node["replyCount"],
                top_node["descendantCount"], top_node["replies"]["edges"][0]["node"]["replyCount"])

    assert counts() == (3, 3, 1, 2, 1)
    comment_moderate(actor=editor, comment=guest, status=CommentStatus.APPROVED)
    assert counts() == (4, 4, 1, 3, 2)
    comment_moderate(actor=editor, comment=nested, status=CommentStatus.SPAM)
    assert counts() == (3, 3, 1, 2, 1)
    # The middle reply is removed but keeps its place: one approved reply still hangs under it.
    comment_moderate(actor=editor, comment=reply, status=CommentStatus.TRASH)
    assert counts() == (2, 3, 0, 1, 1)
    comment_moderate(actor=editor, comment=nested, status=CommentStatus.APPROVED)
    comment_moderate(actor=editor, comment=reply, status=CommentStatus.APPROVED)
    assert counts() == (4, 4, 1, 3, 2)


def test_a_removed_comment_with_approved_replies_stays_as_a_placeholder(gql, post, editor):
    subscriber = make_user("reader", Role.SUBSCRIBER)
    parent = comment(post, user=subscriber, body="Something regrettable")
    child = comment(post, parent=parent, user=editor, body="A fair answer")
    lonely = comment(post, user=subscriber, body="Spam spam spam")
    comment_moderate(actor=editor, comment=parent, status=CommentStatus.TRASH)
    comment_moderate(actor=editor, comment=lonely, status=CommentStatus.SPAM)

    nodes, total = read_whole_thread(gql, post.slug, page_size=20)

    assert total == 2
    placeholder, reply = nodes
    assert placeholder["id"] == gid("Comment", parent.pk)
    assert placeholder["status"] == "TRASH"
    assert placeholder["body"] == ""
    assert placeholder["author"] == {"name": "", "user": None}
    assert reply["id"] == gid("Comment", child.pk)
    assert reply["parent"]["id"] == placeholder["id"]
    assert reply["body"] == "A fair answer"
    assert gid("Comment", lonely.pk) not in {n["id"] for n in nodes}


VIEWER = """
query($slug: String!) { post(slug: $slug) {
  reactions { total counts { kind count } viewerReactions }
  thread { edges { node { reactions { total viewerReactions } } } }
} }
"""


def test_viewer_reactions_for_a_user_a_visitor_and_nobody(post, editor):
    reader = make_user("reader", Role.SUBSCRIBER)
    liked = comment(post, user=editor)
    comment(post, user=editor)
    key, token = new_visitor()
    reaction_add(subject=post, kind=ReactionKind.LOVE, user=reader)
    reaction_add(subject=post, kind=ReactionKind.LIKE, user=reader)
    reaction_add(subject=post, kind=ReactionKind.LOVE, visitor_key=key)
    reaction_add(subject=liked, kind=ReactionKind.LIKE, user=reader)
    reaction_add(subject=liked, kind=ReactionKind.WOW, visitor_key=key)

    as_user = GraphQLClient().as_user(reader).execute(VIEWER, {"slug": post.slug})["data"]["post"]
    as_visitor = GraphQLClient(headers={"X-Visitor-Token": token}).execute(
        VIEWER, {"slug": post.slug})["data"]["post"]
    as_nobody = GraphQLClient().execute(VIEWER, {"slug": post.slug})["data"]["post"]

    assert as_nobody["reactions"]["counts"] == [{"kind": "LOVE", "count": 2},
                                                {"kind": "LIKE", "count": 1}]
    assert as_nobody["reactions"]["total"] == 3
    assert sorted(as_user["reactions"]["viewerReactions"]) == ["LIKE", "LOVE"]
    assert as_visitor["reactions"]["viewerReactions"] == ["LOVE"]
    assert as_nobody["reactions"]["viewerReactions"] == []
    comments = lambda data: [e["node"]["reactions"] for e in data["thread"]["edges"]]  # noqa: E731
    assert comments(as_user) == [{"total": 2, "viewerReactions": ["LIKE"]},
                                 {"total": 0, "viewerReactions": []}]
    assert comments(as_visitor)[0]["viewerReactions"] == ["WOW"]
    assert comments(as_nobody)[0]["viewerReactions"] == []


def test_a_post_author_reply_is_marked_as_such(gql, post, editor):
    top = comment(post, user=editor)
    comment(post, parent=top, user=post.author)
    data = gql.execute("""query($slug: String!) { post(slug: $slug) {
        thread { edges { node { author { name isPostAuthor } } } } } }""", {"slug": post.slug})
    flags = [e["node"]["author"]["isPostAuthor"] for e in data["data"]["post"]["thread"]["edges"]]
    assert flags == [False, True]


def test_an_explicit_null_order_means_the_default(gql, post, editor):
    for i in range(2):
        comment(post, user=editor, body=f"C{i}")
    data = gql.execute("""query($slug: String!) { post(slug: $slug) {
        comments(order: null) { edges { node { body } } } } posts(order: null) { totalCount } }""",
                       {"slug": post.slug})["data"]
    assert [e["node"]["body"] for e in data["post"]["comments"]["edges"]] == ["C0", "C1"]
    assert data["posts"]["totalCount"] == 1


def test_a_page_past_the_last_comment_still_counts_them_all(gql, post, editor):
    for i in range(3):
        comment(post, user=editor, body=f"C{i}")
    query = """query($slug: String!, $after: String) { post(slug: $slug) {
      comments(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
                                          edges { node { body } } } } }"""
    first = gql.execute(query, {"slug": post.slug})["data"]["post"]["comments"]
    second = gql.execute(query, {"slug": post.slug, "after": first["pageInfo"]["endCursor"]})
    second = second["data"]["post"]["comments"]
    third = gql.execute(query, {"slug": post.slug, "after": second["pageInfo"]["endCursor"]})
    third = third["data"]["post"]["comments"]
    assert [e["node"]["body"] for e in second["edges"]] == ["C2"]
    assert third["edges"] == [] and third["totalCount"] == 3
