"""Billing runs (spec/billing-api.md "Billing run"; DESIGN.md "The billing engine"; invariant 3).

``start_run`` records a run and its chunks of contracts in one transaction. ``execute_chunk``
bills one chunk in one transaction: it locks the chunk (skipped when another process holds
it, nothing when it is done) and the chunk's contracts, computes their charges as desired
minus billed, issues the documents through ``issue_documents`` (one block of numbers, bulk
journals, PDFs queued) and writes the billed lines, the per-contract results and the chunk's
counters. A chunk that dies rolls back whole; any process can run it again, and since it
subtracts what is billed, a second run, a retry, a resumed or a concurrent run issues only
what is missing. ``execute_run`` works the open chunks in this process (the CLI, SQLite, the
test clock) and completes the run; workers claim the same chunks in parallel.

A dry run (``preview_run``) is the same calculation in a read-only transaction: it writes
nothing and answers the documents the run would issue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.billing import contracts as chunk_contracts
from beleg.db.billing import groups as groups_db
from beleg.db.billing import runs as runs_db
from beleg.db.billing.runs import Chunk, ChunkOutcome, ContractResult, RunCounters, RunRecord
from beleg.db.database import Database
from beleg.db.outbox import enqueue, enqueue_many
from beleg.domain.audit.chain import AuditAction
from beleg.domain.billing.runs import (
    CHUNK_SIZE,
    PlannedDocument,
    RunStatus,
    chunked,
    plan_documents,
)
from beleg.domain.errors import DomainError, ValidationFailed
from beleg.domain.identity.principal import Actor, system_actor
from beleg.money import round_to_places
from beleg.services.billing.charges import compute
from beleg.services.billing.issuing import issue_planned
from beleg.services.contracts.contracts import business_today

ENTITY = "BillingRun"
CHUNK_TOPIC = "billing.chunk"  # a chunk handed to the workers (jobs/handlers.py)
MAIN_PLACES = 2  # the run's net total, in the main currency (EUR for DE/AT tenants)
Progress = Callable[[RunCounters], None]


def start_run(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    as_of: date,
    billing_group: str | None,
    clock: Clock,
    dated_from: date | None = None,
    scheduled: bool = False,
    dispatch: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> RunRecord:
    """Record a run over the billable contracts (of ``billing_group``) as of ``as_of`` (not
    after the tenant's today), in chunks of about ``chunk_size`` contracts. Charges due before
    ``dated_from`` (default ``as_of``) are dated that day. With ``dispatch`` every chunk is
    also handed to the workers, in the same transaction, as an outbox event (``CHUNK_TOPIC``):
    one task-queue job per chunk on PostgreSQL, which any number of ``beleg worker`` processes
    share; the in-process worker loop on SQLite."""
    with db.transaction() as session:
        _check_run(session, tenant_id, as_of, billing_group, clock)
        billable = runs_db.billable_contracts(session, tenant_id, billing_group)
        chunks = chunked(billable, size=chunk_size)
        run = RunRecord(
            id=uuid.uuid4(),
            status=RunStatus.QUEUED,
            as_of=as_of,
            dated_from=min(dated_from or as_of, as_of),
            billing_group=billing_group,
            scheduled=scheduled,
            dispatched=dispatch,
            contracts_total=sum(len(c) for c in chunks),
            chunks_total=len(chunks),
            created_at=clock.now(),
            started_at=None,
            finished_at=None,
        )
        runs_db.insert_run(session, tenant_id, run, chunks)
        snapshot = {"asOf": as_of.isoformat(), "billingGroup": billing_group}
        change = Change(AuditAction.CREATE, ENTITY, run.id, None, snapshot)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        if dispatch:
            events = [(CHUNK_TOPIC, {"run": str(run.id), "chunk": n}) for n in range(len(chunks))]
            enqueue_many(session, tenant_id=tenant_id, events=events, clock=clock)
        return run


def _check_run(
    session: Session,
    tenant_id: uuid.UUID,
    as_of: date,
    billing_group: str | None,
    clock: Clock,
) -> None:
    today = business_today(session, tenant_id, clock)
    if as_of > today:
        raise ValidationFailed("billing.run_after_today", field="asOf", today=today)
    if (
        billing_group is not None
        and groups_db.find_group(session, tenant_id, billing_group) is None
    ):
        raise ValidationFailed("billing.group_unknown", field="billingGroup", code=billing_group)


def execute_chunk(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    chunk_no: int,
    clock: Clock,
) -> bool:
    """Bill chunk ``chunk_no`` of the run; False when it is done or another process has it.
    A run is marked RUNNING in a short transaction of its own before its first chunk: the
    run's row is never held for a chunk's duration, so processes bill chunks side by side."""
    with db.reader() as session:
        started = runs_db.load_run(session, tenant_id, run_id).started_at is not None
    if not started:
        with db.transaction() as session:
            runs_db.set_status(session, tenant_id, run_id, RunStatus.RUNNING, at=clock.now())
    with db.transaction() as session:
        chunk = runs_db.claim_chunk(session, tenant_id, run_id, chunk_no)
        if chunk is None:
            return False
        run = runs_db.load_run(session, tenant_id, run_id)
        outcome = _bill(
            session, actor=actor, tenant_id=tenant_id, run=run, chunk=chunk, clock=clock
        )
        runs_db.complete_chunk(session, tenant_id, chunk, outcome, at=clock.now())
        return True


def _bill(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    run: RunRecord,
    chunk: Chunk,
    clock: Clock,
) -> ChunkOutcome:
    contracts = chunk_contracts.load_many(session, tenant_id, chunk.contract_ids, lock=True)
    computed = compute(session, tenant_id, contracts, today=run.dated_from, until=run.as_of)
    planned = plan_documents(computed.charges)
    issued = issue_planned(
        session,
        actor=actor,
        tenant_id=tenant_id,
        planned=planned,
        billed=computed.billed,
        run_id=run.id,
        clock=clock,
    )
    failures: dict[uuid.UUID, DomainError] = {**computed.failures, **issued.failures}
    on: dict[uuid.UUID, list[uuid.UUID]] = {c.id: [] for c in contracts}
    net = Decimal(0)
    for document, doc in zip(planned, issued.documents, strict=True):
        if doc is not None:
            net += doc.sign * doc.net * doc.currency_rate
            for contract in dict.fromkeys(document.contracts):
                on[contract].append(doc.id)
    results = [
        ContractResult(c.id, _reason(failures.get(c.id)), tuple(on[c.id])) for c in contracts
    ]
    return ChunkOutcome(
        contracts_done=len(contracts) - len(failures),
        contracts_failed=len(failures),
        documents=sum(1 for d in issued.documents if d is not None),
        net_amount=round_to_places(net, MAIN_PLACES),
        results=results,
    )


def _reason(error: DomainError | None) -> str | None:
    return None if error is None else f"{error.code}: {error}"


def execute_run(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    clock: Clock,
    progress: Progress | None = None,
) -> RunCounters:
    """Work the run's open chunks in this process, then complete it; returns its counters."""
    with db.reader() as session:
        open_chunks = runs_db.open_chunks(session, tenant_id, run_id)
    for chunk_no in open_chunks:
        execute_chunk(
            db=db, actor=actor, tenant_id=tenant_id, run_id=run_id, chunk_no=chunk_no, clock=clock
        )
        if progress is not None:
            progress(run_counters(db=db, tenant_id=tenant_id, run_id=run_id))
    return finish_run(db=db, tenant_id=tenant_id, run_id=run_id, clock=clock)


def work_chunk_event(
    db: Database, tenant_id: uuid.UUID, payload: dict[str, Any], clock: Clock
) -> None:
    """The outbox handler of ``billing.chunk`` (payload ``{"run": id, "chunk": number}``):
    bill the chunk unless it is done or another process has it, then complete the run if it
    was the last. Idempotent: a chunk that is done is not billed again."""
    run_id = uuid.UUID(payload["run"])
    actor = system_actor(tenant_id, "worker")
    execute_chunk(
        db=db, actor=actor, tenant_id=tenant_id, run_id=run_id, chunk_no=payload["chunk"],
        clock=clock,
    )  # fmt: skip
    finish_run(db=db, tenant_id=tenant_id, run_id=run_id, clock=clock)


def finish_run(
    *, db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID, clock: Clock
) -> RunCounters:
    """Complete the run when no chunk is open (``billing_run.completed``); its counters."""
    with db.transaction() as session:
        run = runs_db.load_run(session, tenant_id, run_id, lock=True)
        counters = runs_db.counters(session, tenant_id, run_id)
        if run.status is not RunStatus.COMPLETED and counters.chunks_done == run.chunks_total:
            runs_db.set_status(session, tenant_id, run_id, RunStatus.COMPLETED, at=clock.now())
            payload = {
                "id": str(run_id),
                "asOf": run.as_of.isoformat(),
                "documents": counters.documents,
                "contractsFailed": counters.contracts_failed,
            }
            enqueue(
                session,
                tenant_id=tenant_id,
                topic="billing_run.completed",
                payload=payload,
                clock=clock,
            )
        return counters


def run_counters(*, db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunCounters:
    with db.reader() as session:
        return runs_db.counters(session, tenant_id, run_id)


@dataclass(frozen=True, slots=True)
class DryRun:
    contracts: int
    failures: dict[uuid.UUID, DomainError]
    documents: list[PlannedDocument]


def preview_run(
    *, db: Database, tenant_id: uuid.UUID, as_of: date, billing_group: str | None, clock: Clock
) -> DryRun:
    """The documents a run as of ``as_of`` would issue now; nothing is written."""
    with db.reader() as session:
        _check_run(session, tenant_id, as_of, billing_group, clock)
        documents: list[PlannedDocument] = []
        failures: dict[uuid.UUID, DomainError] = {}
        chunks = chunked(runs_db.billable_contracts(session, tenant_id, billing_group))
        for ids in chunks:
            contracts = chunk_contracts.load_many(session, tenant_id, ids, lock=False)
            computed = compute(session, tenant_id, contracts, today=as_of, until=as_of)
            documents += plan_documents(computed.charges)
            failures.update(computed.failures)
        return DryRun(sum(len(c) for c in chunks), failures, documents)
