"""Data access of the billing catalogue: options and plans with their items and price
versions. Every function runs in the caller's transaction and is scoped to one tenant;
records go in and come out (``domain.catalog.options``, ``domain.catalog.plans``).

A price model is stored as the API shows it (``plan_documents.price_document``): the model's
name and its fields in camelCase, decimals as strings, so every digit given is kept on both
databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.plan_documents import (
    groups_document,
    groups_of,
    interval_of,
    item_document,
    phases_document,
    phases_of,
    price_document,
    price_model_of,
)
from beleg.db.tables import (
    catalog_options,
    contract_items,
    plan_items,
    plan_price_versions,
    plans,
)
from beleg.domain.catalog.options import (
    Aggregation,
    Option,
    OptionKind,
    TaxCategory,
    TaxExemption,
)
from beleg.domain.catalog.plans import (
    BillingTiming,
    ItemPrice,
    Plan,
    PlanItem,
    PlanStatus,
    PlanTerms,
)
from beleg.domain.errors import Conflict
from beleg.money import without_trailing_zeros

# --- options ------------------------------------------------------------------------------------


def _option(row: Row[Any]) -> Option:
    exemption = None
    if row.exemption_category is not None:
        exemption = TaxExemption(
            TaxCategory(row.exemption_category), row.exemption_reason, row.vatex_code
        )
    return Option(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=OptionKind(row.kind),
        unit=row.unit,
        aggregation=None if row.aggregation is None else Aggregation(row.aggregation),
        tax_rate=row.tax_rate,
        tax_class=row.tax_class,
        tax_exemption=exemption,
        created_at=row.created_at,
        updated_at=row.updated_at,
        aggregation_property=row.aggregation_property,
    )


def option_from_row(row: Row[Any]) -> Option:
    return _option(row)


def _option_values(option: Option) -> dict[str, Any]:
    exemption = option.tax_exemption
    return {
        "code": option.code,
        "name": option.name,
        "kind": option.kind.value,
        "unit": option.unit,
        "aggregation": None if option.aggregation is None else option.aggregation.value,
        "aggregation_property": option.aggregation_property,
        "tax_rate": option.tax_rate,
        "tax_class": option.tax_class,
        "exemption_category": None if exemption is None else exemption.category.value,
        "exemption_reason": None if exemption is None else exemption.reason,
        "vatex_code": None if exemption is None else exemption.vatex_code,
        "updated_at": option.updated_at,
    }


def find_option(
    session: Session, *, tenant_id: uuid.UUID, code: str, lock: bool = False
) -> Option | None:
    c = catalog_options.c
    query = select(catalog_options).where(c.tenant_id == tenant_id, c.code == code)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _option(row)


def options_by_code(
    session: Session, *, tenant_id: uuid.UUID, codes: Iterable[str]
) -> dict[str, Option]:
    """The tenant's options of ``codes``, locked against change until the transaction ends."""
    c = catalog_options.c
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    query = select(catalog_options).where(c.tenant_id == tenant_id, c.code.in_(wanted))
    rows = session.execute(query.with_for_update(read=True)).all()
    return {row.code: _option(row) for row in rows}


def insert_option(session: Session, *, tenant_id: uuid.UUID, option: Option) -> None:
    """Insert ``option``; a code taken meanwhile (a concurrent create) is a 409 naming code."""
    statement = insert(catalog_options).values(
        tenant_id=tenant_id, id=option.id, created_at=option.created_at, **_option_values(option)
    )
    try:
        with session.begin_nested():
            session.execute(statement)
    except IntegrityError:
        raise Conflict("catalog.option_exists", field="code", code=option.code) from None


def update_option(session: Session, *, tenant_id: uuid.UUID, option: Option) -> None:
    c = catalog_options.c
    session.execute(
        update(catalog_options)
        .where(c.tenant_id == tenant_id, c.id == option.id)
        .values(**_option_values(option))
    )


