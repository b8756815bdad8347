"""Helpers for the tests of the Writing half: mutation documents, global IDs, row counts."""

from django.apps import apps
from strawberry.relay import GlobalID

from cms.models import Comment, Post

POST_FIELDS = "id slug title excerpt body status publishedAt updatedAt commentsOpen tags { name }"
COMMENT_FIELDS = "id status body depth editedAt author { name url user { slug } }"
ERRORS = "errors { field code message }"

CREATE_POST = f"""mutation($input: CreatePostInput!) {{
  createPost(input: $input) {{ post {{ {POST_FIELDS} }} {ERRORS} }} }}"""
UPDATE_POST = f"""mutation($input: UpdatePostInput!) {{
  updatePost(input: $input) {{ post {{ {POST_FIELDS} }} {ERRORS} }} }}"""
PUBLISH_POST = f"""mutation($input: PublishPostInput!) {{
  publishPost(input: $input) {{ post {{ {POST_FIELDS} }} {ERRORS} }} }}"""
UNPUBLISH_POST = f"""mutation($id: ID!) {{
  unpublishPost(id: $id) {{ post {{ {POST_FIELDS} }} {ERRORS} }} }}"""
DELETE_POST = f"""mutation($id: ID!) {{ deletePost(id: $id) {{ deletedId {ERRORS} }} }}"""

ADD_COMMENT = f"""mutation($input: AddCommentInput!) {{
  addComment(input: $input) {{ comment {{ {COMMENT_FIELDS} }} {ERRORS} }} }}"""
EDIT_COMMENT = f"""mutation($input: EditCommentInput!) {{
  editComment(input: $input) {{ comment {{ {COMMENT_FIELDS} }} {ERRORS} }} }}"""
DELETE_COMMENT = f"""mutation($id: ID!) {{ deleteComment(id: $id) {{ deletedId {ERRORS} }} }}"""
MODERATE_COMMENT = f"""mutation($input: ModerateCommentInput!) {{
  moderateComment(input: $input) {{ comment {{ {COMMENT_FIELDS} }} {ERRORS} }} }}"""

REACTION_FIELDS = "visitorToken reactions { total counts { kind count } viewerReactions }"
REACT = f"""mutation($input: ReactInput!) {{
  react(input: $input) {{ {REACTION_FIELDS} {ERRORS} }} }}"""
UNREACT = f"""mutation($input: ReactInput!) {{
  unreact(input: $input) {{ {REACTION_FIELDS} {ERRORS} }} }}"""

THREAD = """query($slug: String!) { post(slug: $slug) { commentCount
  thread { totalCount edges { node { id status body depth author { name } } } } } }"""


def gid(obj) -> str:
    """The global ID of a Post or a Comment."""
    type_name = "Post" if isinstance(obj, Post) else "Comment"
    assert isinstance(obj, (Post, Comment))
    return str(GlobalID(type_name, str(obj.pk)))


def row_counts() -> dict[str, int]:
    """How many rows every model (and every many-to-many table) holds."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        counts[model._meta.label] = model._default_manager.count()
    return counts


def payload(body: dict, name: str) -> dict:
    """The payload of mutation `name`, the response having no top-level errors."""
    assert "errors" not in body, body.get("errors")
    return body["data"][name]


def codes(result: dict) -> list[str]:
    return [error["code"] for error in result["errors"]]


def guest(post, body: str = "Lovely post.", **fields) -> dict:
    """An addComment input from a guest."""
    return {"postId": gid(post), "body": body, "authorName": "Grace",
            "authorEmail": "grace@example.org", **fields}


def refused(client, document: str, variables: dict, name: str, code: str,
            field: str | None = None) -> dict:
    """Run a mutation that must be refused with `code`, and check that it wrote nothing."""
    before = row_counts()
    result = payload(client.execute(document, variables), name)
    assert codes(result) == [code], result
    if field is not None:
        assert result["errors"][0]["field"] == field
    assert row_counts() == before
    return result


def accepted(client, document: str, variables: dict, name: str) -> dict:
    result = payload(client.execute(document, variables), name)
    assert result["errors"] == [], result["errors"]
    return result
