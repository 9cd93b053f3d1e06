"""Plans of the billing catalogue (spec/billing-api.md, "Plan"; ADR 0013): create, change,
cancel and delete them. Every change is audited (seed 001) and announced in the outbox
(``plan.created``, ``plan.updated``, ``plan.cancelled``, ``plan.deleted``); each use case is
one transaction, and bad input writes nothing.

Price versions. The first price of an item applies from the start (``validFrom`` 1900-01-01,
the first business date) unless ``validFrom`` is given. A later price (a PATCH that gives an
item's ``price``) always adds a version, effective from ``validFrom`` or, without it, from today
by the tenant's clock (its test clock if it runs on one); older versions stay. A version that
starts on the same day is replaced, and a price equal to the one in force that day adds
nothing, so a PATCH sent twice changes the plan once. An item given without ``price`` keeps its
versions.

A cancelled plan can't be changed (409; cancelling it again changes nothing); it is kept, so
that contracts can name it, but no new contract may use it. Deleting is allowed for every plan
for now: once contracts exist, deleting a plan a contract uses will be a 409.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from beleg.clock import Clock, today_in
from beleg.db import Session
from beleg.db import plans as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.outbox import enqueue
from beleg.db.tenancy import business_clock, tenant_timezone
from beleg.domain.audit.chain import AuditAction
from beleg.domain.catalog.intervals import Interval
from beleg.domain.catalog.items import check_currency
from beleg.domain.catalog.options import choice
from beleg.domain.catalog.plans import (
    BILLING_UNITS,
    NOTICE_UNITS,
    TERM_UNITS,
    BillingTiming,
    IntervalInput,
    ItemInput,
    ItemPrice,
    PhaseInput,
    Plan,
    PlanItem,
    PlanStatus,
    PlanTerms,
    PricingGroup,
    check_plan_text,
    interval,
    item_model,
    item_quantities,
    phases,
    pricing_groups,
    with_price,
)
from beleg.domain.dates import EARLIEST, check_date
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "Plan"
NO_NOTICE = IntervalInput("DAY", 0)


@dataclass(frozen=True, slots=True)
class PlanInput:
    """A plan as a client sends it. Terms left out: the minimum and renewal terms are the
    billing interval, the notice period is none (0 days)."""

    code: str
    name: str
    currency: str
    billing_interval: IntervalInput
    billing_timing: str = BillingTiming.IN_ADVANCE.value
    minimum_term: IntervalInput | None = None
    renewal_term: IntervalInput | None = None
    notice_period: IntervalInput | None = None
    phases: Sequence[PhaseInput] = ()
    pricing_groups: Sequence[PricingGroup] = ()
    items: Sequence[ItemInput] = ()


def create_plan(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: PlanInput, clock: Clock
) -> Plan:
    """A new plan (ACTIVE); a code the tenant already has is a 409 naming ``code``."""
    with db.transaction() as session:
        if repo.plan_code_taken(session, tenant_id=tenant_id, code=data.code):
            raise Conflict("catalog.plan_exists", field="code", code=data.code)
        now = clock.now()
        plan = _build(session, tenant_id, data, current=None, now=now, clock=clock)
        repo.insert_plan(session, tenant_id=tenant_id, plan=plan)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            before=None,
            after=plan,
            clock=clock,
        )
        return plan


def update_plan(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    changes: Mapping[str, Any],
    clock: Clock,
) -> Plan:
    """Change the fields named in ``changes`` (PlanInput's fields but ``code``); ``items``
    replaces the plan's items (see the module's rule on price versions)."""
    with db.transaction() as session:
        before = _active(session, tenant_id, code)
        given = dataclasses.replace(_input(before), **changes)
        after = _build(session, tenant_id, given, current=before, now=clock.now(), clock=clock)
        if repo.plan_snapshot(after) == repo.plan_snapshot(before):
            return before
        _keep_items_in_use(session, tenant_id, before, after)
        repo.update_plan(session, tenant_id=tenant_id, plan=after)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            before=before,
            after=after,
            clock=clock,
        )
        return after


def cancel_plan(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, code: str, clock: Clock
) -> Plan:
    """ACTIVE → CANCELLED: the plan stays for its contracts but is no longer sold. A plan
    already cancelled is returned as it is (a retried cancel changes nothing)."""
    with db.transaction() as session:
        before = find(session, tenant_id, code, lock=True)
        if before.status is PlanStatus.CANCELLED:
            return before
        after = dataclasses.replace(before, status=PlanStatus.CANCELLED, updated_at=clock.now())
        repo.update_plan(session, tenant_id=tenant_id, plan=after)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CANCEL,
            before=before,
            after=after,
            clock=clock,
        )
        return after


def delete_plan(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, code: str, clock: Clock
) -> Plan:
    """Delete a plan with its items and price versions, unless a contract uses it (409)."""
    with db.transaction() as session:
        before = find(session, tenant_id, code, lock=True)
        repo.delete_plan(session, tenant_id=tenant_id, plan=before)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            before=before,
            after=None,
            clock=clock,
        )
        return before


def find(session: Session, tenant_id: uuid.UUID, code: str, *, lock: bool = False) -> Plan:
    found = repo.find_plan(session, tenant_id=tenant_id, code=code, lock=lock)
    if found is None:
        raise NotFound("catalog.plan_not_found", field="code", code=code)
    return found


def _active(session: Session, tenant_id: uuid.UUID, code: str) -> Plan:
    plan = find(session, tenant_id, code, lock=True)
    if plan.status is PlanStatus.CANCELLED:
        raise Conflict("catalog.plan_cancelled", field="status", code=code)
    return plan


def _build(
    session: Session,
    tenant_id: uuid.UUID,
    given: PlanInput,
    *,
    current: Plan | None,
    now: datetime,
    clock: Clock,
) -> Plan:
    """The plan ``given`` describes, every rule checked (a 400 naming the field)."""
    check_plan_text(given.code, given.name)
    currency = check_currency(given.currency)
    terms = _terms(given)
    checked_phases = phases(given.phases)
    today = today_in(
        business_clock(session, tenant_id=tenant_id, system=clock),
        tenant_timezone(session, tenant_id),
    )
    items = _items(session, tenant_id, given.items, current=current, today=today)
    return Plan(
        id=current.id if current is not None else uuid.uuid4(),
        code=given.code,
        name=given.name,
        currency=currency,
        terms=terms,
        phases=checked_phases,
        pricing_groups=pricing_groups(given.pricing_groups, items),
        items=items,
        status=PlanStatus.ACTIVE,
        created_at=current.created_at if current is not None else now,
        updated_at=now,
    )


def _keep_items_in_use(session: Session, tenant_id: uuid.UUID, before: Plan, after: Plan) -> None:
    """A 409 naming ``items`` if an item removed from the plan is held by a contract item
    version the plan prices: its charges and preview would no longer find their price."""
    kept = {item.option_id for item in after.items}
    removed = [item.option for item in before.items if item.option_id not in kept]
    held = repo.options_held_by_contracts(
        session, tenant_id=tenant_id, plan_code=before.code, option_codes=removed
    )
    if held:
        raise Conflict(
            "catalog.plan_item_in_use", field="items", code=before.code, option=", ".join(held)
        )


def _terms(given: PlanInput) -> PlanTerms:
    billing = interval(given.billing_interval, "billingInterval", BILLING_UNITS, 1)
    same = IntervalInput(billing.unit.value, billing.count)
    return PlanTerms(
        billing_interval=billing,
        billing_timing=choice(BillingTiming, given.billing_timing, "billingTiming"),
        minimum_term=interval(given.minimum_term or same, "minimumTerm", TERM_UNITS, 0),
        renewal_term=interval(given.renewal_term or same, "renewalTerm", TERM_UNITS, 0),
        notice_period=interval(given.notice_period or NO_NOTICE, "noticePeriod", NOTICE_UNITS, 0),
    )


def _items(
    session: Session,
    tenant_id: uuid.UUID,
    given: Sequence[ItemInput],
    *,
    current: Plan | None,
    today: date,
) -> tuple[PlanItem, ...]:
    options = repo.options_by_code(session, tenant_id=tenant_id, codes=[i.option for i in given])
    existing = {item.option_id: item for item in (current.items if current else ())}
    items: list[PlanItem] = []
    for index, item in enumerate(given):
        at = f"items[{index}]"
        option = options.get(item.option)
        if option is None:
            raise ValidationFailed(
                "catalog.option_not_found", field=f"{at}.option", code=item.option
            )
        if any(i.option_id == option.id for i in items):
            raise ValidationFailed("catalog.duplicate", field=f"{at}.option", value=item.option)
        quantity, quota = item_quantities(item, option.kind, at)
        before = existing.get(option.id)
        prices = _prices(item, before, today, at)
        items.append(PlanItem(option.id, option.code, option.kind, quantity, quota, prices))
    return tuple(items)


def _prices(
    item: ItemInput, before: PlanItem | None, today: date, at: str
) -> tuple[ItemPrice, ...]:
    if item.price is None:
        if before is None or item.valid_from is not None:
            raise ValidationFailed("catalog.field_required", field=f"{at}.price", name="price")
        return before.prices
    model = item_model(item.price, at)
    default = today if before is not None else EARLIEST
    valid_from = check_date(item.valid_from or default, f"{at}.validFrom", "validFrom")
    return with_price(before.prices if before is not None else (), model, valid_from)


def _interval_input(value: Interval) -> IntervalInput:
    return IntervalInput(value.unit.value, value.count)


def _input(plan: Plan) -> PlanInput:
    t = plan.terms
    return PlanInput(
        code=plan.code,
        name=plan.name,
        currency=plan.currency,
        billing_interval=_interval_input(t.billing_interval),
        billing_timing=t.billing_timing.value,
        minimum_term=_interval_input(t.minimum_term),
        renewal_term=_interval_input(t.renewal_term),
        notice_period=_interval_input(t.notice_period),
        phases=[
            PhaseInput(p.type.value, None if p.duration is None else _interval_input(p.duration))
            for p in plan.phases
        ],
        pricing_groups=plan.pricing_groups,
        items=[ItemInput(i.option, None, i.quantity, i.free_quota) for i in plan.items],
    )


def _audit(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    action: AuditAction,
    before: Plan | None,
    after: Plan | None,
    clock: Clock,
) -> None:
    plan = after or before
    if plan is None:
        raise ValueError("a change has a state before or after it")
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=action,
        entity_type=ENTITY,
        entity_id=plan.id,
        before=None if before is None else repo.plan_snapshot(before),
        after=None if after is None else repo.plan_snapshot(after),
        clock=clock,
    )
    topic = {
        AuditAction.CREATE: "plan.created",
        AuditAction.UPDATE: "plan.updated",
        AuditAction.CANCEL: "plan.cancelled",
        AuditAction.DELETE: "plan.deleted",
    }[action]
    payload = {"id": str(plan.id), "code": plan.code}
    enqueue(session, tenant_id=tenant_id, topic=topic, payload=payload, clock=clock)
