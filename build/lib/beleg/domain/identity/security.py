"""A tenant's security policy (seeds 000-002): password rules, 2FA, brute-force protection.

- Passwords: a minimum length (at least 8, default 12) and an optional maximum age in days,
  after which the user must set a new one before signing in.
- ``require_2fa``: every user must use TOTP to sign in (they enrol on their next login).
- Brute force: after ``lockout_threshold`` failed logins within the lockout window, the user
  name and the client address are each locked for ``lockout_minutes``. An attempt (a password
  or a pairing code) is counted as a failure *before* its secret is checked, and a successful
  one takes its count back: parallel attempts see each other's counts, so at most
  ``lockout_threshold`` secrets are checked per subject and window, and no failure ever
  clears or shortens a lockout.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from beleg.domain.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH_RULE = 128


@dataclass(frozen=True, slots=True)
class SecurityPolicy:
    password_min_length: int = 12
    password_max_age_days: int | None = None
    require_2fa: bool = False
    lockout_threshold: int = 5
    lockout_minutes: int = 15

    def __post_init__(self) -> None:
        if not MIN_PASSWORD_LENGTH <= self.password_min_length <= MAX_PASSWORD_LENGTH_RULE:
            raise ValidationFailed(
                "identity.password_min_length_range",
                field="passwordMinLength",
                low=MIN_PASSWORD_LENGTH,
                high=MAX_PASSWORD_LENGTH_RULE,
            )
        if self.password_max_age_days is not None and not 1 <= self.password_max_age_days <= 3650:
            raise ValidationFailed("identity.password_max_age_range", field="passwordMaxAgeDays")
        if not 1 <= self.lockout_threshold <= 100:
            raise ValidationFailed("identity.lockout_threshold_range", field="lockoutThreshold")
        if not 1 <= self.lockout_minutes <= 10080:
            raise ValidationFailed("identity.lockout_minutes_range", field="lockoutMinutes")

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    def password_expired(self, changed_at: datetime, now: datetime) -> bool:
        if self.password_max_age_days is None:
            return False
        return now - changed_at > timedelta(days=self.password_max_age_days)


POLICY_FIELDS = tuple(f.name for f in fields(SecurityPolicy))
_NULLABLE = frozenset({"password_max_age_days"})


def setting_name(name: str) -> str:
    """The API's (camelCase) name of a policy field: ``require_2fa`` is ``require2fa``."""
    return {"require_2fa": "require2fa"}.get(name) or "".join(
        part if i == 0 else part.title() for i, part in enumerate(name.split("_"))
    )


def changed_policy(policy: SecurityPolicy, changes: Mapping[str, Any]) -> SecurityPolicy:
    """``policy`` with ``changes`` (field name -> value) applied and checked; other names are
    ignored, and only the maximum password age may be set to null (never expires)."""
    for name, value in changes.items():
        if value is None and name in POLICY_FIELDS and name not in _NULLABLE:
            raise ValidationFailed(
                "identity.setting_not_null", field=setting_name(name), name=setting_name(name)
            )
    known = {k: v for k, v in changes.items() if k in POLICY_FIELDS}
    return SecurityPolicy(**{**asdict(policy), **known})


class SubjectKind(StrEnum):
    """What failed logins are counted for."""

    USER = "user"  # the user name tried
    ADDRESS = "address"  # the client address


@dataclass(frozen=True, slots=True)
class FailedLogins:
    """The failed logins counted for one subject; ``locked_until`` while a lockout runs."""

    kind: SubjectKind
    subject: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


def user_subject(username: str) -> str:
    """The lockout subject of a user name as typed: trimmed and lower-cased as user names
    compare, at most 64 characters. Characters that no user name has are escaped (a NUL byte
    becomes ``\\x00``), so that any input is counted, stored and looked up without error;
    every valid user name stays as it is."""
    return username.strip().lower().encode("unicode_escape").decode("ascii")[:64]


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """A sign-in attempt counted before its secret is checked: the counts it left for each
    subject, or the end of the lockout that refused it (then nothing was counted)."""

    tenant_id: uuid.UUID
    counted: tuple[FailedLogins, ...]
    locked_until: datetime | None = None


def count_failure(
    previous: FailedLogins | None,
    *,
    kind: SubjectKind,
    subject: str,
    policy: SecurityPolicy,
    now: datetime,
) -> FailedLogins:
    """The count after one more failed attempt at ``now``. Failures older than the lockout
    window, and those before a lockout that has ended, start the count anew; reaching the
    threshold locks the subject for the lockout duration. A running lockout is never
    cleared or shortened: while one runs the count stays as it is."""
    if previous is not None and previous.locked_until and previous.locked_until > now:
        return previous
    ended = previous is not None and previous.locked_until is not None
    stale = previous is not None and now - previous.last_failure_at > policy.lockout
    failures = 1 if previous is None or stale or ended else previous.failures + 1
    locked = now + policy.lockout if failures >= policy.lockout_threshold else None
    return FailedLogins(kind, subject, failures, now, locked)


def count_success(counts: FailedLogins, *, counted: FailedLogins, clear: bool) -> FailedLogins:
    """The count after an attempt that was counted as a failure beforehand (``counted``: the
    count it left) turned out to succeed: the failure is taken back and a lockout that this
    attempt started is lifted; a lockout started by another attempt stays. ``clear`` (the
    user name of a successful login) drops the whole count unless such a lockout runs."""
    own = counts.locked_until is not None and counts.locked_until == counted.locked_until
    locked = None if own else counts.locked_until
    failures = 0 if clear and locked is None else max(counts.failures - 1, 0)
    return FailedLogins(counts.kind, counts.subject, failures, counts.last_failure_at, locked)


def lockout_end(
    counts: Iterable[FailedLogins], subjects: Mapping[SubjectKind, str], now: datetime
) -> datetime | None:
    """The end of a lockout of any of ``subjects`` that runs at ``now``, if one does."""
    ends = [
        c.locked_until
        for c in counts
        if subjects.get(c.kind) == c.subject and c.locked_until and c.locked_until > now
    ]
    return max(ends) if ends else None
