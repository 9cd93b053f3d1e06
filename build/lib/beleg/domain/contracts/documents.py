"""Documents filed with a contract (seed 002: upload, list, download, and settings such as
"send by mail"): PDFs and images, checked by their content; a plain file name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from beleg.domain.errors import UnsupportedMedia, ValidationFailed

ALLOWED_MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg")
NAME_LIMIT = 255
SIZE_LIMIT = 10 * 2**20  # bytes


@dataclass(frozen=True, slots=True)
class ContractDocument:
    """A stored file; ``send_by_mail``: attached to the contract's invoice mails."""

    id: uuid.UUID
    contract_id: uuid.UUID
    file_name: str
    media_type: str
    size: int
    sha256: str
    send_by_mail: bool
    created_at: datetime
    updated_at: datetime


def check_file_name(name: str, field: str = "fileName") -> str:
    """A file name without folders (no ``/`` or ``\\``, not ``.`` or ``..``), 1-255 characters."""
    if not name.strip() or len(name) > NAME_LIMIT:
        raise ValidationFailed("contracts.file_name_length", field=field, limit=NAME_LIMIT)
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ValidationFailed("contracts.file_name_path", field=field)
    return name


def check_content(content: bytes, sniffed: str | None, declared: str) -> str:
    """The media type of ``content``: not empty, at most SIZE_LIMIT bytes, a PDF or an image
    by its signature (``sniffed``), and what the client declared (``Content-Type``)."""
    if not content:
        raise ValidationFailed("contracts.file_empty", field="body")
    if len(content) > SIZE_LIMIT:
        raise ValidationFailed("contracts.file_too_large", field="body", limit=SIZE_LIMIT)
    if sniffed not in ALLOWED_MEDIA_TYPES:
        allowed = ", ".join(ALLOWED_MEDIA_TYPES)
        raise UnsupportedMedia("contracts.file_type", field="body", allowed=allowed)
    if declared != sniffed:
        raise UnsupportedMedia(
            "contracts.file_type_mismatch", field="Content-Type", declared=declared, found=sniffed
        )
    return sniffed
