from django.db import transaction
from django.utils import timezone

from cms.errors import DomainError, ErrorCode
from cms.models import ApiToken
from cms.models.tokens import hash_token


@transaction.atomic
def token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for `user`. The raw token is returned once and never stored."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw),
                                    hint=raw[: len(ApiToken.PREFIX) + 4])
    return token, raw


def token_authenticate(raw: str):
    """The user a bearer token stands for. Unknown, revoked or inactive: UNAUTHENTICATED."""
    token = (ApiToken.objects.select_related("user")
             .filter(token_hash=hash_token(raw), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "This API token is unknown or revoked.")
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
