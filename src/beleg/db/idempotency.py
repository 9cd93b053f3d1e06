"""Idempotency-Key handling for POST requests (invariant 7).

A request first claims (tenant, principal, key) with a PENDING row in its own short transaction;
the unique primary key makes a concurrent duplicate fail fast (409). When the handler finishes,
its response is stored (DONE) and replayed for the same key and body; the same key with another
body is refused (422). A server error releases the claim so the client can retry. A claim whose
process died is taken over after ``locked_until``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.tables import idempotency_records as records

LOCK_SECONDS = 60


class Claim(StrEnum):
    NEW = "NEW"  # this request runs the operation
    REPLAY = "REPLAY"  # a stored response exists for the same body
    MISMATCH = "MISMATCH"  # the key was used with a different request
    IN_PROGRESS = "IN_PROGRESS"  # another request with this key is running


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim: Claim
    stored: StoredResponse | None = None


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 over method, path, query string and body: "the same request"."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _where(tenant_id: uuid.UUID, principal: str, key: str) -> Any:
    return (
        (records.c.tenant_id == tenant_id)
        & (records.c.principal == principal)
        & (records.c.key == key)
    )


def claim_key(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    principal: str,
    key: str,
    fingerprint: str,
    clock: Clock,
    ttl: timedelta,
) -> ClaimResult:
    """Claim the key for this request, or say why not."""
    now = clock.now()
    with db.transaction() as session:
        # Forget this principal's expired keys, so the table stays bounded by the TTL window.
        session.execute(
            delete(records).where(
                records.c.tenant_id == tenant_id,
                records.c.principal == principal,
                records.c.expires_at <= now,
            )
        )
        row = session.execute(
            select(records).where(_where(tenant_id, principal, key)).with_for_update()
        ).one_or_none()
        if row is None:
            return _insert_claim(
                session,
                tenant_id=tenant_id,
                principal=principal,
                key=key,
                fingerprint=fingerprint,
                now=now,
                ttl=ttl,
            )
        if row.request_hash != fingerprint:
            return ClaimResult(Claim.MISMATCH)
        if row.state == "DONE":
            return ClaimResult(
                Claim.REPLAY, StoredResponse(row.status_code, row.headers or {}, row.body or b"")
            )
        if row.locked_until > now:
            return ClaimResult(Claim.IN_PROGRESS)
        session.execute(
            update(records)
            .where(_where(tenant_id, principal, key))
            .values(locked_until=now + timedelta(seconds=LOCK_SECONDS))
        )
        return ClaimResult(Claim.NEW)


def _insert_claim(
    session: Any,
    *,
    tenant_id: uuid.UUID,
    principal: str,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> ClaimResult:
    try:
        with session.begin_nested():
            session.execute(
                insert(records).values(
                    tenant_id=tenant_id,
                    principal=principal,
                    key=key,
                    request_hash=fingerprint,
                    state="PENDING",
                    created_at=now,
                    locked_until=now + timedelta(seconds=LOCK_SECONDS),
                    expires_at=now + ttl,
                )
            )
    except IntegrityError:
        return ClaimResult(Claim.IN_PROGRESS)
    return ClaimResult(Claim.NEW)


def store_response(
    *, db: Database, tenant_id: uuid.UUID, principal: str, key: str, response: StoredResponse
) -> None:
    """Keep the finished response for replay."""
    with db.transaction() as session:
        session.execute(
            update(records)
            .where(_where(tenant_id, principal, key))
            .values(
                state="DONE",
                status_code=response.status_code,
                headers=response.headers,
                body=response.body,
            )
        )


def release_key(*, db: Database, tenant_id: uuid.UUID, principal: str, key: str) -> None:
    """Forget a claim whose request failed with a server error, so a retry can run."""
    with db.transaction() as session:
        session.execute(delete(records).where(_where(tenant_id, principal, key)))
