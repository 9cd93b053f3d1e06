"""The charges of many contracts at once, as a billing run and the preview compute them: the
contracts' schedules (one pricing read for all their plans), what is billed already and the
usage of their usage windows, each read once for the whole batch. Nothing here writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.db import Session
from beleg.db.billing import billed as billed_db
from beleg.db.billing import groups as groups_db
from beleg.domain.billing.charges import Charge, due_charges
from beleg.domain.billing.contract_schedule import schedule_for
from beleg.domain.billing.groups import GroupRules, rules_of
from beleg.domain.billing.runs import ContractCharges
from beleg.domain.billing.schedule import BilledLine, Schedule
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract
from beleg.domain.errors import DomainError
from beleg.services.billing.pricing import pricing_for
from beleg.services.billing.usage import usage_of

UsageByWindow = Mapping[tuple[str, date], Decimal]


@dataclass(frozen=True, slots=True)
class Computed:
    """The chunk's charges per contract, the contracts that failed with their error, and
    what each contract had billed before (for the revisions of its new lines)."""

    charges: list[ContractCharges]
    failures: dict[uuid.UUID, DomainError]
    billed: Mapping[uuid.UUID, Sequence[BilledLine]]


def compute(
    session: Session,
    tenant_id: uuid.UUID,
    contracts: Sequence[Contract],
    *,
    today: date,
    until: date,
) -> Computed:
    """Every contract's charges due by ``until``, dated no earlier than ``today``. A contract
    whose charges cannot be computed (a plan item without a price, say) fails alone."""
    pricing = pricing_for(session, tenant_id, {i.plan for c in contracts for i in c.items})
    groups = groups_db.groups_by_code(
        session, tenant_id, {c.billing_group for c in contracts if c.billing_group}
    )
    billed = billed_db.billed_for(session, tenant_id, [c.id for c in contracts])
    schedules: dict[uuid.UUID, Schedule] = {}
    failures: dict[uuid.UUID, DomainError] = {}
    for contract in contracts:
        try:
            schedules[contract.id] = schedule_for(contract, pricing)
        except DomainError as error:
            failures[contract.id] = error
    usage = usage_of(session, tenant_id, schedules, until=until)
    result = []
    for contract in contracts:
        schedule = schedules.get(contract.id)
        if schedule is None:
            continue
        try:
            charges = due_charges(
                schedule,
                billed=billed.get(contract.id, ()),
                usage=usage.get(contract.id, {}),
                today=today,
                until=until,
            )
        except DomainError as error:
            failures[contract.id] = error
            continue
        rules = rules_of(groups.get(contract.billing_group or ""))
        result.append(_of(contract, schedule, charges, rules, until))
    return Computed(result, failures, billed)


def _of(
    contract: Contract,
    schedule: Schedule,
    charges: Sequence[Charge],
    rules: GroupRules,
    until: date,
) -> ContractCharges:
    return ContractCharges(
        contract_id=contract.id,
        customer_id=contract.customer_id,
        currency=schedule.currency,
        billing_group=contract.billing_group,
        rules=rules,
        charges=tuple(charges),
        open_ended=_open_ended(contract, schedule, until),
    )


def _open_ended(contract: Contract, schedule: Schedule, until: date) -> bool:
    """Whether the contract still has a billing period from ``until`` on."""
    if contract.status is ContractStatus.ENDED:
        return False
    return schedule.end is None or schedule.end >= until
