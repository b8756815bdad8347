"""Anonymous reactors: a random key, handed out signed so it cannot be forged or guessed."""

import secrets

from django.core import signing

from cms.errors import DomainError, ErrorCode

SALT = "hearth.visitor"


def new_visitor() -> tuple[str, str]:
    """A fresh visitor: (key stored with reactions, token given to the browser)."""
    key = secrets.token_hex(16)
    return key, signing.dumps(key, salt=SALT, compress=False)


def visitor_key_from_token(token: str) -> str:
    try:
        key = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The visitor token is not valid.") from None
    if not isinstance(key, str) or len(key) != 32:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The visitor token is not valid.")
    return key
