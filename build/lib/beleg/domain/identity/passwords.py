"""Password rules before hashing. The per-tenant policy (length, validity, 2FA) refines these."""

from __future__ import annotations

from beleg.domain.errors import ValidationFailed

DEFAULT_MIN_LENGTH = 12
MAX_LENGTH = 256


def check_password(password: str, *, min_length: int = DEFAULT_MIN_LENGTH) -> None:
    """Refuse passwords shorter than ``min_length`` or longer than 256 characters."""
    if len(password) < min_length:
        raise ValidationFailed(
            "identity.password_too_short", field="password", min_length=min_length
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(
            "identity.password_too_long", field="password", max_length=MAX_LENGTH
        )
