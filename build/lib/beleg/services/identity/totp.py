"""TOTP second factor (RFC 6238, 30-second steps, 6 digits; pyotp): enrolment with a QR code
(SVG, segno), confirmation, verification with replay protection, one-time recovery codes,
and reset by an admin. Every change is audited."""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import replace

import pyotp
import segno

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.identity import security as repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.two_factor import Enrolment, TotpFactor

RECOVERY_CODES = 10
ISSUER = "Beleg"


def start_enrolment(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Enrolment:
    """A new secret (replacing an unconfirmed one) with its QR code and recovery codes;
    runs in the caller's transaction."""
    secret = str(pyotp.random_base32())
    codes = tuple(f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES))
    factor = TotpFactor(secret, None, tuple(secret_digest(c) for c in codes), None)
    repo.replace_pending_factor(session, tenant_id, user_id, factor)
    name, number = repo.totp_label(session, tenant_id, user_id)
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"{name}@{number}", issuer_name=ISSUER)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, xmldecl=False)
    return Enrolment(secret, svg.getvalue().decode(), codes)


def verify(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    code: str,
    actor: Actor,
    clock: Clock,
) -> bool:
    """Check a TOTP code (one step of clock drift allowed, each step once) or a recovery code
    (each once). The first good code confirms an enrolment (audited). Runs in the caller's
    transaction."""
    factor = repo.totp_factor(session, tenant_id, user_id, lock=True)
    after = None if factor is None else _accepted(factor, code, clock.now().timestamp())
    if factor is None or after is None:
        return False
    if factor.confirmed_at is None:
        after = replace(after, confirmed_at=clock.now())
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="TwoFactor",
            entity_id=user_id,
            before=None,
            after={"method": "TOTP", "confirmed": True},
            clock=clock,
        )
    repo.save_factor(session, tenant_id, user_id, after)
    return True


def _accepted(factor: TotpFactor, code: str, now: float) -> TotpFactor | None:
    """``factor`` after accepting ``code`` (its time step, or a recovery code used up), or
    None if the code is not good (recovery codes only count once the factor is confirmed)."""
    code = code.strip().replace(" ", "")
    counter = _matching_counter(factor.secret, code, now)
    if counter is not None and (factor.last_counter is None or counter > factor.last_counter):
        return replace(factor, last_counter=counter)
    hashed = secret_digest(code.lower())
    if hashed in factor.recovery_hashes and factor.confirmed_at:
        rest = tuple(h for h in factor.recovery_hashes if h != hashed)
        return replace(factor, recovery_hashes=rest)
    return None


def _matching_counter(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for counter in (step - 1, step, step + 1):
        if secrets.compare_digest(str(totp.at(counter * totp.interval)), code):
            return counter
    return None


def reset(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, user_id: uuid.UUID, clock: Clock
) -> None:
    """An Admin/SuperUser removes a user's second factor (lost phone); audited."""
    with db.transaction() as session:
        if not repo.delete_factor(session, tenant_id, user_id):
            raise NotFound("identity.no_second_factor", field="userId")
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type="TwoFactor",
            entity_id=user_id,
            before={"method": "TOTP"},
            after=None,
            clock=clock,
        )
