"""TOTP second factor (RFC 6238, 30-second steps, 6 digits; pyotp): enrolment with a QR code
(SVG, segno), confirmation, verification with replay protection, one-time recovery codes,
and reset by an admin. Every change is audited."""

from __future__ import annotations

import io
import secrets
import uuid

import pyotp
import segno
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import tenants, user_totp, users
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.principal import Actor

RECOVERY_CODES = 10
ISSUER = "Beleg"


def state(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """``none``, ``pending`` (enrolled, not confirmed) or ``active``."""
    row = session.execute(
        select(user_totp.c.confirmed_at).where(
            user_totp.c.tenant_id == tenant_id, user_totp.c.user_id == user_id
        )
    ).one_or_none()
    if row is None:
        return "none"
    return "active" if row.confirmed_at else "pending"


def start_enrolment(
    session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[str, str, list[str]]:
    """A new secret (replacing an unconfirmed one): (secret, QR code SVG, recovery codes)."""
    secret = pyotp.random_base32()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.execute(
        delete(user_totp).where(
            user_totp.c.tenant_id == tenant_id,
            user_totp.c.user_id == user_id,
            user_totp.c.confirmed_at.is_(None),
        )
    )
    session.execute(
        insert(user_totp).values(
            tenant_id=tenant_id,
            user_id=user_id,
            secret=secret,
            confirmed_at=None,
            recovery_hashes=[secret_digest(c) for c in codes],
            last_counter=None,
        )
    )
    name, number = session.execute(
        select(users.c.username, tenants.c.number)
        .join(tenants, tenants.c.id == users.c.tenant_id)
        .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).one()
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"{name}@{number}", issuer_name=ISSUER)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, xmldecl=False)
    return secret, svg.getvalue().decode(), codes


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
    (each once). The first good code confirms an enrolment (audited)."""
    row = session.execute(
        select(user_totp)
        .where(user_totp.c.tenant_id == tenant_id, user_totp.c.user_id == user_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return False
    code = code.strip().replace(" ", "")
    values: dict[str, object] = {}
    counter = _matching_counter(row.secret, code, clock.now().timestamp())
    if counter is not None and (row.last_counter is None or counter > row.last_counter):
        values["last_counter"] = counter
    elif (hashed := secret_digest(code.lower())) in row.recovery_hashes and row.confirmed_at:
        values["recovery_hashes"] = [h for h in row.recovery_hashes if h != hashed]
    else:
        return False
    if row.confirmed_at is None:
        values["confirmed_at"] = clock.now()
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
    session.execute(
        update(user_totp)
        .where(user_totp.c.tenant_id == tenant_id, user_totp.c.user_id == user_id)
        .values(**values)
    )
    return True


def _matching_counter(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for counter in (step - 1, step, step + 1):
        if secrets.compare_digest(totp.at(counter * totp.interval), code):
            return counter
    return None


def reset(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, user_id: uuid.UUID, clock: Clock
) -> None:
    """An Admin/SuperUser removes a user's second factor (lost phone); audited."""
    with db.transaction() as session:
        removed = session.execute(
            delete(user_totp).where(
                user_totp.c.tenant_id == tenant_id, user_totp.c.user_id == user_id
            )
        ).rowcount
        if not removed:
            raise NotFound("the user has no second factor", field="userId")
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
