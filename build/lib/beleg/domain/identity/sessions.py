"""Browser sign-in (the OAuth login page, later the portal): sessions and what a sign-in may
leave pending before the session counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SignInStep(StrEnum):
    """What the user must still do before a session counts (stored as its value)."""

    PASSWORD = "password"  # noqa: S105 (a step, not a secret): the password is too old
    ENROL = "enrol"  # the tenant requires 2FA and the user has none set up
    TOTP = "totp"  # enter the code of the authenticator app


@dataclass(frozen=True, slots=True)
class WebSession:
    """A browser session: its user, the CSRF token its forms echo, and the pending step
    (None: signed in)."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    csrf: str
    pending: SignInStep | None = None


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as stored: by the hash of its cookie token, with its expiry."""

    token_hash: str
    session: WebSession
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LoginResult:
    """``token`` and ``session`` when the password was right; ``locked_until`` when a
    lockout runs; neither for a wrong user name or password."""

    token: str | None = None
    session: WebSession | None = None
    locked_until: datetime | None = None
