"""ErrorCode is defined once, in the domain; the GraphQL enum is that definition."""

from cms.errors import ErrorCode
from schema import schema


def test_the_graphql_error_codes_are_the_domain_codes():
    enum = schema.get_type_by_name("ErrorCode")
    assert enum.wrapped_cls is ErrorCode
    assert [value.name for value in enum.values] == [code.value for code in ErrorCode]
    assert enum.description == "Why a mutation was refused."


def test_a_refusal_carries_the_domain_code_to_the_caller(gql):
    body = gql.execute('mutation { addComment(input: {postId: "UG9zdDow", body: "hi", '
                       'authorName: "G", authorEmail: "g@example.org"}) { errors { code } } }',
                       allow_errors=True)
    assert body["data"]["addComment"]["errors"] == [{"code": ErrorCode.NOT_FOUND.value}]
