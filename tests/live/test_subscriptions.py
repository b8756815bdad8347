"""postActivity over graphql-transport-ws against uvicorn serving config.asgi (a real server on a
real socket; in a thread of the test process, so it shares the test's database and settings):
the protocol, authentication, origins, the limits, and the privacy walk of every event kind for
every kind of reader."""

import pytest

from cms.models import Role
from cms.services.tokens import token_create
from cms.visitors import new_visitor
from schema.core.ids import encode_global_id
from tests.conftest import make_user
from tests.support import factories
from tests.support.live import LiveClient, ThreadServer, graphql

MEMBER = "Member"  # the display name of an account that set none
pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ADD = """mutation($input: AddCommentInput!) { addComment(input: $input) {
  comment { id status } errors { code } } }"""
EDIT = """mutation($id: ID!, $body: String!) { editComment(input: {id: $id, body: $body}) {
  errors { code } } }"""
MODERATE = """mutation($id: ID!, $status: CommentStatus!) {
  moderateComment(input: {id: $id, status: $status}) { errors { code } } }"""
REACT = """mutation($id: ID!) { react(input: {subjectId: $id}) { errors { code } } }"""
UPDATE_POST = """mutation($id: ID!, $title: String!) { updatePost(input: {id: $id, title: $title}) {
  errors { code } } }"""
UNPUBLISH = """mutation($id: ID!) { unpublishPost(id: $id) { errors { code } } }"""


@pytest.fixture
def server():
    with ThreadServer() as running:
        yield running


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {token_create(user=user)[1]}"}


def test_a_comment_added_over_http_reaches_a_subscriber(server):
    author = make_user("ann", Role.AUTHOR)
    post = factories.published_post(author)
    post_id = encode_global_id("Post", post.pk)
    client = LiveClient(server.ws)
    operation = client.subscribe(variables={"id": post_id})
    graphql(server.http, ADD, {"input": {"postId": post_id, "body": "Hello live"}},
            headers=bearer(author))
    message = client.receive()
    assert message["id"] == operation and message["type"] == "next", message
    activity = message["payload"]["data"]["postActivity"]
    assert activity["kind"] == "COMMENT_ADDED"
    assert activity["comment"]["body"] == "Hello live"
    assert activity["post"]["commentCount"] == 1
    client.close()


def activity(message: dict) -> tuple:
    """(kind, comment id, status, body, author name, moderation shown) of a `next` message, or
    ("END",) for `complete`."""
    if message["type"] == "complete":
        return ("END",)
    assert message["type"] == "next", message
    data = message["payload"]["data"]["postActivity"]
    comment = data["comment"]
    if comment is None:
        return (data["kind"],)
    return (data["kind"], comment["id"], comment["status"], comment["body"],
            comment["author"]["name"], comment["moderation"] is not None)


def until_sentinel(client: LiveClient, sentinel_post_title: str) -> list[tuple]:
    """Messages up to the POST_UPDATED that sets `sentinel_post_title` (every reader of the post
    gets it), that one excluded."""
    received = []
    while True:
        message = client.receive()
        assert message["type"] == "next", message
        data = message["payload"]["data"] or {}
        activity_data = data.get("postActivity") or {}
        if (activity_data.get("kind") == "POST_UPDATED"
                and activity_data["post"]["title"] == sentinel_post_title):
            return received
        received.append(activity(message))


