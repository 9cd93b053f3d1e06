"""Plan changes at a date (seed 001): the item versions running on ``date`` end the day before
and new versions start on it; what was billed is never rewritten, so the next billing credits
the old terms and charges the new ones to the day (proration).

- **small** change (no plan, or the contract's plan): other quantities of the same items;
- **large** change (another plan): the new plan's items and frame data. Special prices carry
  over only to an item of exactly the same option (item number, seed 002) and only when asked
  (``carryOverSpecialPrices``); discounts likewise (``carryOverDiscounts``).

The new plan must have the contract's currency, billing interval and timing: a change of the
billing grid would re-cut periods that are already billed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contracts as repo
from beleg.db import plans as plans_db
from beleg.db.database import Database
from beleg.domain.contracts import items as rules
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract, ContractItem
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import business_today, frame_of, save

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlanChange:
    date: date
    plan: str | None = None
    items: Sequence[rules.ItemInput] | None = None
    carry_over_special_prices: bool = False
    carry_over_discounts: bool = False


def change_plan(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    change: PlanChange,
    clock: Clock,
) -> Contract:
    """Apply ``change`` from ``change.date`` (today or later, within the contract's service)."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        _check_date(session, tenant_id, before, change.date, clock)
        running = before.items_on(change.date) + tuple(
            i for i in before.items if i.served_from > change.date
        )
        if change.plan is None or change.plan == before.plan_code:
            contract, replaced, added = _small(before, change, running)
        else:
            contract, replaced, added = _large(session, tenant_id, before, change, running)
        contract = replace(contract, updated_at=clock.now())
        affected = [item for item in running if item.option in replaced]
        _replace_versions(
            session,
            tenant_id,
            contract_id=before.id,
            affected=affected,
            added=added,
            day=change.date,
            clock=clock,
        )
        save(
            session,
            before,
            contract,
            "contract.plan_changed",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract


def _check_date(
    session: Session, tenant_id: uuid.UUID, contract: Contract, day: date, clock: Clock
) -> None:
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.ACTIVE):
        raise Conflict("contracts.not_changeable", field="status", status=contract.status.value)
    today = business_today(session, tenant_id, clock)
    if day < max(today, contract.start):
        raise ValidationFailed(
            "contracts.change_in_past",
            field="date",
            earliest=max(today, contract.start).isoformat(),
        )
    end = contract.charged_until()
    if end is not None and day > end:
        raise ValidationFailed("contracts.date_after_end", field="date", end=end.isoformat())


def _small(
    contract: Contract, change: PlanChange, running: tuple[ContractItem, ...]
) -> tuple[Contract, set[str], list[ContractItem]]:
    if not change.items:
        raise ValidationFailed("contracts.change_without_items", field="items")
    by_option = {item.option: item for item in running if item.served_from <= change.date}
    added = []
    for index, given in enumerate(change.items):
        current = by_option.get(given.option)
        if current is None:
            raise ValidationFailed(
                "contracts.item_not_in_contract",
                field=f"items[{index}].option",
                option=given.option,
            )
        quantity = rules.check_quantity(
            given.quantity if given.quantity is not None else current.quantity,
            f"items[{index}].quantity",
        )
        added.append(
            replace(
                current, id=uuid.uuid4(), quantity=quantity, served_from=change.date, served_to=None
            )
        )
    changed = {item.option for item in added}
    kept = [i for i in contract.items if not (i in running and i.option in changed)]
    items = _ordered([*kept, *_ended(running, changed, change.date), *added])
    return replace(contract, items=items), changed, added


def _large(
    session: Session,
    tenant_id: uuid.UUID,
    contract: Contract,
    change: PlanChange,
    running: tuple[ContractItem, ...],
) -> tuple[Contract, set[str], list[ContractItem]]:
    code = change.plan or contract.plan_code
    plan = rules.usable_plan(plans_db.find_plan(session, tenant_id=tenant_id, code=code), code)
    frame = frame_of(plan)
    if frame.currency != contract.frame.currency:
        raise ValidationFailed(
            "contracts.plan_currency_differs",
            field="plan",
            plan=plan.code,
            currency=frame.currency,
            contract_currency=contract.frame.currency,
        )
    if (frame.interval, frame.billing_timing) != (
        contract.frame.interval,
        contract.frame.billing_timing,
    ):
        raise ValidationFailed("contracts.plan_grid_differs", field="plan", plan=plan.code)
    added = [
        _carried(item, running, change)
        for item in rules.build_items(plan, change.items, served_from=change.date)
    ]
    every = {item.option for item in running}
    kept = [i for i in contract.items if i not in running]
    group = (
        contract.pricing_group
        if contract.pricing_group in {g.code for g in plan.pricing_groups}
        else None
    )
    items = _ordered([*kept, *_ended(running, every, change.date), *added])
    changed = replace(contract, plan_code=plan.code, frame=frame, items=items, pricing_group=group)
    return changed, every, added


def _carried(
    item: ContractItem, running: tuple[ContractItem, ...], change: PlanChange
) -> ContractItem:
    """Special price and discount of the running item of exactly the same option, if asked."""
    same = next((i for i in running if i.option == item.option), None)
    if same is None:
        return item
    if change.carry_over_special_prices and item.special_price is None:
        item = replace(item, special_price=same.special_price)
    if change.carry_over_discounts and item.discount_percent == 0:
        item = replace(item, discount_percent=same.discount_percent)
    return item


def _ended(running: tuple[ContractItem, ...], options: set[str], day: date) -> list[ContractItem]:
    """The running versions of ``options`` ended on the eve of ``day`` (those that would
    start later never serve and are dropped)."""
    return [
        replace(item, served_to=day - ONE_DAY)
        for item in running
        if item.option in options and item.served_from < day
    ]


def _ordered(items: list[ContractItem]) -> tuple[ContractItem, ...]:
    return tuple(sorted(items, key=lambda i: (i.served_from, i.option)))


def _replace_versions(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    contract_id: uuid.UUID,
    affected: list[ContractItem],
    added: list[ContractItem],
    day: date,
    clock: Clock,
) -> None:
    """End the affected versions on the eve of ``day``, drop those that would start on or
    after it, and insert the new versions."""
    repo.end_items(
        session,
        tenant_id=tenant_id,
        item_ids=[i.id for i in affected if i.served_from < day],
        served_to=day - ONE_DAY,
    )
    repo.delete_items(
        session, tenant_id=tenant_id, item_ids=[i.id for i in affected if i.served_from >= day]
    )
    repo.insert_items(
        session, tenant_id=tenant_id, contract_id=contract_id, items=added, now=clock.now()
    )
