"""The domain's error vocabulary: every rule violation names the field and the rule."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was violated. ``code`` is a stable machine name, ``field`` the input."""

    code = "DomainError"

    def __init__(self, message: str, *, field: str | None = None, de: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.de = de  # the German text, where the accounting API (German by default) shows it


class ValidationFailed(DomainError):
    """An input value breaks a rule (maps to 400/422)."""

    code = "ValidationException"


class NotFound(DomainError):
    """The addressed object does not exist for this tenant (maps to 404)."""

    code = "NotFoundException"


class Conflict(DomainError):
    """The operation conflicts with the current state (maps to 409)."""

    code = "ConflictException"


class Forbidden(DomainError):
    """The actor may not do this, whatever the input (maps to 403)."""

    code = "ForbiddenException"
