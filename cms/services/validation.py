"""Checks on user-supplied values shared by the services. Lengths are counted in characters."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from cms.errors import DomainError, ErrorCode

_url_validator = URLValidator(schemes=["http", "https"])

# The times every database and every time zone can hold: Python's years 1 to 9999 with a day to
# spare each way, so the value still fits when converted to UTC or shown at any offset
# ("0001-01-01T00:00:00+14:00" is a year-0 time in UTC, which PostgreSQL stores as BC and
# Python cannot read back).
EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


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


def clean_datetime(value: datetime, *, field: str) -> datetime:
    """An aware time between EARLIEST and LATEST, in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(ErrorCode.INVALID, f"{field} needs a time zone.", field=field)
    if not EARLIEST <= value <= LATEST:
        raise DomainError(ErrorCode.INVALID, f"{field} must be between {EARLIEST:%Y-%m-%d} and "
                          f"{LATEST:%Y-%m-%d} (UTC).", field=field)
    return value.astimezone(UTC)