def test_privacy_walk_every_event_for_every_reader(server, settings):
    """Each reader gets exactly what a query of its own would show: a pending comment only to
    its author (visitor or account) and moderators, a removed one as a placeholder, a post it can
    no longer read ends its subscription."""
    author = make_user("ann", Role.AUTHOR)
    editor = make_user("eddie", Role.EDITOR)
    reader = make_user("rita", Role.SUBSCRIBER)  # her first comment is held
    nobody = make_user("nora", Role.SUBSCRIBER)  # a token without rights
    post = factories.published_post(author)
    post_id = encode_global_id("Post", post.pk)
    _, visitor_token = new_visitor()
    _, other_visitor_token = new_visitor()
    readers = {
        "anonymous": {},
        "visitor": {"visitorToken": visitor_token},
        "account author": {"authorization": bearer(reader)["Authorization"]},
        "other visitor": {"visitorToken": other_visitor_token},
        "moderator": {"authorization": bearer(editor)["Authorization"]},
        "token without rights": {"authorization": bearer(nobody)["Authorization"]},
    }
    clients = {name: LiveClient(server.ws, payload) for name, payload in readers.items()}
    for client in clients.values():
        client.subscribe(variables={"id": post_id})
    as_author, as_editor = bearer(author), bearer(editor)

    def add(body, headers, **fields):
        data = graphql(server.http, ADD, {"input": {"postId": post_id, "body": body, **fields}},
                       headers=headers)["addComment"]
        assert data["errors"] == [], data
        return data["comment"]["id"], data["comment"]["status"]

    approved, status = add("Approved words", as_author)
    assert status == "APPROVED"
    guest, status = add("Guest words", {"X-Visitor-Token": visitor_token},
                        authorName="Gus", authorEmail="gus@example.com")
    assert status == "PENDING"
    held, status = add("Rita's words", bearer(reader))
    assert status == "PENDING"
    graphql(server.http, EDIT, {"id": approved, "body": "Approved, edited"}, headers=as_author)
    graphql(server.http, MODERATE, {"id": guest, "status": "APPROVED"}, headers=as_editor)
    graphql(server.http, MODERATE, {"id": approved, "status": "SPAM"}, headers=as_editor)
    graphql(server.http, MODERATE, {"id": held, "status": "TRASH"}, headers=as_editor)
    graphql(server.http, REACT, {"id": post_id}, headers=as_author)
    graphql(server.http, REACT, {"id": guest}, headers=as_author)
    graphql(server.http, UPDATE_POST, {"id": post_id, "title": "Sentinel"}, headers=as_author)

    everyone_sees = [
        ("COMMENT_ADDED", approved, "APPROVED", "Approved words", MEMBER, False),
        ("COMMENT_UPDATED", approved, "APPROVED", "Approved, edited", MEMBER, False),
    ]
    guest_approved = ("COMMENT_ADDED", guest, "APPROVED", "Guest words", "Gus", False)
    placeholder = ("COMMENT_REMOVED", approved, "SPAM", "", "", False)
    reactions = [("REACTIONS_CHANGED",),
                 ("REACTIONS_CHANGED", guest, "APPROVED", "Guest words", "Gus", False)]
    public = [*everyone_sees, guest_approved, placeholder, *reactions]
    expected = {
        "anonymous": public,
        "other visitor": public,
        "token without rights": public,
        "visitor": [
            everyone_sees[0],
            ("COMMENT_ADDED", guest, "PENDING", "Guest words", "Gus", False),
            everyone_sees[1],
            ("COMMENT_UPDATED", guest, "APPROVED", "Guest words", "Gus", False),
            placeholder, *reactions],
        "account author": [
            everyone_sees[0],
            ("COMMENT_ADDED", held, "PENDING", "Rita's words", MEMBER, False),
            everyone_sees[1], guest_approved, placeholder,
            ("COMMENT_REMOVED", held, "TRASH", "", "", False), *reactions],
        "moderator": [
            ("COMMENT_ADDED", approved, "APPROVED", "Approved words", MEMBER, True),
            ("COMMENT_ADDED", guest, "PENDING", "Guest words", "Gus", True),
            ("COMMENT_ADDED", held, "PENDING", "Rita's words", MEMBER, True),
            ("COMMENT_UPDATED", approved, "APPROVED", "Approved, edited", MEMBER, True),
            ("COMMENT_UPDATED", guest, "APPROVED", "Guest words", "Gus", True),
            ("COMMENT_REMOVED", approved, "SPAM", "Approved, edited", MEMBER, True),
            ("COMMENT_REMOVED", held, "TRASH", "Rita's words", MEMBER, True),
            ("REACTIONS_CHANGED",),
            ("REACTIONS_CHANGED", guest, "APPROVED", "Guest words", "Gus", True)],
    }
    for name, client in clients.items():
        assert until_sentinel(client, "Sentinel") == expected[name], name

    # Unpublished: every reader who can no longer read the post is unsubscribed, sent nothing.
    graphql(server.http, UNPUBLISH, {"id": post_id}, headers=as_author)
    graphql(server.http, UPDATE_POST, {"id": post_id, "title": "Draft title"}, headers=as_author)
    for name, client in clients.items():
        message = client.receive()
        if name == "moderator":
            assert activity(message) == ("POST_UPDATED",)
            assert activity(client.receive()) == ("POST_UPDATED",)
        else:
            assert message == {"id": "1", "type": "complete"}, name
        client.close()


