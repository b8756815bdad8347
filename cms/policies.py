"""Who may see what and who may do what: every rule in one place, used by the selectors, the
services, GraphQL, the admin and the commands alike.

The querysets of cms/models hold the SQL building blocks (`live`, `live_or_written_by`,
`in_thread` ...); which of them applies to whom is decided here. Reading rules take a `Reader`,
a plain value (an account id and whether it moderates), so a prepared query can take the id as
a parameter; writing rules take the acting user.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from cms.errors import DomainError, ErrorCode
from cms.models import Comment, CommentStatus, Image, Post, PostStatus, Role, Tag, User

POST_WRITERS = {Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR, Role.CONTRIBUTOR}
# WordPress's upload_files: authors and up; contributors may not upload.
IMAGE_UPLOADERS = {Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR}


# Who is asking -------------------------------------------------------------------------------


def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_moderator(user) -> bool:
    return is_signed_in(user) and user.is_moderator


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads, as far as what they may see goes: anonymous (`pk` None), a signed-in account,
    or a moderator (editor or administrator)."""

    pk: int | None = None
    is_moderator: bool = False

    @classmethod
    def of(cls, user) -> "Reader":
        if not is_signed_in(user):
            return ANONYMOUS
        return cls(pk=user.pk, is_moderator=user.is_moderator)

    @property
    def is_signed_in(self) -> bool:
        return self.pk is not None


ANONYMOUS = Reader()


# What a reader may see -----------------------------------------------------------------------


def visible_posts(reader: Reader, *, now=None, posts=None, with_trashed: bool = False):
    """The posts `reader` may read (of `posts`, all by default): live ones; a signed-in
    account's own too; every post for a moderator. Posts in the trash are nobody's to read
    (the admin's trash asks `with_trashed`)."""
    posts = Post.objects.all() if posts is None else posts
    if not with_trashed:
        posts = posts.not_trashed()
    if reader.is_moderator:
        return posts
    if reader.is_signed_in:
        return posts.live_or_written_by(reader.pk, now)
    return posts.live(now)


def visible_comments(reader: Reader):
    """Comments `reader` may open one by one (`comment`, `node`, mutation targets): on a post
    they may read, what a thread shows, and their own comments; any for a moderator."""
    posts = visible_posts(reader)
    if reader.is_moderator:
        return Comment.objects.filter(post__in=posts)
    return Comment.objects.in_thread_or_written_by(reader.pk).filter(post__in=posts)


def visible_tags(reader: Reader, *, now=None):
    """Tags of a post `reader` may read; a tag only drafts carry could name an unpublished
    story."""
    posts = visible_posts(reader, now=now).filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(posts))


def public_authors(reader: Reader, *, now=None):
    """Accounts `reader` may look up (`node`): their own, and active people with public
    content, that is a post the reader may read or a comment whose words the reader sees (an
    approved one on such a post; any, for a moderator). Nobody else is listed, so the accounts
    of subscribers, administrators and the like cannot be enumerated."""
    posts = visible_posts(reader, now=now)
    comments = Comment.objects.filter(post__in=posts)
    if not reader.is_moderator:
        comments = comments.filter(status=CommentStatus.APPROVED)
    public = (Exists(posts.filter(author=OuterRef("pk")))
              | Exists(comments.filter(user=OuterRef("pk"))))
    if reader.is_signed_in:
        public |= Q(pk=reader.pk)
    return User.objects.filter(public, is_active=True)


def visible_images(reader: Reader, *, now=None):
    """Images `reader` may look up (`node`, `featuredImageId`): the featured image of a post
    they may read, their own uploads, and every image for a moderator (the library). An image
    only a draft features could show an unpublished story, so it stays hidden like the draft."""
    if reader.is_moderator:
        return Image.objects.all()
    featured = Exists(visible_posts(reader, now=now).filter(featured_image=OuterRef("pk")))
    if reader.is_signed_in:
        return Image.objects.filter(featured | Q(uploaded_by=reader.pk))
    return Image.objects.filter(featured)


def library_images(user):
    """The library as `user` lists it: all of it for moderators, their own uploads for
    authors; refused to anyone else."""
    if not is_signed_in(user):
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to list the image library.")
    if user.is_moderator:
        return Image.objects.all()
    if user.role not in IMAGE_UPLOADERS:
        raise DomainError(ErrorCode.FORBIDDEN, "Only authors, editors and administrators may "
                          "list the image library.")
    return Image.objects.filter(uploaded_by=user.pk)


def sees_private_comment_fields(reader: Reader) -> bool:
    """A commenter's e-mail, IP address and browser: moderators only."""
    return reader.is_moderator


