"""Read models of the billing catalogue: options and plans as ``/v2`` shows them (camelCase;
amounts and quantities as strings with the digits given, ``"29.00"``).

A plan item shows the price in force today by the tenant's clock (before its first version
starts: that first version) with its ``validFrom``, and every version in ``priceVersions``.
Plan lists show the plan without its items; ``GET /v2/plans/{code}`` has them.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from beleg.clock import Clock, today_in
from beleg.db import plan_documents as documents
from beleg.db import plans as repo
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import catalog_options, plans
from beleg.db.tenancy import business_clock, tenant_timezone
from beleg.domain.catalog.options import Aggregation, Option, OptionKind
from beleg.domain.catalog.plans import Plan, PlanItem, PlanStatus, price_on
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec

OPTION_COLUMNS = [
    "id",
    "code",
    "name",
    "type",
    "unit",
    "aggregation",
    "aggregationProperty",
    "taxRate",
    "taxClass",
    "createdAt",
    "updatedAt",
]
PLAN_COLUMNS = [
    "id",
    "code",
    "name",
    "currency",
    "billingTiming",
    "status",
    "createdAt",
    "updatedAt",
]


def option_item(option: Option) -> dict[str, Any]:
    exemption = option.tax_exemption
    return {
        "id": option.id,
        "code": option.code,
        "name": option.name,
        "type": option.kind.value,
        "unit": option.unit,
        "aggregation": None if option.aggregation is None else option.aggregation.value,
        "aggregationProperty": option.aggregation_property,
        "taxRate": option.tax_rate,
        "taxClass": option.tax_class,
        "taxExemption": None
        if exemption is None
        else {
            "category": exemption.category.value,
            "reason": exemption.reason,
            "vatexCode": exemption.vatex_code,
        },
        "createdAt": option.created_at,
        "updatedAt": option.updated_at,
    }


def option_list(tenant_id: uuid.UUID) -> ListSpec:
    c = catalog_options.c
    return ListSpec(
        statement=select(catalog_options).where(c.tenant_id == tenant_id),
        filters={
            "code": FilterField(c.code),
            "name": FilterField(c.name),
            "type": FilterField(c.kind, Kind.ENUM, tuple(k.value for k in OptionKind)),
            "unit": FilterField(c.unit),
            "aggregation": FilterField(
                c.aggregation, Kind.ENUM, tuple(a.value for a in Aggregation)
            ),
            "taxClass": FilterField(c.tax_class),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"code": c.code, "name": c.name, "createdAt": c.created_at},
        default_sort=[c.code],
        to_item=lambda row: option_item(repo.option_from_row(row)),
        columns=OPTION_COLUMNS,
    )


def get_option(*, db: Database, tenant_id: uuid.UUID, code: str) -> dict[str, Any]:
    with db.reader() as session:
        option = repo.find_option(session, tenant_id=tenant_id, code=code)
    if option is None:
        raise NotFound("catalog.option_not_found", field="code", code=code)
    return option_item(option)


def plan_summary(plan: Plan) -> dict[str, Any]:
    t = plan.terms
    return {
        "id": plan.id,
        "code": plan.code,
        "name": plan.name,
        "currency": plan.currency,
        "billingInterval": documents.interval_document(t.billing_interval),
        "billingTiming": t.billing_timing.value,
        "minimumTerm": documents.interval_document(t.minimum_term),
        "renewalTerm": documents.interval_document(t.renewal_term),
        "noticePeriod": documents.interval_document(t.notice_period),
        "phases": documents.phases_document(plan.phases),
        "pricingGroups": documents.groups_document(plan.pricing_groups),
        "status": plan.status.value,
        "createdAt": plan.created_at,
        "updatedAt": plan.updated_at,
    }


def _item(item: PlanItem, today: date) -> dict[str, Any]:
    shown = price_on(item.prices, today) or item.prices[0]
    document = documents.item_document(item)
    return {
        "option": item.option,
        "type": item.kind.value,
        "quantity": document["quantity"],
        "price": documents.price_document(shown.model),
        "freeQuota": document["freeQuota"],
        "validFrom": shown.valid_from.isoformat(),
        "priceVersions": document["priceVersions"],
    }


def plan_detail(plan: Plan, today: date) -> dict[str, Any]:
    return {**plan_summary(plan), "items": [_item(item, today) for item in plan.items]}


def plan_list(tenant_id: uuid.UUID) -> ListSpec:
    c = plans.c
    return ListSpec(
        statement=select(plans).where(c.tenant_id == tenant_id),
        filters={
            "code": FilterField(c.code),
            "name": FilterField(c.name),
            "currency": FilterField(c.currency),
            "status": FilterField(c.status, Kind.ENUM, tuple(s.value for s in PlanStatus)),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"code": c.code, "name": c.name, "createdAt": c.created_at},
        default_sort=[c.code],
        to_item=lambda row: plan_summary(repo.plan_from_row(row)),
        columns=PLAN_COLUMNS,
    )


def get_plan(*, db: Database, tenant_id: uuid.UUID, code: str, clock: Clock) -> dict[str, Any]:
    """The plan with its items, each showing the price in force today by the tenant's clock."""
    with db.reader() as session:
        plan = repo.find_plan(session, tenant_id=tenant_id, code=code)
        today = today_in(
            business_clock(session, tenant_id=tenant_id, system=clock),
            tenant_timezone(session, tenant_id),
        )
    if plan is None:
        raise NotFound("catalog.plan_not_found", field="code", code=code)
    return plan_detail(plan, today)
