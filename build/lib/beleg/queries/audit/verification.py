"""Verifying a tenant's audit chain (``beleg audit verify``, ``/v2/audit-trail/verification``):
every hash recomputed, the end compared with the head (docs/decisions/0003)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.tables import audit_entries, audit_heads
from beleg.domain.audit.chain import ChainBreak, verify_chain
from beleg.domain.errors import NotFound

VERIFY_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class VerificationResult:
    tenant_id: uuid.UUID
    entries: int
    breaks: list[ChainBreak]

    @property
    def intact(self) -> bool:
        return not self.breaks


def _hashable(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    values["tenant_id"] = str(values["tenant_id"])
    values["occurred_at"] = values["occurred_at"].isoformat()
    return values


def verify_tenant_chain(*, db: Database, tenant_id: uuid.UUID) -> VerificationResult:
    """Recompute the chain of one tenant and report every break (read-only)."""
    with db.reader() as session:
        head = session.execute(
            select(audit_heads.c.seq, audit_heads.c.hash).where(
                audit_heads.c.tenant_id == tenant_id
            )
        ).one_or_none()
        if head is None:
            raise NotFound("audit.no_trail", field="tenant", tenant=tenant_id)
        rows = session.execute(
            select(audit_entries)
            .where(audit_entries.c.tenant_id == tenant_id)
            .order_by(audit_entries.c.seq)
            .execution_options(yield_per=VERIFY_BATCH)
        )
        entries = (_hashable(row) for row in rows)
        counted = _Counter(entries)
        breaks = verify_chain(counted, head_seq=head.seq, head_hash=head.hash)
        return VerificationResult(tenant_id=tenant_id, entries=counted.count, breaks=breaks)


class _Counter:
    """Counts the entries that flow through to the verifier without holding them."""

    def __init__(self, inner: Iterable[dict[str, Any]]) -> None:
        self.inner, self.count = inner, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self.inner:
            self.count += 1
            yield item
