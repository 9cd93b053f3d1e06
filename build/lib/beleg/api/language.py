"""Response language (seed 003 §2; DESIGN.md "Errors"): the accounting API answers German
unless the client prefers English, the billing API English unless it prefers German."""

from __future__ import annotations

from fastapi import Request

from beleg.api.problems import ACCOUNTING_PREFIX


def preferred_language(request: Request, default: str = "de") -> str:
    """'de' or 'en': the highest-weighted of them in Accept-Language, else ``default``."""
    best, best_q = default, -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in ("de", "en") and q > best_q:
            best, best_q = language, q
    return best


def response_language(request: Request) -> str:
    """The language of texts in this response: German by default on /api/1.1, English on /v2."""
    accounting = request.url.path.startswith(ACCOUNTING_PREFIX)
    return preferred_language(request, default="de" if accounting else "en")
