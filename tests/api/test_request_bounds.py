"""Bounds on the size of one request, each refused before anything runs: top-level mutation
fields (HEARTH_MAX_MUTATION_FIELDS, moderators included), JSON values in the body or GET's
variables (HEARTH_MAX_VARIABLE_VALUES) and characters of query text (HEARTH_MAX_QUERY_CHARS)."""

import json

import pytest

from cms.models import Comment, Post, Tag
from tests.support import factories
from tests.support.writes import gid, row_counts


def edits(count: int) -> str:
    fields = " ".join(f"e{k}: editComment(input: {{id: $id, body: $body}}) {{ errors {{ code }} }}"
                      for k in range(count))
    return f"mutation($id: ID!, $body: String!) {{ {fields} }}"


def limit_of(body: dict) -> list[tuple]:
    return [(e["extensions"]["code"], e["extensions"].get("limit"))
            for e in body.get("errors") or []]


# Mutation fields -------------------------------------------------------------------------------


def test_six_edit_comment_aliases_are_refused_and_none_runs(gql, users):
    comment = factories.comment(factories.published_post(users["author"]),
                                user=users["subscriber"], body="Before.")
    body = gql.as_user(users["subscriber"]).execute(
        edits(6), {"id": gid(comment), "body": "After."}, allow_errors=True)
    assert body["data"] is None
    assert limit_of(body) == [("QUERY_TOO_COMPLEX", "mutations")]
    assert body["errors"][0]["extensions"]["maximum"] == 5
    comment.refresh_from_db()
    assert comment.body == "Before."


def test_five_mutation_fields_run(gql, users):
    comment = factories.comment(factories.published_post(users["author"]),
                                user=users["subscriber"], body="Before.")
    body = gql.as_user(users["subscriber"]).execute(edits(5), {"id": gid(comment),
                                                               "body": "After."})
    assert [payload["errors"] for payload in body["data"].values()] == [[]] * 5
    comment.refresh_from_db()
    assert comment.body == "After."


@pytest.mark.parametrize("shape", [
    "mutation($id: ID!) { ...M ...M ...M } fragment M on Mutation { {A} {B} }",
    "mutation($id: ID!) { {A} ... on Mutation { {B} {C} } ... @skip(if: true) { {D} {E} {F} } }",
])
def test_fields_in_fragments_count_and_moderators_are_not_exempt(gql, users, shape):
    post = factories.published_post(users["author"])
    fields = {letter: f"{letter.lower()}: react(input: {{subjectId: $id, kind: {kind}}}) "
                      "{ errors { code } }"
              for letter, kind in zip("ABCDEF", ("LIKE", "LOVE", "HUG", "WOW", "SAD", "LAUGH"),
                                      strict=True)}
    query = shape
    for letter, field in fields.items():
        query = query.replace("{" + letter + "}", field)
    administrator = gql.as_user(users["administrator"])
    before = row_counts()
    body = administrator.execute(query, {"id": gid(post)}, allow_errors=True)
    assert body["data"] is None
    assert limit_of(body) == [("QUERY_TOO_COMPLEX", "mutations")]
    assert row_counts() == before


def test_the_mutation_cap_is_read_from_settings(gql, users, settings):
    settings.HEARTH_MAX_MUTATION_FIELDS = 1
    post = factories.draft_post(users["author"])
    query = ("mutation($id: ID!) { a: deletePost(id: $id) { deletedId } "
             "b: deletePost(id: $id) { deletedId } }")
    body = gql.as_user(users["author"]).execute(query, {"id": gid(post)}, allow_errors=True)
    assert limit_of(body) == [("QUERY_TOO_COMPLEX", "mutations")]
    assert Post.objects.filter(pk=post.pk).exists()


# JSON values -----------------------------------------------------------------------------------

CREATE = ("mutation($tags: [String!]) { createPost(input: {title: \"T\", body: \"B\", "
          "tags: $tags}) { post { tags { name } } errors { code } } }")


def test_a_tag_list_past_the_value_bound_is_refused_with_400(gql, users):
    author = gql.as_user(users["author"])
    response = author.post(CREATE, {"tags": [f"t{k}" for k in range(100_000)]})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "HEARTH_MAX_VARIABLE_VALUES" in error["message"]
    assert not Post.objects.exists() and not Tag.objects.exists()


def test_values_up_to_the_bound_pass(gql, users, settings):
    settings.HEARTH_MAX_VARIABLE_VALUES = 30
    author = gql.as_user(users["author"])
    # The body {"query", "variables": {"tags": [...]}}: 1 + 2 keys + 2 values + 1 key + 1 list.
    response = author.post(CREATE, {"tags": [f"t{k}" for k in range(23)]})
    assert response.status_code == 200, response.content
    assert len(response.json()["data"]["createPost"]["post"]["tags"]) == 23
    response = author.post(CREATE, {"tags": [f"u{k}" for k in range(24)]})
    assert response.status_code == 400
    assert Post.objects.count() == 1


def test_unused_keys_count_too(gql, settings):
    settings.HEARTH_MAX_VARIABLE_VALUES = 100
    response = gql.post("{ __typename }", {f"v{k}": k for k in range(60)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_get_variables_are_bounded_too(gql):
    response = gql.client.get("/graphql/", {
        "query": "query($t: [String!]) { __typename }",
        "variables": json.dumps({"t": ["x"] * 2_000})}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


# Query characters ------------------------------------------------------------------------------


def test_a_long_string_literal_is_refused_before_parsing(gql):
    query = '{ post(slug: "' + "a" * 900_000 + '") { id } }'
    body = gql.execute(query, allow_errors=True)
    assert body["data"] is None
    assert limit_of(body) == [("QUERY_TOO_COMPLEX", "characters")]
    assert body["errors"][0]["extensions"]["maximum"] == 150_000


def test_get_query_text_is_bounded_too(gql):
    response = gql.client.get("/graphql/", {"query": '{ post(slug: "' + "a" * 200_000 + '") '
                                            "{ id } }"}, HTTP_ACCEPT="application/json")
    assert limit_of(response.json()) == [("QUERY_TOO_COMPLEX", "characters")]


def test_the_longest_comment_inlined_with_every_character_escaped_fits(gql, users, settings):
    settings.HEARTH_COMMENT_MAX_LINKS = 100
    post = factories.published_post(users["author"])
    longest = settings.HEARTH_MAX_COMMENT_LENGTH
    text = ('"\\' * longest)[:longest]
    literal = json.dumps(text)  # a JSON string is a GraphQL string: every character as two
    query = (f'mutation {{ addComment(input: {{postId: "{gid(post)}", body: {literal}}}) '
             "{ comment { id } errors { code } } }")
    assert len(query) > 2 * longest
    body = gql.as_user(users["subscriber"]).execute(query)
    assert body["data"]["addComment"]["errors"] == []
    assert Comment.objects.get().body == text
