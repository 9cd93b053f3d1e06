"""Response language: German by default, English when the client prefers it (seed 003 §2)."""

from __future__ import annotations

from fastapi import Request


def preferred_language(request: Request) -> str:
    """'en' if the highest-weighted Accept-Language tag is English, else 'de'."""
    best, best_q = "de", -1.0
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