def test_a_post_the_caller_cannot_read_is_not_found(server):
    author = make_user("ann", Role.AUTHOR)
    draft = factories.draft_post(author)
    client = LiveClient(server.ws)
    client.subscribe(variables={"id": encode_global_id("Post", draft.pk)})
    message = client.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    # Its author may follow it.
    owner = LiveClient(server.ws, {"authorization": bearer(author)["Authorization"]})
    owner.subscribe(variables={"id": encode_global_id("Post", draft.pk)})
    graphql(server.http, UPDATE_POST, {"id": encode_global_id("Post", draft.pk), "title": "T2"},
            headers=bearer(author))
    assert owner.receive()["payload"]["data"]["postActivity"]["post"]["title"] == "T2"


def test_a_revoked_token_or_a_deactivated_account_ends_the_subscription(server):
    """Rights are those of the moment: a moderator whose token is revoked, or whose account is
    deactivated, is unsubscribed at the next event and sent nothing of it."""
    from cms.models import ApiToken, User
    from cms.services.tokens import token_revoke

    author = make_user("ann", Role.AUTHOR)
    revoked_editor = make_user("ed1", Role.EDITOR)
    deactivated_editor = make_user("ed2", Role.EDITOR)
    post = factories.published_post(author)
    post_id = encode_global_id("Post", post.pk)
    revoked = LiveClient(server.ws, {"authorization": bearer(revoked_editor)["Authorization"]})
    deactivated = LiveClient(server.ws,
                             {"authorization": bearer(deactivated_editor)["Authorization"]})
    for client in (revoked, deactivated):
        client.subscribe(variables={"id": post_id})
    token_revoke(token=ApiToken.objects.get(user=revoked_editor))
    User.objects.filter(pk=deactivated_editor.pk).update(is_active=False)
    graphql(server.http, UPDATE_POST, {"id": post_id, "title": "After"}, headers=bearer(author))
    for client in (revoked, deactivated):
        assert client.receive() == {"id": "1", "type": "complete"}


def test_anonymous_subscribers_share_one_execution_and_a_visitor_gets_its_own(server):
    """Readers without account or visitor key all see the same answer to an event: it is
    computed once for them. A visitor's answer (its own reactions) is computed for it alone."""
    from schema.engine.fast_execution import shared_events

    author = make_user("ann", Role.AUTHOR)
    post = factories.published_post(author)
    post_id = encode_global_id("Post", post.pk)
    anonymous = [LiveClient(server.ws) for _ in range(3)]
    _, token = new_visitor()
    visitor = LiveClient(server.ws, {"visitorToken": token})
    likes = """subscription($id: ID!) { postActivity(postId: $id) {
      kind comment { id reactions { total viewerReactions } } post { commentCount } } }"""
    for client in [*anonymous, visitor]:
        client.subscribe(likes, variables={"id": post_id})
    comment_id = graphql(server.http, ADD, {"input": {"postId": post_id, "body": "Shared"}},
                         headers=bearer(author))["addComment"]["comment"]["id"]
    for client in [*anonymous, visitor]:
        assert client.receive()["payload"]["data"]["postActivity"]["kind"] == "COMMENT_ADDED"
    before = shared_events.copy()
    graphql(server.http, REACT, {"id": comment_id}, headers={"X-Visitor-Token": token})

    answers = [client.receive()["payload"] for client in anonymous]
    own = visitor.receive()["payload"]["data"]["postActivity"]
    assert answers[0] == answers[1] == answers[2]
    reacted = answers[0]["data"]["postActivity"]
    assert reacted["kind"] == "REACTIONS_CHANGED" and reacted["comment"]["id"] == comment_id
    assert reacted["comment"]["reactions"] == {"total": 1, "viewerReactions": []}
    assert own["comment"]["reactions"] == {"total": 1, "viewerReactions": ["LIKE"]}
    # The reactions event: one execution for the three anonymous readers, none for the visitor.
    assert shared_events["run"] - before["run"] == 1
    assert shared_events["shared"] - before["shared"] == 2
    for client in [*anonymous, visitor]:
        client.close()
