"""The message catalogue: every user-facing text of the platform, in German and English.

A text is addressed by a stable code (``ledger.period_closed``): the msgid of its gettext
entries in ``locale/<language>/LC_MESSAGES/<context>.po``, one file per context and language.
Placeholders are ``str.format`` fields (``{day}``, ``{code!r}``) filled from the parameters
the error (or info) carries; the .po entries are flagged ``python-brace-format``.

The .po sources are the catalogue itself: they are read with Babel and compiled into memory
at first use, once per process. A code without a German text falls back to English; a code
missing from the catalogue renders as the code itself (a test keeps the catalogue complete:
tests/unit/test_messages.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locale"
LANGUAGES = ("de", "en")
ENGLISH = "en"


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """Every translated text of ``language`` (code -> template), from all its .po files."""
    texts: dict[str, str] = {}
    for source in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with source.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and message.string:
                    texts[str(message.id)] = str(message.string)
    return texts


def template(code: str, language: str = ENGLISH) -> str | None:
    """The template of ``code`` in ``language`` (English when it has none), or None."""
    found = catalogue(language if language in LANGUAGES else ENGLISH).get(code)
    return found if found is not None else catalogue(ENGLISH).get(code)


@dataclass(frozen=True, slots=True)
class Message:
    """A text not yet rendered: a code and its parameters. As a parameter of another text
    it is rendered in that text's language."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: str = ENGLISH) -> str:
        return text(self.code, language, **self.params)


def text(code: str, language: str = ENGLISH, /, **params: object) -> str:
    """The text of ``code`` in ``language`` with ``params`` filled in (a ``Message``
    parameter rendered in the same language)."""
    found = template(code, language)
    if found is None:
        return code
    rendered = {k: v.text(language) if isinstance(v, Message) else v for k, v in params.items()}
    return found.format(**rendered)


def known(code: str) -> bool:
    return code in catalogue(ENGLISH)
