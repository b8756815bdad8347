"""The measured operations: the GraphQL documents every GraphQL contender runs, and the floor's
URL for the same data."""

REACTIONS = "reactions { total counts { kind count } viewerReactions }"
PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage endCursor }"

SMALL = """query Small($slug: String!) {
  post(slug: $slug) { id slug title commentCount publishedAt }
}"""

R1 = """query Thread($slug: String!, $after: String) {
  post(slug: $slug) {
    thread(first: 100, after: $after) {
      PAGE
      edges { node {
        id depth parent { id } html createdAt author { name url } REACTIONS
      } }
    }
  }
}""".replace("PAGE", PAGE).replace("REACTIONS", REACTIONS)

_COMMENT = "id depth html createdAt replyCount descendantCount author { name url } " + REACTIONS

R2 = """query PostPage($slug: String!) {
  post(slug: $slug) {
    id title html publishedAt commentCount
    author { displayName avatarUrl }
    tags { slug name }
    REACTIONS
    comments(first: 20) {
      PAGE
      edges { node {
        COMMENT
        replies(first: 5) {
          PAGE
          edges { node {
            COMMENT
            replies(first: 5) { PAGE edges { node { COMMENT } } }
          } }
        }
      } }
    }
  }
}""".replace("COMMENT", _COMMENT).replace("PAGE", PAGE).replace("REACTIONS", REACTIONS)

R3 = """query Posts {
  posts(first: 50) {
    PAGE
    edges { node {
      id slug title excerpt publishedAt commentCount
      author { displayName }
      tags { slug name }
      REACTIONS
    } }
  }
}""".replace("PAGE", PAGE).replace("REACTIONS", REACTIONS)

ADD_COMMENT = """mutation Add($input: AddCommentInput!) {
  addComment(input: $input) { comment { id status } errors { code message } }
}"""

REACT = """mutation React($input: ReactInput!) {
  react(input: $input) { reactions { total counts { kind count } } visitorToken errors { code } }
}"""

UNREACT = """mutation Unreact($input: ReactInput!) {
  unreact(input: $input) { reactions { total counts { kind count } } visitorToken errors { code } }
}"""
