"""Reads of the trusted documents (see cms/models/trusted_documents.py)."""

from cms.models import TrustedDocument


def trusted_document_body(*, document_id: str) -> str | None:
    """The text of the trusted document `document_id` (`sha256:<hex>`), or None."""
    return (TrustedDocument.objects.filter(document_id=document_id)
            .values_list("body", flat=True).first())
