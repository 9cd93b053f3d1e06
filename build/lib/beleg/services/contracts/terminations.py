"""Terminations (seed 002): ordinary to the earliest end the terms allow, extraordinary at any
date; revocation while the contract is still terminated; the end a terminated contract reaches
when its last day of service has passed (fired by the clock).

What a termination means in money (a credit for days already billed beyond the new end) is the
billing context's calculation: the API passes it in as ``correction`` (the context map: a lower
context takes a higher one as a parameter). A dry run computes everything and writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contracts as repo
from beleg.db.database import Database
from beleg.domain.contracts.lifecycle import (
    Action,
    TerminationRequest,
    TerminationType,
    after,
    termination_end,
)
from beleg.domain.contracts.records import Contract
from beleg.domain.errors import Conflict
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import business_today, save


@dataclass(frozen=True, slots=True)
class Correction:
    """The credit a termination causes: ``net_amount`` (currency scale), whether it calls
    for a credit note (``would_create``) and whether one was issued (``created``, with
    ``document_id``)."""

    would_create: bool
    net_amount: Decimal
    created: bool = False
    document_id: uuid.UUID | None = None


class CorrectionFor(Protocol):
    """The correction of ``contract`` as terminated, issued as a credit note with ``issue``
    (in the caller's transaction), else only computed."""

    def __call__(
        self,
        session: Session,
        *,
        actor: Actor,
        tenant_id: uuid.UUID,
        contract: Contract,
        today: date,
        issue: bool,
        clock: Clock,
    ) -> Correction: ...


@dataclass(frozen=True, slots=True)
class Termination:
    contract: Contract
    end: date
    correction: Correction
    dry_run: bool


def terminate_contract(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    termination_type: TerminationType,
    last_day: date | None,
    correction: CorrectionFor,
    dry_run: bool = False,
    suppress_correction: bool = False,
    clock: Clock,
) -> Termination:
    """Terminate an ACTIVE contract, notice given today (the tenant's business day). Days
    billed beyond the end are credited at once with a credit note, unless
    ``suppress_correction`` (the next billing run credits them then)."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        status = after(before.status, Action.TERMINATE)
        today = business_today(session, tenant_id, clock)
        asked = TerminationRequest(termination_type, last_day, given_on=today)
        end = termination_end(asked, terms=before.terms, current_end=before.charged_until())
        contract = replace(
            before,
            status=status,
            end=end,
            termination_type=asked.type,
            terminated_on=today,
            updated_at=clock.now(),
        )
        if dry_run:  # nothing is written: the transaction ends empty
            outcome = correction(
                session,
                actor=actor,
                tenant_id=tenant_id,
                contract=contract,
                today=today,
                issue=False,
                clock=clock,
            )
            return Termination(contract, end, outcome, dry_run=True)
        save(
            session,
            before,
            contract,
            "contract.terminated",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        outcome = correction(
            session,
            actor=actor,
            tenant_id=tenant_id,
            contract=contract,
            today=today,
            issue=not suppress_correction,
            clock=clock,
        )
        return Termination(contract, end, outcome, dry_run=False)


def revoke_termination(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, contract_id: uuid.UUID, clock: Clock
) -> Contract:
    """A TERMINATED contract becomes ACTIVE again; a correction already issued for the
    termination stays (the next billing charges the days again)."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        status = after(before.status, Action.REVOKE)
        today = business_today(session, tenant_id, clock)
        if before.end is not None and before.end < today:  # ENDED in all but the clock's tick
            raise Conflict("contracts.already_ended", field="status", end=before.end.isoformat())
        contract = replace(
            before,
            status=status,
            end=None,
            termination_type=None,
            terminated_on=None,
            updated_at=clock.now(),
        )
        save(
            session,
            before,
            contract,
            "contract.termination_revoked",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract


def end_contracts(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, today: date, clock: Clock
) -> list[Contract]:
    """End every TERMINATED contract whose last day of service lies before ``today``, in the
    order of their ends (the test clock's advance and the daily job fire this)."""
    ended = []
    with db.transaction() as session:
        for contract_id in repo.terminated_before(session, tenant_id=tenant_id, day=today):
            before = repo.load(session, tenant_id, contract_id, lock=True)
            status = after(before.status, Action.END)
            contract = replace(before, status=status, updated_at=clock.now())
            save(
                session,
                before,
                contract,
                "contract.ended",
                actor=actor,
                tenant_id=tenant_id,
                clock=clock,
            )
            ended.append(contract)
    return ended
