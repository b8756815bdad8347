"""Who may do what: the contract's roles, checked by the services."""

from cms.models import Post, PostStatus, Role
from cms.services.errors import DomainError, ErrorCode

POST_WRITERS = {Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR, Role.CONTRIBUTOR}


def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_moderator(user) -> bool:
    return is_signed_in(user) and user.is_moderator


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
