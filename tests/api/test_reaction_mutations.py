"""react and unreact: idempotent per reactor, subject and kind; visitor tokens for anonymous
readers; NOT_FOUND for what the caller cannot see."""

from cms.models import CommentStatus, Reaction
from cms.services.reactions import reaction_add
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import REACT, UNREACT, accepted, gid, refused

VIEWER = """query($slug: String!) { post(slug: $slug) { reactions { total viewerReactions }
  thread { edges { node { reactions { total viewerReactions } } } } } }"""


def react(client, subject, kind: str = "LIKE", headers: dict | None = None) -> dict:
    body = client.execute(REACT, {"input": {"subjectId": gid(subject), "kind": kind}},
                          headers=headers)
    assert "errors" not in body
    result = body["data"]["react"]
    assert result["errors"] == [], result["errors"]
    return result


def unreact(client, subject, kind: str = "LIKE", headers: dict | None = None) -> dict:
    body = client.execute(UNREACT, {"input": {"subjectId": gid(subject), "kind": kind}},
                          headers=headers)
    result = body["data"]["unreact"]
    assert result["errors"] == [], result["errors"]
    return result


def test_signed_in_user_reacts_once_however_often_they_ask(users):
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["subscriber"])
    for _ in range(2):
        result = react(client, post)
        assert result["reactions"] == {"total": 1, "counts": [{"kind": "LIKE", "count": 1}],
                                       "viewerReactions": ["LIKE"]}
        assert result["visitorToken"] is None
    assert Reaction.objects.get().user == users["subscriber"]
    post.refresh_from_db()
    assert post.reactions_like == 1


def test_unreact_is_idempotent(users):
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["subscriber"])
    react(client, post)
    for _ in range(2):
        result = unreact(client, post)
        assert result["reactions"] == {"total": 0, "counts": [], "viewerReactions": []}
    assert Reaction.objects.count() == 0
    post.refresh_from_db()
    assert post.reactions_like == 0


def test_kinds_are_counted_apart_largest_first(users):
    post = factories.published_post(users["author"])
    react(GraphQLClient().as_user(users["subscriber"]), post, "LOVE")
    react(GraphQLClient().as_user(users["editor"]), post, "LOVE")
    result = react(GraphQLClient().as_user(users["editor"]), post, "WOW")
    assert result["reactions"]["counts"] == [{"kind": "LOVE", "count": 2},
                                             {"kind": "WOW", "count": 1}]
    assert result["reactions"]["viewerReactions"] == ["LOVE", "WOW"]


