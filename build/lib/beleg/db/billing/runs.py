"""Billing runs, their chunks and per-contract results, scoped to one tenant, in the caller's
transaction. A chunk is claimed by locking its row (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL: a chunk another process works on is skipped, not waited for)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import billing_run_chunks, billing_run_results, billing_runs, contracts
from beleg.domain.billing.runs import RunStatus
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.errors import NotFound

R = billing_runs.c
K = billing_run_chunks.c
BILLABLE = (ContractStatus.ACTIVE, ContractStatus.TERMINATED, ContractStatus.ENDED)


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: uuid.UUID
    status: RunStatus
    as_of: date
    dated_from: date
    billing_group: str | None
    scheduled: bool
    contracts_total: int
    chunks_total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    dispatched: bool = False  # its chunks are task-queue jobs


@dataclass(frozen=True, slots=True)
class Chunk:
    run_id: uuid.UUID
    chunk_no: int
    contract_ids: tuple[uuid.UUID, ...]
    done: bool


@dataclass(frozen=True, slots=True)
class ChunkOutcome:
    """What a chunk did: counters for the run, and a result row per contract."""

    contracts_done: int
    contracts_failed: int
    documents: int
    net_amount: Decimal
    results: Sequence[ContractResult]


@dataclass(frozen=True, slots=True)
class ContractResult:
    contract_id: uuid.UUID
    reason: str | None  # None: billed (or nothing due); else why it failed
    documents: tuple[uuid.UUID, ...]


def billable_contracts(
    session: Session, tenant_id: uuid.UUID, billing_group: str | None
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(customer id, contract id) of every contract a run bills: active, terminated or ended
    (an ended contract may still owe late usage), of ``billing_group`` when given."""
    C = contracts.c
    query = select(C.customer_id, C.id).where(
        C.tenant_id == tenant_id, C.status.in_([s.value for s in BILLABLE])
    )
    if billing_group is not None:
        query = query.where(C.billing_group == billing_group)
    return [(row.customer_id, row.id) for row in session.execute(query)]


def insert_run(
    session: Session, tenant_id: uuid.UUID, run: RunRecord, chunks: Sequence[Sequence[uuid.UUID]]
) -> None:
    values = {k: getattr(run, k) for k in RunRecord.__dataclass_fields__}
    values["status"] = run.status.value
    session.execute(insert(billing_runs).values(tenant_id=tenant_id, **values))
    if chunks:
        session.execute(
            insert(billing_run_chunks),
            [
                {
                    "tenant_id": tenant_id,
                    "run_id": run.id,
                    "chunk_no": number,
                    "contract_ids": [str(i) for i in ids],
                    "done": False,
                    "contracts_done": 0,
                    "contracts_failed": 0,
                    "documents": 0,
                    "net_amount": Decimal(0),
                }
                for number, ids in enumerate(chunks)
            ],
        )


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id,
        status=RunStatus(row.status),
        as_of=row.as_of,
        dated_from=row.dated_from,
        billing_group=row.billing_group,
        scheduled=row.scheduled,
        dispatched=row.dispatched,
        contracts_total=row.contracts_total,
        chunks_total=row.chunks_total,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def load_run(
    session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID, *, lock: bool = False
) -> RunRecord:
    query = select(billing_runs).where(R.tenant_id == tenant_id, R.id == run_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("billing.run_not_found", field="id", id=run_id)
    return _run(row)


def unfinished_runs(session: Session, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    """Runs worked in-process that are not yet completed, oldest first (a killed run waits
    here to be resumed); a dispatched run's chunks are jobs, which the task queue retries."""
    rows = session.execute(
        select(R.id)
        .where(
            R.tenant_id == tenant_id,
            R.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
            R.dispatched.is_(False),
        )
        .order_by(R.created_at)
    )
    return [row.id for row in rows]


def set_status(
    session: Session,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    status: RunStatus,
    *,
    at: datetime,
) -> None:
    values: dict[str, Any] = {"status": status.value}
    values["started_at" if status is RunStatus.RUNNING else "finished_at"] = at
    query = update(billing_runs).where(R.tenant_id == tenant_id, R.id == run_id)
    if status is RunStatus.RUNNING:
        query = query.where(R.started_at.is_(None))
    session.execute(query.values(**values))


def open_chunks(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID) -> list[int]:
    rows = session.execute(
        select(K.chunk_no)
        .where(K.tenant_id == tenant_id, K.run_id == run_id, K.done.is_(False))
        .order_by(K.chunk_no)
    )
    return [row.chunk_no for row in rows]


def claim_chunk(
    session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID, chunk_no: int
) -> Chunk | None:
    """The chunk, its row locked until commit, or None when it is done or another process
    holds it."""
    row = session.execute(
        select(billing_run_chunks)
        .where(K.tenant_id == tenant_id, K.run_id == run_id, K.chunk_no == chunk_no)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if row is None or row.done:
        return None
    ids = tuple(uuid.UUID(i) for i in row.contract_ids)
    return Chunk(run_id, chunk_no, ids, row.done)


def complete_chunk(
    session: Session, tenant_id: uuid.UUID, chunk: Chunk, outcome: ChunkOutcome, *, at: datetime
) -> None:
    """Mark the chunk done with its counters and write its contracts' results."""
    session.execute(
        update(billing_run_chunks)
        .where(K.tenant_id == tenant_id, K.run_id == chunk.run_id, K.chunk_no == chunk.chunk_no)
        .values(
            done=True,
            contracts_done=outcome.contracts_done,
            contracts_failed=outcome.contracts_failed,
            documents=outcome.documents,
            net_amount=outcome.net_amount,
            finished_at=at,
        )
    )
    insert_rows(
        session,
        billing_run_results,
        [
            {
                "tenant_id": tenant_id,
                "run_id": chunk.run_id,
                "contract_id": r.contract_id,
                "chunk_no": chunk.chunk_no,
                "failed": r.reason is not None,
                "reason": r.reason,
                "documents": [str(d) for d in r.documents],
            }
            for r in outcome.results
        ],
    )


@dataclass(frozen=True, slots=True)
class RunCounters:
    chunks_done: int
    contracts_done: int
    contracts_failed: int
    documents: int
    net_amount: Decimal


def counters(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunCounters:
    row = session.execute(
        select(
            func.count().filter(K.done.is_(True)),
            func.coalesce(func.sum(K.contracts_done), 0),
            func.coalesce(func.sum(K.contracts_failed), 0),
            func.coalesce(func.sum(K.documents), 0),
            type_coerce(func.coalesce(func.sum(K.net_amount), 0), K.net_amount.type),
        ).where(K.tenant_id == tenant_id, K.run_id == run_id)
    ).one()
    return RunCounters(int(row[0]), int(row[1]), int(row[2]), int(row[3]), row[4])