def shows_content(comment: Comment, *, reader: Reader, own_comment_ids=frozenset()) -> bool:
    """Approved comments show what they say. Removed ones (spam, trash) are placeholders to all
    but moderators; a pending one also shows to its own author ("awaiting moderation"), and
    to whoever wrote it in this request (`own_comment_ids`)."""
    if comment.status == CommentStatus.APPROVED or reader.is_moderator:
        return True
    if comment.status != CommentStatus.PENDING:
        return False
    return comment.pk in own_comment_ids or (
        reader.is_signed_in and comment.user_id == reader.pk)


def comments_taking_reactions(comments):
    """Only approved comments take reactions (and give them back)."""
    return comments.filter(status=CommentStatus.APPROVED)


def require_moderation_queue_reader(reader: Reader) -> None:
    if not reader.is_signed_in:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in as an editor or administrator to "
                          "read the moderation queue.")
    if not reader.is_moderator:
        raise DomainError(ErrorCode.FORBIDDEN, "Only editors and administrators may read the "
                          "moderation queue.")


# What a user may do --------------------------------------------------------------------------


def require_signed_in(user) -> None:
    if not is_signed_in(user):
        raise DomainError(ErrorCode.UNAUTHENTICATED, "You need to sign in to do this.")


def require_moderator(user) -> None:
    require_signed_in(user)
    if not user.is_moderator:
        raise DomainError(ErrorCode.FORBIDDEN, "Only editors and administrators may do this.")


def require_post_writer(user) -> None:
    require_signed_in(user)
    if user.role not in POST_WRITERS:
        raise DomainError(ErrorCode.FORBIDDEN, "Your role may not write posts.")


def require_image_uploader(user) -> None:
    require_signed_in(user)
    if user.role not in IMAGE_UPLOADERS:
        raise DomainError(ErrorCode.FORBIDDEN, "Only authors, editors and administrators may "
                          "upload images.")


def require_can_edit_post(user, post: Post) -> None:
    """Moderators edit everything; authors their own posts; contributors their own drafts."""
    require_post_writer(user)
    if user.is_moderator:
        return
    if post.author_id != user.pk:
        raise DomainError(ErrorCode.FORBIDDEN, "You may only change your own posts.")
    if user.role == Role.CONTRIBUTOR and post.status != PostStatus.DRAFT:
        raise DomainError(ErrorCode.FORBIDDEN, "Contributors may only change their own drafts.")


def require_can_publish_post(user, post: Post) -> None:
    require_can_edit_post(user, post)
    if user.role == Role.CONTRIBUTOR:
        raise DomainError(ErrorCode.FORBIDDEN, "Contributors may not publish; an editor will.")


def require_can_reassign_post(user, post: Post, new_author) -> None:
    """Editors and administrators give a post to another writer (one who may write posts)."""
    require_moderator(user)
    if (new_author is None or not new_author.is_active
            or new_author.role not in POST_WRITERS):
        raise DomainError(ErrorCode.INVALID, "A post's author must be an active administrator, "
                          "editor, author or contributor.", field="authorId")


def require_can_preview(user, post: Post) -> None:
    """Editors and administrators preview every post; authors their own."""
    require_signed_in(user)
    if not user.is_moderator and post.author_id != user.pk:
        raise DomainError(ErrorCode.FORBIDDEN, "You may only preview your own posts.")


def require_can_edit_comment(user, comment: Comment, *, now, edit_window) -> None:
    """Authors edit their own comments within the edit window, unless removed; moderators
    edit any at any time."""
    require_signed_in(user)
    if user.is_moderator:
        return
    if comment.user_id != user.pk:
        raise DomainError(ErrorCode.FORBIDDEN, "You may only edit your own comments.")
    if now - comment.created_at > edit_window:
        raise DomainError(ErrorCode.FORBIDDEN, "The time to edit this comment has passed.")
    if comment.status in (CommentStatus.SPAM, CommentStatus.TRASH):
        raise DomainError(ErrorCode.FORBIDDEN, "This comment was removed.")


def require_can_delete_comment(user, comment: Comment) -> None:
    require_signed_in(user)
    if not user.is_moderator and comment.user_id != user.pk:
        raise DomainError(ErrorCode.FORBIDDEN, "You may only delete your own comments.")


def follows_comment(*, status: str, user_id: int | None, reader: Reader,
                    own: bool = False) -> bool:
    """Whether a live subscriber sees a comment of `status` in its thread (schema/live/): an
    approved one, any for a moderator, a pending one by its own author (`own`: the visitor who
    wrote it). A removed comment is not followed: whoever followed it gets its placeholder."""
    if status == CommentStatus.APPROVED or reader.is_moderator:
        return True
    return status == CommentStatus.PENDING and (
        own or (reader.is_signed_in and user_id == reader.pk))
