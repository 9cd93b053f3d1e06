"""Username rules (seed 001: umlauts and other special characters are refused, and the error
names the invalid character)."""

from __future__ import annotations

import string

from beleg.domain.errors import ValidationFailed

ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-@")
MIN_LENGTH = 3
MAX_LENGTH = 64


def normalize_username(raw: str) -> str:
    """Validate ``raw`` and return it lower-cased (usernames compare case-insensitively).

    Allowed: ASCII letters, digits and ``. _ - @``; 3 to 64 characters; starting with a letter
    or digit. The first invalid character is named in the error, with its position (1-based).
    """
    for position, char in enumerate(raw, start=1):
        if char not in ALLOWED_CHARACTERS:
            visible = char.isprintable() and not char.isspace()
            shown = repr(char) if visible else f"U+{ord(char):04X}"
            raise ValidationFailed(
                "identity.username_invalid_character",
                field="username",
                character=shown,
                position=position,
            )
    if not MIN_LENGTH <= len(raw) <= MAX_LENGTH:
        raise ValidationFailed(
            "identity.username_length",
            field="username",
            low=MIN_LENGTH,
            high=MAX_LENGTH,
            length=len(raw),
        )
    if not raw[0].isalnum():
        raise ValidationFailed("identity.username_start", field="username")
    return raw.lower()