def option_in_use(session: Session, *, tenant_id: uuid.UUID, option_id: uuid.UUID) -> bool:
    c = plan_items.c
    query = select(c.plan_id).where(c.tenant_id == tenant_id, c.option_id == option_id).limit(1)
    return session.execute(query).first() is not None


def option_snapshot(option: Option) -> dict[str, Any]:
    """The audited state of an option: its columns that are set."""
    values = _option_values(option)
    del values["updated_at"]
    return {name: value for name, value in values.items() if value is not None}


# --- plans --------------------------------------------------------------------------------------


def terms_of(row: Row[Any]) -> PlanTerms:
    return PlanTerms(
        billing_interval=interval_of(row.billing_unit, row.billing_count),
        billing_timing=BillingTiming(row.billing_timing),
        minimum_term=interval_of(row.minimum_unit, row.minimum_count),
        renewal_term=interval_of(row.renewal_unit, row.renewal_count),
        notice_period=interval_of(row.notice_unit, row.notice_count),
    )


def plan_from_row(row: Row[Any], items: tuple[PlanItem, ...] = ()) -> Plan:
    return Plan(
        id=row.id,
        code=row.code,
        name=row.name,
        currency=row.currency,
        terms=terms_of(row),
        phases=phases_of(row.phases),
        pricing_groups=groups_of(row.pricing_groups),
        items=items,
        status=PlanStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _plan_values(plan: Plan) -> dict[str, Any]:
    t = plan.terms
    return {
        "code": plan.code,
        "name": plan.name,
        "currency": plan.currency,
        "billing_unit": t.billing_interval.unit.value,
        "billing_count": t.billing_interval.count,
        "billing_timing": t.billing_timing.value,
        "minimum_unit": t.minimum_term.unit.value,
        "minimum_count": t.minimum_term.count,
        "renewal_unit": t.renewal_term.unit.value,
        "renewal_count": t.renewal_term.count,
        "notice_unit": t.notice_period.unit.value,
        "notice_count": t.notice_period.count,
        "phases": phases_document(plan.phases),
        "pricing_groups": groups_document(plan.pricing_groups),
        "status": plan.status.value,
        "updated_at": plan.updated_at,
    }


def _items(session: Session, tenant_id: uuid.UUID, plan_id: uuid.UUID) -> tuple[PlanItem, ...]:
    i, o, v = plan_items.c, catalog_options.c, plan_price_versions.c
    rows = session.execute(
        select(i.option_id, i.quantity, i.free_quota, o.code, o.kind)
        .join(catalog_options, (o.tenant_id == i.tenant_id) & (o.id == i.option_id))
        .where(i.tenant_id == tenant_id, i.plan_id == plan_id)
        .order_by(i.position)
    ).all()
    versions: dict[uuid.UUID, list[ItemPrice]] = {}
    for version in session.execute(
        select(v.option_id, v.valid_from, v.price)
        .where(v.tenant_id == tenant_id, v.plan_id == plan_id)
        .order_by(v.option_id, v.valid_from)
    ):
        prices = versions.setdefault(version.option_id, [])
        prices.append(ItemPrice(version.valid_from, price_model_of(version.price)))
    return tuple(
        PlanItem(
            option_id=row.option_id,
            option=row.code,
            kind=OptionKind(row.kind),
            quantity=_plain(row.quantity),
            free_quota=_plain(row.free_quota),
            prices=tuple(versions.get(row.option_id, ())),
        )
        for row in rows
    )


def _plain(value: Decimal | None) -> Decimal | None:
    """A stored quantity as given: without the column's trailing zeros (1.00000 -> 1)."""
    return None if value is None else without_trailing_zeros(value)


def find_plan(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    code: str,
    lock: bool = False,
    shared: bool = False,
) -> Plan | None:
    """The tenant's plan with its items and every price version; None if it has none.
    ``lock`` locks it for a change, ``shared`` against one (a contract made on it: a change
    that removes an item waits, and then sees the contract)."""
    c = plans.c
    query = select(plans).where(c.tenant_id == tenant_id, c.code == code)
    if lock or shared:
        query = query.with_for_update(read=shared and not lock)
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    return plan_from_row(row, _items(session, tenant_id, row.id))


def options_held_by_contracts(
    session: Session, *, tenant_id: uuid.UUID, plan_code: str, option_codes: Iterable[str]
) -> list[str]:
    """Which of ``option_codes`` a contract item version priced by the plan ``plan_code``
    holds (contract items refer to the catalogue by plan and option code), sorted."""
    wanted = sorted(set(option_codes))
    if not wanted:
        return []
    c = contract_items.c
    rows = session.execute(
        select(c.option_code)
        .where(c.tenant_id == tenant_id, c.plan_code == plan_code, c.option_code.in_(wanted))
        .distinct()
        .order_by(c.option_code)
    ).all()
    return [row.option_code for row in rows]


def plan_code_taken(session: Session, *, tenant_id: uuid.UUID, code: str) -> bool:
    c = plans.c
    query = select(c.id).where(c.tenant_id == tenant_id, c.code == code)
    return session.execute(query).first() is not None


def insert_plan(session: Session, *, tenant_id: uuid.UUID, plan: Plan) -> None:
    """Insert ``plan`` with its items; a code taken meanwhile is a 409 naming code."""
    statement = insert(plans).values(
        tenant_id=tenant_id, id=plan.id, created_at=plan.created_at, **_plan_values(plan)
    )
    try:
        with session.begin_nested():
            session.execute(statement)
    except IntegrityError:
        raise Conflict("catalog.plan_exists", field="code", code=plan.code) from None
    _insert_items(session, tenant_id, plan)


def _insert_items(session: Session, tenant_id: uuid.UUID, plan: Plan) -> None:
    if not plan.items:
        return
    session.execute(
        insert(plan_items),
        [
            {
                "tenant_id": tenant_id,
                "plan_id": plan.id,
                "option_id": item.option_id,
                "position": position,
                "quantity": item.quantity,
                "free_quota": item.free_quota,
            }
            for position, item in enumerate(plan.items)
        ],
    )
    versions = [
        {
            "tenant_id": tenant_id,
            "plan_id": plan.id,
            "option_id": item.option_id,
            "valid_from": price.valid_from,
            "price": price_document(price.model),
        }
        for item in plan.items
        for price in item.prices
    ]
    if versions:
        session.execute(insert(plan_price_versions), versions)


def _delete_items(session: Session, tenant_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    for table in (plan_price_versions, plan_items):
        session.execute(
            delete(table).where(table.c.tenant_id == tenant_id, table.c.plan_id == plan_id)
        )


def update_plan(session: Session, *, tenant_id: uuid.UUID, plan: Plan) -> None:
    """Store ``plan``: its row, and its items and price versions replaced."""
    c = plans.c
    session.execute(
        update(plans).where(c.tenant_id == tenant_id, c.id == plan.id).values(**_plan_values(plan))
    )
    _delete_items(session, tenant_id, plan.id)
    _insert_items(session, tenant_id, plan)


def delete_plan(session: Session, *, tenant_id: uuid.UUID, plan: Plan) -> None:
    """Delete the plan with its items and price versions; a 409 naming ``code`` while a
    contract uses it (the contracts' foreign key refuses the delete)."""
    try:
        with session.begin_nested():
            _delete_items(session, tenant_id, plan.id)
            session.execute(
                delete(plans).where(plans.c.tenant_id == tenant_id, plans.c.id == plan.id)
            )
    except IntegrityError:
        raise Conflict("catalog.plan_in_use", field="code", code=plan.code) from None


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The audited state of a plan: terms, phases, groups, items and every price version."""
    values = _plan_values(plan)
    del values["updated_at"]
    return {**values, "items": [item_document(item) for item in plan.items]}
