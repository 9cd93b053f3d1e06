"""A tenant's security policy (seeds 000-002): password rules, 2FA, brute-force protection.

- Passwords: a minimum length (at least 8, default 12) and an optional maximum age in days,
  after which the user must set a new one before signing in.
- ``require_2fa``: every user must use TOTP to sign in (they enrol on their next login).
- Brute force: after ``lockout_threshold`` failed logins within the lockout window, the user
  name and the client address are each locked for ``lockout_minutes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
                f"passwordMinLength must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH_RULE}",
                field="passwordMinLength",
            )
        if self.password_max_age_days is not None and not 1 <= self.password_max_age_days <= 3650:
            raise ValidationFailed(
                "passwordMaxAgeDays must be 1 to 3650 or null", field="passwordMaxAgeDays"
            )
        if not 1 <= self.lockout_threshold <= 100:
            raise ValidationFailed("lockoutThreshold must be 1 to 100", field="lockoutThreshold")
        if not 1 <= self.lockout_minutes <= 10080:
            raise ValidationFailed(
                "lockoutMinutes must be 1 to 10080 (a week)", field="lockoutMinutes"
            )

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    def password_expired(self, changed_at: datetime, now: datetime) -> bool:
        if self.password_max_age_days is None:
            return False
        return now - changed_at > timedelta(days=self.password_max_age_days)
