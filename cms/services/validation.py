"""Checks on user-supplied text shared by the services. Lengths are counted in characters."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from cms.services.errors import DomainError, ErrorCode

_url_validator = URLValidator(schemes=["http", "https"])


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False,
               label: str | None = None) -> str:
    """Strip `value` and refuse what no database column should hold: NUL bytes and lone
    surrogates (not encodable as UTF-8), or more than `max_length` characters. Never truncates."""
    label = label or field
    value = (value or "").strip()
    if required and not value:
        raise DomainError(ErrorCode.REQUIRED, f"Please fill in the {label}.", field=field)
    if "\x00" in value:
        raise DomainError(ErrorCode.INVALID, f"The {label} contains a NUL character.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError(ErrorCode.INVALID, f"The {label} is not valid Unicode text.",
                          field=field) from None
    if len(value) > max_length:
        raise DomainError(ErrorCode.INVALID,
                          f"The {label} has {len(value):,} characters; at most {max_length:,} fit.",
                          field=field)
    return value


def clean_email(value: str | None, *, field: str, max_length: int, required: bool) -> str:
    value = clean_text(value, field=field, max_length=max_length, required=required,
                       label="e-mail address")
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(ErrorCode.INVALID, "This is not a valid e-mail address.",
                              field=field) from None
    return value.lower()


def clean_url(value: str | None, *, field: str, max_length: int) -> str:
    value = clean_text(value, field=field, max_length=max_length, label="website address")
    if value:
        try:
            _url_validator(value)
        except ValidationError:
            raise DomainError(ErrorCode.INVALID, "A website address starts with http:// or "
                              "https:// and names a host.", field=field) from None
    return value
