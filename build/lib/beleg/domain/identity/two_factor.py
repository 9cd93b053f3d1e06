"""The TOTP second factor (RFC 6238): a user's enrolment and its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FactorState(StrEnum):
    NONE = "none"
    PENDING = "pending"  # enrolled, no code confirmed yet
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class TotpFactor:
    """A user's TOTP secret, the hashes of the recovery codes not used yet, and the last
    time step whose code was accepted (each code is accepted once)."""

    secret: str
    confirmed_at: datetime | None
    recovery_hashes: tuple[str, ...]
    last_counter: int | None

    @property
    def state(self) -> FactorState:
        return FactorState.ACTIVE if self.confirmed_at else FactorState.PENDING


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a user sees once when enrolling: the secret, its QR code (SVG) and the recovery
    codes."""

    secret: str
    qr_svg: str
    recovery_codes: tuple[str, ...]
