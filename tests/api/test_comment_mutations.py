"""addComment through /graphql/: the guest rules, flood control, duplicates, closed posts,
replies, lengths and validation. Every refusal leaves the row counts as they were."""

from datetime import timedelta

import pytest
from django.test import Client

from cms.models import Comment, CommentStatus
from tests.conftest import GraphQLClient
from tests.support import factories
from tests.support.writes import ADD_COMMENT, THREAD, accepted, gid, guest, refused

EMOJI = "\U0001f600"  # four bytes in UTF-8, one character


def add(client, input: dict) -> dict:
    return accepted(client, ADD_COMMENT, {"input": input}, "addComment")["comment"]


def refuse(client, input: dict, code: str, field: str | None = None) -> dict:
    return refused(client, ADD_COMMENT, {"input": input}, "addComment", code, field)


def approve(comment_id: str, users) -> None:
    comment = Comment.objects.get(pk=int(_pk(comment_id)))
    from cms.services.comments import comment_moderate

    comment_moderate(actor=users["editor"], comment=comment, status=CommentStatus.APPROVED)


def _pk(global_id: str) -> str:
    from strawberry.relay import GlobalID

    return GlobalID.from_id(global_id).node_id


def test_guest_comment_requires_a_name(gql, users):
    post = factories.published_post(users["author"])
    refuse(gql, guest(post, authorName=None), "REQUIRED", "authorName")
    refuse(gql, guest(post, authorName="   "), "REQUIRED", "authorName")


def test_guest_comment_requires_an_email(gql, users):
    post = factories.published_post(users["author"])
    refuse(gql, guest(post, authorEmail=None), "REQUIRED", "authorEmail")
    refuse(gql, guest(post, authorEmail=""), "REQUIRED", "authorEmail")


def test_comment_requires_a_body(gql, users):
    post = factories.published_post(users["author"])
    refuse(gql, guest(post, body=" \n "), "REQUIRED", "body")


def test_guest_first_comment_is_held_and_returned_to_its_author_with_its_body(gql, users):
    post = factories.published_post(users["author"])
    comment = add(gql, guest(post, body="First time here."))
    assert comment["status"] == "PENDING"
    assert comment["body"] == "First time here."
    assert comment["author"]["name"] == "Grace"
    thread = gql.execute(THREAD, {"slug": post.slug})["data"]["post"]
    assert thread["commentCount"] == 0
    assert thread["thread"]["totalCount"] == 0


def test_guest_second_comment_is_held_while_the_first_is_pending(gql, users):
    post = factories.published_post(users["author"])
    add(gql, guest(post, body="One."))
    assert add(gql, guest(post, body="Two."))["status"] == "PENDING"


def test_guest_comment_is_approved_once_an_earlier_one_of_that_email_was_approved(gql, users):
    post = factories.published_post(users["author"])
    first = add(gql, guest(post, body="One.", authorEmail="Grace@Example.org"))
    approve(first["id"], users)
    later = add(gql, guest(post, body="Two.", authorEmail="GRACE@example.ORG"))
    assert later["status"] == "APPROVED"
    other = add(gql, guest(post, body="Three.", authorEmail="someone.else@example.org"))
    assert other["status"] == "PENDING"
    assert Comment.objects.get(pk=_pk(later["id"])).author_email == "grace@example.org"


def test_an_approved_guests_email_under_another_name_is_held(gql, users):
    post = factories.published_post(users["author"])
    approve(add(gql, guest(post, body="One.", authorEmail="grace@example.org"))["id"], users)
    owner_name = str(users["administrator"])
    impostor = add(gql, guest(post, body="Two.", authorName=owner_name,
                              authorEmail="GRACE@example.org"))
    assert impostor["status"] == "PENDING"
    thread = gql.execute(THREAD, {"slug": post.slug})["data"]["post"]["thread"]
    assert [e["node"]["author"]["name"] for e in thread["edges"]] == ["Grace"]
    assert add(gql, guest(post, body="Three.", authorEmail="Grace@Example.org"))[
        "status"] == "APPROVED"


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@Example.COM"])
def test_a_guest_may_not_use_a_registered_accounts_email(gql, users, email):
    post = factories.published_post(users["other_author"])
    result = refuse(gql, guest(post, authorName="Ann", authorEmail=email), "FORBIDDEN",
                    "authorEmail")
    assert "sign in" in result["errors"][0]["message"].lower()
    signed_in = GraphQLClient().as_user(users["author"])
    assert add(signed_in, {"postId": gid(post), "body": "Mine."})["status"] == "APPROVED"