def test_reacting_to_an_approved_comment_counts_on_the_comment(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    result = react(GraphQLClient().as_user(users["author"]), comment, "HUG")
    assert result["reactions"]["total"] == 1
    comment.refresh_from_db()
    post.refresh_from_db()
    assert (comment.reactions_hug, post.reactions_hug) == (1, 0)


def test_anonymous_react_returns_a_visitor_token_that_makes_it_idempotent(gql, users):
    post = factories.published_post(users["author"])
    first = react(gql, post)
    token = first["visitorToken"]
    assert token
    assert first["reactions"]["viewerReactions"] == ["LIKE"]
    headers = {"X-Visitor-Token": token}
    again = react(gql, post, headers=headers)
    assert again["reactions"]["total"] == 1
    assert again["visitorToken"] == token
    assert Reaction.objects.count() == 1
    assert Reaction.objects.get().visitor_key is not None


def test_viewer_reactions_show_the_visitors_reactions(gql, users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    token = react(gql, post)["visitorToken"]
    headers = {"X-Visitor-Token": token}
    react(gql, comment, "CELEBRATE", headers=headers)
    seen = gql.execute(VIEWER, {"slug": post.slug}, headers=headers)["data"]["post"]
    assert seen["reactions"] == {"total": 1, "viewerReactions": ["LIKE"]}
    node = seen["thread"]["edges"][0]["node"]
    assert node["reactions"] == {"total": 1, "viewerReactions": ["CELEBRATE"]}
    stranger = gql.execute(VIEWER, {"slug": post.slug})["data"]["post"]
    assert stranger["reactions"] == {"total": 1, "viewerReactions": []}


def test_two_visitors_are_two_reactors(users):
    post = factories.published_post(users["author"])
    first = react(GraphQLClient(), post)["visitorToken"]
    second = react(GraphQLClient(), post)["visitorToken"]
    assert first != second
    post.refresh_from_db()
    assert post.reactions_like == 2


def test_anonymous_unreact_with_the_token_is_idempotent(gql, users):
    post = factories.published_post(users["author"])
    headers = {"X-Visitor-Token": react(gql, post)["visitorToken"]}
    for _ in range(2):
        result = unreact(gql, post, headers=headers)
        assert result["reactions"]["total"] == 0
    assert Reaction.objects.count() == 0


def test_forged_or_tampered_visitor_token_is_refused_and_writes_nothing(gql, users):
    post = factories.published_post(users["author"])
    token = react(gql, post)["visitorToken"]
    value, _, signature = token.rpartition(":")
    tampered = value + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = "ImFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhIg:1xWxEO:forged"
    for bad in (tampered, forged, "not-a-token"):
        client = GraphQLClient(headers={"X-Visitor-Token": bad})
        for document, name in ((REACT, "react"), (UNREACT, "unreact")):
            result = refused(client, document, {"input": {"subjectId": gid(post)}}, name,
                             "UNAUTHENTICATED")
            assert result["visitorToken"] is None
    post.refresh_from_db()
    assert post.reactions_like == 1


def test_reacting_to_a_draft_post_is_not_found(gql, users):
    post = factories.draft_post(users["author"])
    for client in (gql, GraphQLClient().as_user(users["subscriber"])):
        for document, name in ((REACT, "react"), (UNREACT, "unreact")):
            refused(client, document, {"input": {"subjectId": gid(post)}}, name, "NOT_FOUND",
                    "subjectId")


def test_reacting_to_a_pending_comment_is_not_found(gql, users):
    post = factories.published_post(users["author"])
    pending = factories.comment(post, status=CommentStatus.PENDING)
    for client in (gql, GraphQLClient().as_user(users["subscriber"]),
                   GraphQLClient().as_user(users["editor"])):
        refused(client, REACT, {"input": {"subjectId": gid(pending)}}, "react", "NOT_FOUND",
                "subjectId")


def test_reacting_to_a_malformed_id_is_not_found(gql, users):
    factories.published_post(users["author"])
    for subject_id in ("nonsense", "VXNlcjox", "UG9zdDo5OTk5"):  # junk, a User, Post 9999
        refused(gql, REACT, {"input": {"subjectId": subject_id}}, "react", "NOT_FOUND")


def test_the_same_reaction_added_twice_is_one_row_and_counts_one(users):
    """The second call is the loser of a race: its insert hits the unique constraint, the
    IntegrityError is handled in a savepoint, and nothing is counted twice."""
    post = factories.published_post(users["author"])
    assert reaction_add(subject=post, kind="like", user=users["subscriber"]) is True
    assert reaction_add(subject=post, kind="like", user=users["subscriber"]) is False
    post.refresh_from_db()
    assert Reaction.objects.count() == post.reactions_like == 1
    assert reaction_add(subject=post, kind="like", visitor_key="a" * 32) is True
    assert reaction_add(subject=post, kind="like", visitor_key="a" * 32) is False
    assert Reaction.objects.count() == 2
    post.refresh_from_db()
    assert post.reactions_like == 2


def test_accepted_reactions_through_the_api_leave_counts_equal_to_rows(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    clients = [GraphQLClient().as_user(users[role]) for role in ("subscriber", "editor")]
    for client in clients:
        for subject in (post, comment):
            react(client, subject)
            react(client, subject)
    unreact(clients[0], comment)
    accepted(clients[0], UNREACT, {"input": {"subjectId": gid(comment)}}, "unreact")
    post.refresh_from_db()
    comment.refresh_from_db()
    assert post.reactions_like == Reaction.objects.filter(post=post).count() == 2
    assert comment.reactions_like == Reaction.objects.filter(comment=comment).count() == 1


def test_react_payload_names_its_subject(users):
    post = factories.published_post(users["author"])
    document = """mutation($input: ReactInput!) { react(input: $input) {
      subject { id ... on Post { slug } } errors { code } } }"""
    client = GraphQLClient().as_user(users["subscriber"])
    result = client.execute(document, {"input": {"subjectId": gid(post)}})["data"]["react"]
    assert result == {"subject": {"id": gid(post), "slug": post.slug}, "errors": []}


def test_reacting_to_a_comment_on_a_draft_is_not_found(users):
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    post.status = "draft"
    post.save()
    refused(GraphQLClient().as_user(users["subscriber"]), REACT,
            {"input": {"subjectId": gid(comment)}}, "react", "NOT_FOUND", "subjectId")


def test_a_visitors_reactions_are_found_by_index_not_by_scanning(db):
    """Every page a visitor reads looks up their reactions; without an index on the visitor's
    key that read scans every reaction of every post."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Reaction._meta.db_table)
    assert any(c["index"] and c["columns"] == ["visitor_key"] for c in constraints.values())
    if connection.vendor == "sqlite":  # PostgreSQL may scan a table this small, and rightly
        plan = Reaction.objects.filter(visitor_key="a-visitor").explain()
        assert "USING INDEX reaction_visitor" in plan, plan
