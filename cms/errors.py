from enum import StrEnum


class ErrorCode(StrEnum):
    """The contract's error vocabulary, shared by services, GraphQL and the admin."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    COMMENTS_CLOSED = "COMMENTS_CLOSED"
    DUPLICATE = "DUPLICATE"
    RATE_LIMITED = "RATE_LIMITED"
    CONFLICT = "CONFLICT"


class DomainError(Exception):
    """A refusal the caller can understand and fix. Raised in a transaction, it rolls it back."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after


class ValidationErrors(DomainError):
    """Several field errors at once, so a form can mark every wrong field in one round trip."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].code, errors[0].message, field=errors[0].field)
        self.errors = errors
