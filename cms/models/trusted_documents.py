import re

from django.db import models
from django.utils import timezone

PREFIX = "sha256:"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def document_id_of(key: str) -> str | None:
    """The stored form of a document id, `sha256:<64 hex>`, from that or from the bare hex
    (what graphql-codegen's client preset writes by default); None for anything else."""
    hex_digest = key.lower().removeprefix(PREFIX)
    return PREFIX + hex_digest if SHA256_HEX.fullmatch(hex_digest) else None


class TrustedDocument(models.Model):
    """A GraphQL document the site's own clients send by id (graphql-codegen's
    persisted-documents.json, loaded by `manage.py load_trusted_documents`). With
    HEARTH_TRUSTED_DOCUMENTS_ONLY these are the only documents that run."""

    # "sha256:" and the SHA-256 of `body` in lower-case hex (the GraphQL-over-HTTP spec's
    # prefixed document identifier).
    document_id = models.CharField(max_length=71, unique=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.document_id
