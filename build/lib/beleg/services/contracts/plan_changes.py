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
from beleg.domain.catalog.options import OptionKind
from beleg.domain.contracts import items as rules
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract, ContractItem
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import business_today, frame_of, save

ONE_DAY = timedelta(days=1)
ONE_TIME = OptionKind.ONE_TIME


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
            affected, added = _small(change, running)
            contract = before
        else:
            contract, added = _large(session, tenant_id, before, change, running)
            affected = list(running)
        items = _ordered(
            [
                *(i for i in before.items if i not in affected),
                *(
                    replace(i, served_to=change.date - ONE_DAY)
                    for i in affected
                    if i.served_from < change.date
                ),
                *added,
            ]
        )
        contract = replace(contract, items=items, updated_at=clock.now())
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
    change: PlanChange, running: tuple[ContractItem, ...]
) -> tuple[list[ContractItem], list[ContractItem]]:
    """Other quantities of running items from ``change.date``: each item's version on that
    day ends the day before, the new version runs until the old one would have (a later
    scheduled change stays). Returns (the replaced versions, the new versions)."""
    if not change.items:
        raise ValidationFailed("contracts.change_without_items", field="items")
    current = {item.option: item for item in running if item.current_on(change.date)}
    affected, added, seen = [], [], set()
    for index, given in enumerate(change.items):
        at = f"items[{index}]"
        item = current.get(given.option)
        if item is None:
            raise ValidationFailed(
                "contracts.item_not_in_contract", field=f"{at}.option", option=given.option
            )
        if given.option in seen:
            raise ValidationFailed(
                "contracts.item_twice", field=f"{at}.option", option=given.option
            )
        seen.add(given.option)
        quantity = item.quantity if given.quantity is None else given.quantity
        quantity = rules.check_quantity(quantity, f"{at}.quantity")
        affected.append(item)
        added.append(replace(item, id=uuid.uuid4(), quantity=quantity, served_from=change.date))
    return affected, added


def _large(
    session: Session,
    tenant_id: uuid.UUID,
    contract: Contract,
    change: PlanChange,
    running: tuple[ContractItem, ...],
) -> tuple[Contract, list[ContractItem]]:
    """Another plan from ``change.date``: its items (one-time ones only when given, a setup
    fee is not charged again), its frame data except the trial, which ran from the start."""
    code = change.plan or contract.plan_code
    plan = rules.usable_plan(
        plans_db.find_plan(session, tenant_id=tenant_id, code=code, shared=True), code
    )
    frame = replace(frame_of(plan), trial=contract.frame.trial)
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
    given = change.items
    if given is None:
        given = [rules.ItemInput(option=i.option) for i in plan.items if i.kind is not ONE_TIME]
    added = [
        _carried(item, running, change)
        for item in rules.build_items(plan, given, served_from=change.date)
    ]
    group = (
        contract.pricing_group
        if contract.pricing_group in {g.code for g in plan.pricing_groups}
        else None
    )
    changed = replace(contract, plan_code=plan.code, frame=frame, pricing_group=group)
    return changed, added


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