def test_the_email_of_a_deactivated_account_is_a_guests_like_any_other(gql, users):
    users["subscriber"].is_active = False
    users["subscriber"].save()
    post = factories.published_post(users["author"])
    assert add(gql, guest(post, authorEmail="sub@example.com"))["status"] == "PENDING"


def test_an_authors_comment_is_approved_at_once(users):
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["contributor"])
    comment = add(client, {"postId": gid(post), "body": "Nice."})
    assert comment["status"] == "APPROVED"
    assert comment["author"]["user"]["slug"] == users["contributor"].slug
    assert GraphQLClient().execute(THREAD, {"slug": post.slug})["data"]["post"]["commentCount"] == 1


def test_a_readers_first_comment_is_held_and_later_ones_approved_once_one_was(users):
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["subscriber"])
    first = add(client, {"postId": gid(post), "body": "Nice."})
    assert first["status"] == "PENDING"
    assert first["author"]["user"]["slug"] == users["subscriber"].slug
    approve(first["id"], users)
    assert add(client, {"postId": gid(post), "body": "Nicer."})["status"] == "APPROVED"
    assert GraphQLClient().execute(THREAD, {"slug": post.slug})["data"]["post"]["commentCount"] == 2


def test_comment_with_more_links_than_allowed_is_held(settings, users):
    settings.HEARTH_COMMENT_MAX_LINKS = 2
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["contributor"])
    two = "See https://www.example.com/a and [this](http://example.org/b)."
    three = "https://a.example.com https://b.example.com www.c.example.com"
    assert add(client, {"postId": gid(post), "body": two})["status"] == "APPROVED"
    assert add(client, {"postId": gid(post), "body": three})["status"] == "PENDING"


def test_guest_with_approved_email_is_held_for_too_many_links(gql, settings, users):
    settings.HEARTH_COMMENT_MAX_LINKS = 1
    post = factories.published_post(users["author"])
    approve(add(gql, guest(post, body="Hello."))["id"], users)
    body = "http://one.example.com http://two.example.com"
    assert add(gql, guest(post, body=body))["status"] == "PENDING"


def test_flood_control_refuses_the_same_guest_email_from_another_address(settings, users):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    post = factories.published_post(users["author"])
    add(GraphQLClient(Client(REMOTE_ADDR="198.51.100.1")), guest(post, body="One."))
    other_ip = GraphQLClient(Client(REMOTE_ADDR="198.51.100.2"))
    refuse(other_ip, guest(post, body="Two."), "RATE_LIMITED")


def test_flood_control_refuses_the_same_ip_with_another_email(settings, users):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    post = factories.published_post(users["author"])
    client = GraphQLClient(Client(REMOTE_ADDR="198.51.100.1"))
    add(client, guest(post, body="One."))
    refuse(client, guest(post, body="Two.", authorEmail="other@example.org"), "RATE_LIMITED")
    elsewhere = GraphQLClient(Client(REMOTE_ADDR="198.51.100.9"))
    add(elsewhere, guest(post, body="Two.", authorEmail="other@example.org"))


def test_flood_control_refuses_the_same_user_from_another_address(settings, users):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    post = factories.published_post(users["author"])
    from cms.services.tokens import token_create

    _, raw = token_create(user=users["subscriber"])
    auth = {"Authorization": f"Bearer {raw}"}
    add(GraphQLClient(Client(REMOTE_ADDR="198.51.100.1"), auth), {"postId": gid(post),
                                                                  "body": "One."})
    again = GraphQLClient(Client(REMOTE_ADDR="198.51.100.2"), auth)
    result = refuse(again, {"postId": gid(post), "body": "Two."}, "RATE_LIMITED")
    assert "wait" in result["errors"][0]["message"]


def test_flood_control_lets_the_author_comment_again_after_the_interval(settings, users):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["subscriber"])
    add(client, {"postId": gid(post), "body": "One."})
    refuse(client, {"postId": gid(post), "body": "Two."}, "RATE_LIMITED")
    Comment.objects.update(created_at=Comment.objects.get().created_at - timedelta(seconds=16))
    add(client, {"postId": gid(post), "body": "Two."})


