"""A tenant's security policy (seeds 000-002): password rules, 2FA, brute-force protection.

- Passwords: a minimum length (at least 8, default 12) and an optional maximum age in days,
  after which the user must set a new one before signing in.
- ``require_2fa``: every user must use TOTP to sign in (they enrol on their next login).
- Brute force: after ``lockout_threshold`` failed logins within the lockout window, the user
  name and the client address are each locked for ``lockout_minutes``.
"""

from __future__ import annotations

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


def count_failure(
    previous: FailedLogins | None,
    *,
    kind: SubjectKind,
    subject: str,
    policy: SecurityPolicy,
    now: datetime,
) -> FailedLogins:
    """The count after one more failed login at ``now``. Failures older than the lockout
    window start the count anew; reaching the threshold locks the subject for the lockout
    duration and resets the count (so the next failure after the lockout counts as one)."""
    stale = previous is not None and now - previous.last_failure_at > policy.lockout
    failures = 1 if previous is None or stale else previous.failures + 1
    locked = now + policy.lockout if failures >= policy.lockout_threshold else None
    return FailedLogins(kind, subject, 0 if locked else failures, now, locked)


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
