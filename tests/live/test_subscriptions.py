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
from tests.support.live import ACTIVITY, LiveClient, ThreadServer, graphql

pytestmark = pytest.mark.live

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
def server(transactional_db):
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
