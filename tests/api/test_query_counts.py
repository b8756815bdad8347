"""The three hot read shapes cost a constant number of SQL queries, whatever the thread's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import Role, User
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import published_post
from tests.support.threads import build_thread

THREAD_QUERY = """
query Thread($slug: String!) {
  post(slug: $slug) {
    title
    thread(first: 100) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id depth parent { id } body html createdAt replyCount descendantCount
        author { name url avatarUrl isPostAuthor user { id slug displayName } }
        reactions { total counts { kind count } viewerReactions }
      } }
    }
  }
}
"""

POST_PAGE_QUERY = """
fragment CommentFields on Comment {
  id depth body html createdAt replyCount descendantCount status
  author { name url isPostAuthor user { displayName avatarUrl } }
  reactions { total counts { kind count } viewerReactions }
}
query PostPage($slug: String!) {
  post(slug: $slug) {
    id title html status publishedAt commentCount commentsOpen
    author { displayName slug avatarUrl bio }
    tags { slug name }
    reactions { total counts { kind count } viewerReactions }
    comments(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        ...CommentFields
        replies(first: 5) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node {
            ...CommentFields
            replies(first: 5) {
              totalCount
              pageInfo { hasNextPage }
              edges { node { ...CommentFields } }
            }
          } }
        }
      } }
    }
  }
}
"""

POSTS_QUERY = """
{
  posts(first: 50) {
    totalCount
    edges { node {
      title slug publishedAt commentCount
      author { displayName slug }
      tags { name slug }
      reactions { total counts { kind count } viewerReactions }
    } }
  }
}
"""


def _reader_client(reader: User | None) -> GraphQLClient:
    return GraphQLClient().as_user(reader) if reader else GraphQLClient()


AUTH_TABLES = ("cms_apitoken", "auth_group", "cms_user_groups")


def read_queries(client: GraphQLClient, query: str, variables: dict | None = None):
    """Run `query` and return (body, SQL of the read). Authenticating the token and reading
    the caller's role are per request, not per read, and are left out."""
    with CaptureQueriesContext(connection) as captured:
        body = client.execute(query, variables)
    sql = [q["sql"] for q in captured.captured_queries
           if not any(f'"{table}"' in q["sql"].split(" WHERE ")[0] for table in AUTH_TABLES)]
    return body, sql


@pytest.fixture
def author(db):
    return make_user("writer", Role.AUTHOR)


@pytest.fixture
def readers(db):
    return [make_user(f"reader{i}") for i in range(5)]


@pytest.mark.parametrize("size,depth", [(10, 3), (1000, 10)])
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_thread_page_costs_two_queries_at_any_size_three_for_a_signed_in_reader(
        author, readers, size, depth, signed_in):
    post = published_post(author)
    build_thread(post, size=size, top_level=max(1, size // 10), max_depth=depth,
                 users=readers, reactions_per_comment=2)
    client = _reader_client(readers[0] if signed_in else None)
    body, sql = read_queries(client, THREAD_QUERY, {"slug": post.slug})
    # The post, the page of comments with their authors, the viewer's reactions.
    assert len(sql) == (3 if signed_in else 2), sql
    thread = body["data"]["post"]["thread"]
    assert len(thread["edges"]) == min(size, 100)
    assert thread["totalCount"] == size


@pytest.mark.parametrize("size", [50, 2000])
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_post_page_costs_five_queries_at_any_size_six_for_a_signed_in_reader(
        author, readers, size, signed_in):
    post = published_post(author, tags=["Life", "Letters"])
    build_thread(post, size=size, top_level=max(5, size // 10), max_depth=6, users=readers,
                 reactions_per_comment=1)
    client = _reader_client(readers[0] if signed_in else None)
    body, sql = read_queries(client, POST_PAGE_QUERY, {"slug": post.slug})
    # Post, tags, top-level page, two levels of replies, and the viewer's reactions.
    assert len(sql) == (6 if signed_in else 5), "\n".join(s[:150] for s in sql)
    page = body["data"]["post"]
    assert page["commentCount"] == size
    assert len(page["comments"]["edges"]) == min(20, page["comments"]["totalCount"])


@pytest.mark.parametrize("posts,comments_each", [(3, 2), (60, 20)])
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_post_list_costs_two_queries_at_any_size_three_for_a_signed_in_reader(
        author, readers, posts, comments_each, signed_in):
    for i in range(posts):
        post = published_post(author, tags=[f"tag{i % 4}", "all"])
        build_thread(post, size=comments_each, top_level=comments_each, max_depth=0)
    client = _reader_client(readers[0] if signed_in else None)
    body, sql = read_queries(client, POSTS_QUERY)
    # Posts with authors and the total count, their tags, the viewer's reactions.
    assert len(sql) == (3 if signed_in else 2), sql
    edges = body["data"]["posts"]["edges"]
    assert len(edges) == min(50, posts)
    assert all(e["node"]["commentCount"] == comments_each for e in edges)


@pytest.mark.parametrize("asked", ["", "html", "body", "...Text", "html body"])
def test_a_post_list_reads_the_posts_text_only_when_asked(author, asked):
    for _ in range(3):
        published_post(author)  # "Hello *world*."
    query = ("{ posts(first: 10) { edges { node { title " + asked + " } } } }"
             "fragment Text on Post { html body }")
    if "Text" not in asked:
        query = query.split("fragment")[0]
    body, sql = read_queries(GraphQLClient(), query)
    assert len(sql) == 1, sql  # the posts, their text in the same query when asked
    wanted = {"html", "body"} if "Text" in asked else set(asked.split())
    for name, column in (("html", '"html"'), ("body", '"body"')):
        assert (column in sql[0]) == (name in wanted)
    for edge in body["data"]["posts"]["edges"]:
        for name in wanted:
            assert "world" in edge["node"][name]