def test_moderators_are_exempt_from_flood_control(settings, users):
    settings.HEARTH_COMMENT_FLOOD_SECONDS = 15
    post = factories.published_post(users["author"])
    for role in ("editor", "administrator"):
        client = GraphQLClient().as_user(users[role])
        add(client, {"postId": gid(post), "body": f"One from {role}."})
        add(client, {"postId": gid(post), "body": f"Two from {role}."})
    assert Comment.objects.filter(status=CommentStatus.APPROVED).count() == 4


def test_the_same_body_twice_on_a_post_is_a_duplicate(gql, users):
    post = factories.published_post(users["author"])
    add(gql, guest(post, body="Same words."))
    refuse(gql, guest(post, body="Same words."), "DUPLICATE", "body")
    client = GraphQLClient().as_user(users["subscriber"])
    add(client, {"postId": gid(post), "body": "Mine."})
    refuse(client, {"postId": gid(post), "body": "Mine."}, "DUPLICATE", "body")


def test_the_same_body_on_another_post_is_not_a_duplicate(gql, users):
    first = factories.published_post(users["author"])
    second = factories.published_post(users["author"])
    add(gql, guest(first, body="Same words."))
    add(gql, guest(second, body="Same words."))


def test_comments_closed_refuses_guests_and_moderators(gql, users):
    post = factories.published_post(users["author"], comments_open=False)
    refuse(gql, guest(post), "COMMENTS_CLOSED")
    editor = GraphQLClient().as_user(users["editor"])
    refuse(editor, {"postId": gid(post), "body": "Editors too."}, "COMMENTS_CLOSED")


def test_comment_on_a_draft_is_not_found(gql, users):
    post = factories.draft_post(users["author"])
    refuse(gql, guest(post), "NOT_FOUND", "postId")


def test_reply_to_an_approved_comment_is_one_level_deeper(gql, users):
    post = factories.published_post(users["author"])
    parent = factories.comment(post, user=users["subscriber"])
    client = GraphQLClient().as_user(users["editor"])
    reply = add(client, {"postId": gid(post), "parentId": gid(parent), "body": "Agreed."})
    assert reply["depth"] == 1
    parent.refresh_from_db()
    assert (parent.reply_count, parent.descendant_count) == (1, 1)


def test_reply_to_a_pending_comment_is_invalid(gql, users):
    post = factories.published_post(users["author"])
    parent = factories.comment(post, status=CommentStatus.PENDING)
    refuse(gql, guest(post, parentId=gid(parent)), "INVALID", "parentId")


def test_reply_to_another_posts_comment_is_invalid(gql, users):
    post = factories.published_post(users["author"])
    elsewhere = factories.comment(factories.published_post(users["author"]),
                                  user=users["subscriber"])
    refuse(gql, guest(post, parentId=gid(elsewhere)), "INVALID", "parentId")


def test_a_reply_below_the_deepest_allowed_level_is_invalid(gql, settings, users):
    settings.HEARTH_MAX_REPLY_DEPTH = 2
    post = factories.published_post(users["author"])
    top = factories.comment(post, user=users["editor"])
    middle = factories.comment(post, user=users["editor"], parent=top)
    deepest = factories.comment(post, user=users["editor"], parent=middle)
    assert deepest.depth == 2
    client = GraphQLClient().as_user(users["editor"])
    result = refuse(client, {"postId": gid(post), "parentId": gid(deepest), "body": "Deeper."},
                    "INVALID", "parentId")
    assert "at most 2 deep" in result["errors"][0]["message"]
    assert add(client, {"postId": gid(post), "parentId": gid(middle), "body": "Beside."})[
        "depth"] == 2


def test_replies_nest_ten_deep_by_default(settings, users):
    assert settings.HEARTH_MAX_REPLY_DEPTH == 10
    post = factories.published_post(users["author"])
    parent = None
    for _ in range(11):
        parent = factories.comment(post, user=users["editor"], parent=parent)
    assert parent.depth == 10
    client = GraphQLClient().as_user(users["editor"])
    refuse(client, {"postId": gid(post), "parentId": gid(parent), "body": "Eleven."}, "INVALID",
           "parentId")


