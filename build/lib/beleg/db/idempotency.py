"""Idempotency-Key records for POST requests (invariant 7).

A POST with a key runs in one transaction together with its outcome: the route
(``api/routing.py``) opens the request's unit of work (``db/database.py``), claims the key in it
(``claim_key``), runs the endpoint, whose services join the unit as savepoints, stores the
response in the same unit (``store_response``, a DONE row) and commits once. The business change
and the stored response therefore commit together or not at all: after a crash at any point a
retry with the same key either finds the stored response and replays it, or finds nothing and
runs the request, of which nothing was kept. The same key with another request is refused (422).

The claim is held by the unit's transaction, not by a row, so a crash releases it with the
connection and a retry never waits for a lease: on PostgreSQL a transaction-scoped advisory
lock on the key (``pg_try_advisory_xact_lock``), which a concurrent duplicate fails to take
(409); on SQLite the single writer that the unit holds from its first statement (``BEGIN
IMMEDIATE``), for which a duplicate waits and then finds the stored response. A failed request
(an exception or a server error) rolls the unit back: nothing of it is kept, not even the claim.
Rows are written DONE only; a PENDING row (written before claims were transactional) counts as
running until its ``locked_until`` and is taken over after it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.tables import idempotency_records as records


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
    session: Session,
    *,
    tenant_id: uuid.UUID,
    principal: str,
    key: str,
    fingerprint: str,
    clock: Clock,
) -> ClaimResult:
    """Claim the key for this request in the unit's transaction, or say why not."""
    if not _lock_key(session, tenant_id, principal, key):
        return ClaimResult(Claim.IN_PROGRESS)
    now = clock.now()
    # Forget this principal's expired keys, so the table stays bounded by the TTL window.
    session.execute(
        delete(records).where(
            records.c.tenant_id == tenant_id,
            records.c.principal == principal,
            records.c.expires_at <= now,
        )
    )
    row = session.execute(select(records).where(_where(tenant_id, principal, key))).one_or_none()
    if row is None:
        return ClaimResult(Claim.NEW)
    if row.request_hash != fingerprint:
        return ClaimResult(Claim.MISMATCH)
    if row.state == "DONE":
        return ClaimResult(
            Claim.REPLAY, StoredResponse(row.status_code, row.headers or {}, row.body or b"")
        )
    if row.locked_until > now:
        return ClaimResult(Claim.IN_PROGRESS)
    session.execute(delete(records).where(_where(tenant_id, principal, key)))  # taken over
    return ClaimResult(Claim.NEW)


def _lock_key(session: Session, tenant_id: uuid.UUID, principal: str, key: str) -> bool:
    """Take the key for the rest of the transaction; False if another transaction holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: the transaction holds the single writer (BEGIN IMMEDIATE)
    digest = hashlib.sha256(f"idempotency\0{tenant_id}\0{principal}\0{key}".encode()).digest()
    lock = int.from_bytes(digest[:8], "big", signed=True)
    return bool(session.execute(select(func.pg_try_advisory_xact_lock(lock))).scalar_one())


def store_response(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    principal: str,
    key: str,
    fingerprint: str,
    response: StoredResponse,
    clock: Clock,
    ttl: timedelta,
) -> None:
    """Keep the finished response for replay, in the transaction of the request's change."""
    now = clock.now()
    session.execute(
        insert(records).values(
            tenant_id=tenant_id,
            principal=principal,
            key=key,
            request_hash=fingerprint,
            state="DONE",
            status_code=response.status_code,
            headers=response.headers,
            body=response.body,
            created_at=now,
            locked_until=now,
            expires_at=now + ttl,
        )
    )
