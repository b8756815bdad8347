"""No path of the schema shows a commenter's e-mail or IP address to anyone but moderators."""

import json

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
)
from strawberry.relay import GlobalID

from cms.models import CommentStatus, Role
from cms.services.comments import comment_create
from schema import schema
from tests.conftest import GraphQLClient, make_user
from tests.support.factories import comment, published_post

SECRET_EMAIL = "hidden.person@private.example"
SECRET_IP = "192.0.2.77"
SECRET_USER_EMAIL = "member.secret@private.example"


def named(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def selection(graphql_type, depth: int, alias: str = "") -> str:
    """Every field of `graphql_type` down to `depth` levels, with default arguments; fields with
    required arguments are left out, abstract types are spread into each concrete type."""
    graphql_type = named(graphql_type)
    if isinstance(graphql_type, GraphQLInterfaceType | GraphQLUnionType):
        if depth <= 0:
            return "{ __typename }"
        implementations = schema._schema.get_possible_types(graphql_type)
        # Aliased per type, so fields of the same name and other types do not conflict.
        parts = [f"... on {t.name} {selection(t, depth, alias=t.name + '_')}"
                 for t in implementations]
        return "{ __typename " + " ".join(parts) + " }"
    if not isinstance(graphql_type, GraphQLObjectType):
        return ""
    fields = []
    for name, field in graphql_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
               for arg in field.args.values()):
            continue
        target = named(field.type)
        if isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            if depth > 0:
                fields.append(f"{alias}{name}: {name} {selection(target, depth - 1)}")
        else:
            fields.append(f"{alias}{name}: {name}")
    return "{ " + " ".join(fields or ["__typename"]) + " }"


@pytest.fixture
def seeded(db):
    editor = make_user("editor", Role.EDITOR)
    member = make_user("member", Role.SUBSCRIBER)
    member.email = SECRET_USER_EMAIL
    member.save()
    post = published_post(make_user("author", Role.AUTHOR), tags=["News"])
    root = comment(post, user=editor)
    guest = comment_create(actor=None, post=post, parent=root, body="Lovely piece.",
                           author_name="Hidden Person", author_email=SECRET_EMAIL,
                           author_url="https://hidden.example", ip_address=SECRET_IP)
    from cms.services.comments import comment_moderate

    comment_moderate(actor=editor, comment=guest, status=CommentStatus.APPROVED)
    by_member = comment_create(actor=member, post=post, parent=root, body="Member here.",
                               ip_address=SECRET_IP)
    comment_moderate(actor=editor, comment=by_member, status=CommentStatus.APPROVED)
    comment_create(actor=None, post=post, body="Still pending.", author_name="Pending Person",
                   author_email="pending." + SECRET_EMAIL, ip_address=SECRET_IP)
    return {"post": post, "guest": guest, "member": member, "editor": editor}


def walk_everything(client: GraphQLClient, seeded) -> str:
    post, guest = seeded["post"], seeded["guest"]
    query_type = schema._schema.query_type
    ids = {"Post": GlobalID("Post", str(post.pk)), "Comment": GlobalID("Comment", str(guest.pk)),
           "Author": GlobalID("Author", str(seeded["member"].pk))}
    parts = [f"posts {selection(query_type.fields['posts'].type, 7)}",
             f"viewer {selection(query_type.fields['viewer'].type, 5)}",
             f'post(slug: "{post.slug}") {selection(query_type.fields["post"].type, 7)}',
             f'comment(id: "{ids["Comment"]}") {selection(query_type.fields["comment"].type, 7)}']
    for type_name, global_id in ids.items():
        parts.append(f'node{type_name}: node(id: "{global_id}") '
                     f'{selection(query_type.fields["node"].type, 6)}')
    body = client.execute("{ " + " ".join(parts) + " }")
    return json.dumps(body)


@pytest.mark.parametrize("who", ["anonymous", "member", "author"])
def test_no_email_or_ip_reaches_a_non_moderator_through_any_field(seeded, roomy_limits, who):
    if who == "anonymous":
        client = GraphQLClient()
    elif who == "member":
        client = GraphQLClient().as_user(seeded["member"])
    else:
        client = GraphQLClient().as_user(seeded["post"].author)
    text = walk_everything(client, seeded)
    assert "Hidden Person" in text  # the walk really reached the guest's comment
    for secret in (SECRET_EMAIL, SECRET_IP, "private.example", SECRET_USER_EMAIL):
        assert secret not in text
    assert 'moderation": {' not in text  # every moderation field came back null


def test_moderators_see_email_and_ip_only_through_moderation_fields(seeded, roomy_limits):
    client = GraphQLClient().as_user(seeded["editor"])
    text = walk_everything(client, seeded)
    assert SECRET_EMAIL in text and SECRET_IP in text
    data = client.execute("""{ moderationQueue { edges { node {
        author { name url } moderation { email ipAddress } } } } }""")["data"]
    queued = data["moderationQueue"]["edges"][0]["node"]
    assert queued["moderation"] == {"email": "pending." + SECRET_EMAIL, "ipAddress": SECRET_IP}
    assert SECRET_EMAIL not in json.dumps(queued["author"])