def test_name_of_245_characters_is_kept_whole_and_246_is_refused(gql, users):
    post = factories.published_post(users["author"])
    name = EMOJI * 245
    comment = add(gql, guest(post, authorName=name))
    assert Comment.objects.get(pk=_pk(comment["id"])).author_name == name
    refuse(gql, guest(post, body="Again.", authorName=name + EMOJI), "INVALID", "authorName")
    refuse(gql, guest(post, body="Again.", authorName="n" * 246), "INVALID", "authorName")


def test_email_of_100_characters_is_kept_whole_and_101_is_refused(gql, users):
    post = factories.published_post(users["author"])
    email = "a" * 88 + "@example.org"
    assert len(email) == 100
    comment = add(gql, guest(post, authorEmail=email))
    assert Comment.objects.get(pk=_pk(comment["id"])).author_email == email
    refuse(gql, guest(post, body="Again.", authorEmail="a" + email), "INVALID", "authorEmail")


def test_url_of_200_characters_is_kept_whole_and_201_is_refused(gql, users):
    post = factories.published_post(users["author"])
    url = "https://example.com/" + EMOJI * 180
    assert len(url) == 200
    comment = add(gql, guest(post, authorUrl=url))
    assert comment["author"]["url"] == url
    assert Comment.objects.get(pk=_pk(comment["id"])).author_url == url
    refuse(gql, guest(post, body="Again.", authorUrl=url + EMOJI), "INVALID", "authorUrl")


def test_body_of_65525_characters_is_kept_whole_and_65526_is_refused(gql, settings, users):
    post = factories.published_post(users["author"])
    body = EMOJI * 65_525
    comment = add(gql, guest(post, body=body))
    assert comment["body"] == body
    assert Comment.objects.get(pk=_pk(comment["id"])).body == body
    refuse(gql, guest(post, body=body + EMOJI), "INVALID", "body")
    refuse(gql, guest(post, body="b" * 65_526), "INVALID", "body")


def test_invalid_email_is_refused(gql, users):
    post = factories.published_post(users["author"])
    for email in ("not-an-address", "a@b", "grace@@example.org", "<grace@example.org>"):
        refuse(gql, guest(post, authorEmail=email), "INVALID", "authorEmail")


def test_invalid_url_is_refused(gql, users):
    post = factories.published_post(users["author"])
    for url in ("javascript:alert(1)", "ftp://example.com/", "example.com", "http://"):
        refuse(gql, guest(post, authorUrl=url), "INVALID", "authorUrl")


def test_the_same_body_again_after_deleting_the_first_is_not_a_duplicate(users):
    from tests.support.writes import DELETE_COMMENT

    post = factories.published_post(users["author"])
    client = GraphQLClient().as_user(users["contributor"])
    first = add(client, {"postId": gid(post), "body": "Typo-free at last."})
    accepted(client, DELETE_COMMENT, {"id": first["id"]}, "deleteComment")
    assert add(client, {"postId": gid(post), "body": "Typo-free at last."})["status"] == "APPROVED"


def test_client_ip_is_the_connection_or_what_a_trusted_proxy_forwarded(settings, users):
    settings.HEARTH_TRUSTED_PROXIES = ["10.0.0.1"]
    post = factories.published_post(users["author"])
    forwarded = {"X-Forwarded-For": "192.0.2.66, 198.51.100.7"}  # the first is the client's say
    via_proxy = GraphQLClient(Client(REMOTE_ADDR="10.0.0.1"), forwarded)
    direct = GraphQLClient(Client(REMOTE_ADDR="198.51.100.8"), forwarded)
    first = add(via_proxy, guest(post, body="Via the proxy."))
    second = add(direct, guest(post, body="Straight in."))
    assert Comment.objects.get(pk=_pk(first["id"])).ip_address == "198.51.100.7"
    assert Comment.objects.get(pk=_pk(second["id"])).ip_address == "198.51.100.8"


def test_the_same_body_under_another_parent_is_not_a_duplicate(users):
    post = factories.published_post(users["author"])
    first = factories.comment(post, user=users["editor"])
    second = factories.comment(post, user=users["editor"])
    client = GraphQLClient().as_user(users["subscriber"])
    add(client, {"postId": gid(post), "parentId": gid(first), "body": "+1"})
    add(client, {"postId": gid(post), "parentId": gid(second), "body": "+1"})
    refuse(client, {"postId": gid(post), "parentId": gid(second), "body": "+1"}, "DUPLICATE")
