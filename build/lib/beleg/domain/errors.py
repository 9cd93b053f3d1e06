"""The domain's error vocabulary: every rule violation names the field and the rule.

An error carries a stable message ``code`` (``ledger.period_closed``), the ``field`` of the
input it concerns and the ``params`` of its text; the text itself lives in the message
catalogue (``beleg.messages``), in German and English. ``error`` is the exception-style name
the APIs show (seed 003 RestError.error: ``ValidationException``, ...).
"""

from __future__ import annotations

from typing import ClassVar

from beleg import messages


class DomainError(Exception):
    """A business rule was violated."""

    error: ClassVar[str] = "DomainError"

    def __init__(self, code: str, /, *, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def text(self, language: str = messages.ENGLISH) -> str:
        """The message in ``language`` (``de`` or ``en``)."""
        return messages.text(self.code, language, **self.params)

    @property
    def message(self) -> str:
        """The English message (logs, the CLI)."""
        return self.text(messages.ENGLISH)

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """An input value breaks a rule (maps to 400/422)."""

    error = "ValidationException"


class NotFound(DomainError):
    """The addressed object does not exist for this tenant (maps to 404)."""

    error = "NotFoundException"


class Conflict(DomainError):
    """The operation conflicts with the current state (maps to 409)."""

    error = "ConflictException"


class Forbidden(DomainError):
    """The actor may not do this, whatever the input (maps to 403)."""

    error = "ForbiddenException"


class UnsupportedMedia(DomainError):
    """The content is not of a type the operation accepts (maps to 415)."""

    error = "UnsupportedMediaTypeException"
