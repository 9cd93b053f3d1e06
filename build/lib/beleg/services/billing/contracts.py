"""What a contract costs: its prices at a date, the documents the billing run will create for
it up to a date (the preview), and the credit note a termination causes.

The preview is the billing run's own calculation for one contract (``services/billing/
charges.compute`` and ``domain/billing/runs.plan_documents``): desired minus what is billed,
with the usage recorded, the contract's billing group rules applied, in a read-only
transaction. So the preview of a period equals the invoice the run later issues for it, as
long as nothing changes in between (DESIGN.md invariant 5).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contracts as contracts_db
from beleg.db.database import Database
from beleg.domain.billing.contract_schedule import ItemPrice, prices_at
from beleg.domain.billing.documents import DocumentPreview
from beleg.domain.billing.runs import plan_documents
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract, ItemStatus
from beleg.domain.identity.principal import Actor
from beleg.money import Currency, with_scale
from beleg.services.billing.charges import compute
from beleg.services.billing.issuing import issue_planned
from beleg.services.billing.pricing import pricing_of
from beleg.services.contracts.contracts import business_today
from beleg.services.contracts.terminations import Correction


def preview(
    *, db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID, until: date, clock: Clock
) -> list[DocumentPreview]:
    """The documents due for the contract up to ``until`` (none for a cancelled one)."""
    with db.reader() as session:
        contract = contracts_db.load(session, tenant_id, contract_id)
        if contract.status is ContractStatus.CANCELLED:
            return []
        today = business_today(session, tenant_id, clock)
        computed = compute(session, tenant_id, [contract], today=today, until=until)
        if contract.id in computed.failures:
            raise computed.failures[contract.id]
        return [planned.document for planned in plan_documents(computed.charges)]


def prices(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    at: date,
    status: ItemStatus | None,
) -> tuple[Contract, tuple[ItemPrice, ...]]:
    """The prices of the items current on ``at`` (only those in ``status``, if given)."""
    with db.transaction() as session:
        contract = contracts_db.load(session, tenant_id, contract_id)
        found = prices_at(contract, pricing_of(session, tenant_id, contract), at)
        return contract, tuple(p for p in found if status is None or p.item.status is status)


def termination_correction(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract: Contract,
    today: date,
    issue: bool,
    clock: Clock,
) -> Correction:
    """The credit for days billed beyond the terminated contract's end, issued as a credit
    note dated today with ``issue`` (its errors fail the termination)."""
    horizon = max(today, contract.end or today)
    computed = compute(session, tenant_id, [contract], today=today, until=horizon)
    if contract.id in computed.failures:
        raise computed.failures[contract.id]
    credits = [
        replace(charges, charges=tuple(c for c in charges.charges if c.credit))
        for charges in computed.charges
    ]
    places = Currency.of(contract.frame.currency).minor_units
    amount = with_scale(
        sum((c.net_amount for cc in credits for c in cc.charges), Decimal(0)), places
    )
    would_create = amount > 0
    if not (issue and would_create):
        return Correction(would_create=would_create, net_amount=amount)
    planned = plan_documents(credits)
    issued = issue_planned(
        session,
        actor=actor,
        tenant_id=tenant_id,
        planned=planned,
        billed=computed.billed,
        run_id=None,
        clock=clock,
    )
    if issued.failures:
        raise next(iter(issued.failures.values()))
    document = next(d for d in issued.documents if d is not None)
    return Correction(True, amount, created=True, document_id=document.id)
