"""The permission matrix: every mutation x every role x own / others' object, through /graphql/.

A cell is `ok` (allowed), or the refusal's code: F = FORBIDDEN, U = UNAUTHENTICATED,
N = NOT_FOUND (the caller may not even see the object). `-` is a cell that cannot exist (an
anonymous caller owns nothing). Every refusal must leave every row, and every post and comment,
exactly as it was.
"""

import pytest

from cms.models import Comment, Post
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import (
    ADD_COMMENT,
    CREATE_POST,
    DELETE_COMMENT,
    DELETE_POST,
    EDIT_COMMENT,
    MODERATE_COMMENT,
    PUBLISH_POST,
    REACT,
    UNPUBLISH_POST,
    UNREACT,
    UPDATE_POST,
    codes,
    gid,
    guest,
    payload,
    row_counts,
)

ROLES = ("anonymous", "subscriber", "contributor", "author", "editor", "administrator")
CODES = {"F": "FORBIDDEN", "U": "UNAUTHENTICATED", "N": "NOT_FOUND", "ok": "ok", "-": None}

# Each row: (own object, others' object), each "anonymous subscriber contributor author editor
# administrator".
MATRIX = {
    "createPost":                ("U  F  ok ok ok ok", None),
    "updatePost draft":          ("-  F  ok ok ok ok", "N  N  N  N  ok ok"),
    "updatePost published":      ("-  F  F  ok ok ok", "U  F  F  F  ok ok"),
    "publishPost draft":         ("-  F  F  ok ok ok", "N  N  N  N  ok ok"),
    "unpublishPost published":   ("-  F  F  ok ok ok", "U  F  F  F  ok ok"),
    "deletePost draft":          ("-  F  ok ok ok ok", "N  N  N  N  ok ok"),
    "deletePost published":      ("-  F  F  ok ok ok", "U  F  F  F  ok ok"),
    "addComment":                ("-  ok ok ok ok ok", "ok ok ok ok ok ok"),
    "editComment":               ("-  ok ok ok ok ok", "U  F  F  F  ok ok"),
    "deleteComment":             ("-  ok ok ok ok ok", "U  F  F  F  ok ok"),
    "moderateComment":           ("-  F  F  F  ok ok", "U  F  F  F  ok ok"),
    "react post":                ("-  ok ok ok ok ok", "ok ok ok ok ok ok"),
    "react comment":             ("-  ok ok ok ok ok", "ok ok ok ok ok ok"),
    "unreact post":              ("-  ok ok ok ok ok", "ok ok ok ok ok ok"),
    "unreact comment":           ("-  ok ok ok ok ok", "ok ok ok ok ok ok"),
}


def cells():
    for case, rows in MATRIX.items():
        for owner, row in zip(("own", "others"), rows, strict=True):
            if row is None:
                continue
            for role, cell in zip(ROLES, row.split(), strict=True):
                if CODES[cell] is not None:
                    yield pytest.param(case, role, owner, CODES[cell],
                                       id=f"{case}-{role}-{owner}".replace(" ", "_"))


def owned_post(users, owner, *, published: bool) -> Post:
    make = factories.published_post if published else factories.draft_post
    post = make(users["administrator"])
    Post.objects.filter(pk=post.pk).update(author=owner)
    post.refresh_from_db()
    return post


def owned_comment(users, owner) -> Comment:
    return factories.comment(factories.published_post(users["administrator"]), user=owner)


def operation(case: str, users, owner, role: str) -> tuple[str, dict, str]:
    """(document, variables, payload name) of the call for `case` on an object of `owner`."""
    name, _, state = case.partition(" ")
    if name == "createPost":
        return CREATE_POST, {"input": {"title": "Matrix", "body": "x"}}, name
    if name.endswith("Post"):
        post = owned_post(users, owner, published=state == "published")
        if name in ("updatePost", "publishPost"):
            fields = {"title": "Changed"} if name == "updatePost" else {}
            return {"updatePost": UPDATE_POST, "publishPost": PUBLISH_POST}[name], \
                {"input": {"id": gid(post), **fields}}, name
        return {"unpublishPost": UNPUBLISH_POST, "deletePost": DELETE_POST}[name], \
            {"id": gid(post)}, name
    if name == "addComment":
        post = owned_post(users, owner, published=True)
        input = guest(post) if role == "anonymous" else {"postId": gid(post), "body": "Hi."}
        return ADD_COMMENT, {"input": input}, name
    if name in ("react", "unreact"):
        subject = (owned_post(users, owner, published=True) if state == "post"
                   else owned_comment(users, owner))
        return {"react": REACT, "unreact": UNREACT}[name], \
            {"input": {"subjectId": gid(subject)}}, name
    comment = owned_comment(users, owner)
    if name == "editComment":
        return EDIT_COMMENT, {"input": {"id": gid(comment), "body": "Changed."}}, name
    if name == "moderateComment":
        return MODERATE_COMMENT, {"input": {"id": gid(comment), "status": "SPAM"}}, name
    return DELETE_COMMENT, {"id": gid(comment)}, name


def state() -> tuple:
    """Every row count, and what every post and comment says."""
    posts = list(Post.objects.order_by("pk").values_list(
        "pk", "title", "status", "published_at", "updated_at", "author_id", "reactions_like"))
    comments = list(Comment.objects.order_by("pk").values_list(
        "pk", "status", "body", "edited_at", "reactions_like"))
    return row_counts(), posts, comments


@pytest.mark.parametrize(("case", "role", "owner", "expected"), list(cells()))
def test_permission_matrix(case, role, owner, expected, users):
    caller = None if role == "anonymous" else users[role]
    owner_user = caller if owner == "own" else users["other_author"]
    document, variables, name = operation(case, users, owner_user, role)
    client = GraphQLClient() if caller is None else GraphQLClient().as_user(caller)
    before = state()
    result = payload(client.execute(document, variables), name)
    if expected == "ok":
        assert result["errors"] == [], result["errors"]
        subject = next(v for k, v in result.items() if k in ("post", "comment", "deletedId",
                                                               "reactions"))
        assert subject
    else:
        assert codes(result) == [expected], result["errors"]
        assert state() == before
