"""Loading the trusted documents: a whole persisted-documents.json at once, or nothing."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length

from cms.errors import DomainError, ErrorCode
from cms.models import TrustedDocument
from cms.models.trusted_documents import PREFIX, document_id_of


@dataclass(frozen=True)
class Loaded:
    added: int
    kept: int
    removed: int
    total: int
    total_chars: int


@transaction.atomic
def trusted_documents_load(*, documents: dict[str, str], replace: bool = False) -> Loaded:
    """Add `documents` (id -> text) to the store; with `replace`, remove those not among them.
    Every id must be the SHA-256 of its text and every text at most HEARTH_MAX_QUERY_CHARS; the
    store holds at most HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS characters of text. Any refusal
    (naming the document) writes nothing."""
    wanted: dict[str, str] = {}
    for key, text in documents.items():
        document_id = document_id_of(key) if isinstance(key, str) else None
        if document_id is None:
            raise DomainError(ErrorCode.INVALID, f"{key!r} is not a SHA-256 document id "
                              "(`sha256:<64 hex digits>`).", field=str(key))
        if not isinstance(text, str) or not text.strip():
            raise DomainError(ErrorCode.INVALID, f"{key}: the document is not a GraphQL text.",
                              field=key)
        if len(text) > settings.HEARTH_MAX_QUERY_CHARS:
            raise DomainError(ErrorCode.INVALID, f"{key}: longer than "
                              f"{settings.HEARTH_MAX_QUERY_CHARS:,} characters "
                              "(HEARTH_MAX_QUERY_CHARS).", field=key)
        if PREFIX + hashlib.sha256(text.encode()).hexdigest() != document_id:
            raise DomainError(ErrorCode.INVALID, f"{key}: not the SHA-256 of its document.",
                              field=key)
        wanted[document_id] = text
    removed = 0
    if replace:
        removed, _ = TrustedDocument.objects.exclude(document_id__in=wanted).delete()
    known = set(TrustedDocument.objects.filter(document_id__in=wanted)
                .values_list("document_id", flat=True))
    TrustedDocument.objects.bulk_create(
        [TrustedDocument(document_id=i, body=text) for i, text in wanted.items() if i not in known])
    total = TrustedDocument.objects.count()
    total_chars = TrustedDocument.objects.aggregate(n=Sum(Length("body")))["n"] or 0
    if total_chars > settings.HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS:
        raise DomainError(ErrorCode.INVALID, f"The trusted documents would hold {total_chars:,} "
                          f"characters, more than {settings.HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS:,} "
                          "(HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS).")
    return Loaded(added=len(wanted) - len(known), kept=len(known), removed=removed, total=total,
                  total_chars=total_chars)
