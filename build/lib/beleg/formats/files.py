"""What kind of file a content is, read from its first bytes (its signature), never from its
name: PDF (ISO 32000: ``%PDF-``), PNG (ISO/IEC 15948: the 8-byte signature) and JPEG (ISO/IEC
10918: SOI marker ``FF D8`` then a marker ``FF``)."""

from __future__ import annotations

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)


def media_type_of(content: bytes) -> str | None:
    """The media type ``content`` starts like, or None when it is none of the known ones."""
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    return None
