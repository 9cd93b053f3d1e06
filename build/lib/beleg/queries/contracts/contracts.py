"""Read models of contracts (camelCase, as ``/v2/contracts`` shows them): one contract with
the dates derived from its terms, and the list with the customer's number and the first two
subscription items (seed 002: a customer's contract list shows them)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from beleg.clock import Clock, today_in
from beleg.db import contracts as contracts_db
from beleg.db import tenancy as tenancy_db
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.plan_documents import price_document
from beleg.db.tables import catalog_options, contacts, contract_items, contracts
from beleg.domain.catalog.intervals import Interval
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.periods import Period, Realignment, periods
from beleg.domain.contracts.records import Contract, ContractItem, ItemStatus
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec


def contract_view(
    db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID, *, clock: Clock
) -> dict[str, Any]:
    """The contract ``contract_id`` with today's service period, the end of its minimum term
    and the earliest end of an ordinary termination given today."""
    with db.reader() as session:
        contract = contracts_db.load(session, tenant_id, contract_id)
        zone = tenancy_db.tenant_timezone(session, tenant_id)
        today = today_in(
            tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock), zone
        )
    return contract_item(contract, today)


def contract_item(contract: Contract, today: date) -> dict[str, Any]:
    frame = contract.frame
    running = contract.status in (ContractStatus.ACTIVE, ContractStatus.DRAFT)
    return {
        "id": contract.id,
        "contractNumber": contract.number,
        "customer": contract.customer_id,
        "plan": contract.plan_code,
        "status": contract.status.value,
        "currency": frame.currency,
        "startDate": contract.start,
        "endDate": contract.end,
        "terminationType": None
        if contract.termination_type is None
        else contract.termination_type.value,
        "terminatedOn": contract.terminated_on,
        "billingInterval": _interval(frame.interval),
        "billingTiming": frame.billing_timing,
        "minimumTerm": _interval(frame.minimum),
        "renewalTerm": _interval(frame.renewal),
        "noticePeriod": _interval(frame.notice),
        "trialEnd": contract.trial_end,
        "pricingGroup": contract.pricing_group,
        "billingGroup": contract.billing_group,
        "invoiceRecipientEmail": contract.invoice_recipient_email,
        "internalIdentifier": contract.internal_identifier,
        "items": [_item(item) for item in contract.items],
        "serviceCycleChanges": [
            {"nextPeriodStart": r.next_period_start, "invoiceText": r.invoice_text}
            for r in contract.realignments
        ],
        "pauses": [{"from": p.paused_from, "to": p.paused_to} for p in contract.pauses],
        "currentPeriod": _current_period(contract, today),
        "minimumTermEnd": contract.terms.minimum_term_end,
        "earliestEnd": contract.terms.earliest_end(max(today, contract.start)) if running else None,
        "chargedUntil": contract.charged_until(),
        "createdAt": contract.created_at,
        "updatedAt": contract.updated_at,
    }


def _interval(interval: Interval) -> dict[str, Any]:
    return {"unit": interval.unit.value, "count": interval.count}


def _item(item: ContractItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "itemKey": item.item_key,
        "plan": item.plan,
        "option": item.option,
        "quantity": item.quantity,
        "specialPrice": None if item.special_price is None else price_document(item.special_price),
        "discountPercent": item.discount_percent,
        "status": item.status.value,
        "additionalText": item.additional_text,
        "taxExemption": item.tax_exemption,
        "servedFrom": item.served_from,
        "servedTo": item.served_to,
    }


def _current_period(contract: Contract, today: date) -> dict[str, date] | None:
    """The part of the service period that contains ``today``, if the contract serves it."""
    end = contract.charged_until()
    if today < contract.start or (end is not None and today > end):
        return None
    current: Period | None = None
    for service in periods(
        start=contract.start,
        interval=contract.frame.interval,
        realignments=[Realignment(r.next_period_start) for r in contract.realignments],
        until=today,
    ):
        if service.part.contains(today):
            current = service.part
    return None if current is None else {"from": current.start, "to": current.end}


def contract_list(tenant_id: uuid.UUID) -> ListSpec:
    """The tenant's contracts, newest number last; ``firstItems`` are the options of the
    first two open item versions."""
    c, k = contracts.c, contacts.c
    statement = (
        select(
            contracts,
            k.number.label("customer_number"),
            _nth_item(0).label("first_item"),
            _nth_item(1).label("second_item"),
        )
        .join(contacts, (k.tenant_id == c.tenant_id) & (k.id == c.customer_id))
        .where(c.tenant_id == tenant_id)
    )
    return ListSpec(
        statement=statement,
        filters={
            "contractNumber": FilterField(c.contract_number),
            "customer": FilterField(c.customer_id, Kind.UUID),
            "customerNumber": FilterField(k.number),
            "plan": FilterField(c.plan_code),
            "status": FilterField(c.status, Kind.ENUM, tuple(s.value for s in ContractStatus)),
            "internalIdentifier": FilterField(c.internal_identifier),
            "startDate": FilterField(c.start_date, Kind.DATE),
            "endDate": FilterField(c.end_date, Kind.DATE),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={
            "contractNumber": c.contract_number,
            "startDate": c.start_date,
            "createdAt": c.created_at,
        },
        default_sort=[c.created_at, c.id],
        to_item=_list_item,
        columns=[
            "id",
            "contractNumber",
            "customer",
            "customerNumber",
            "plan",
            "status",
            "startDate",
            "endDate",
            "internalIdentifier",
            "firstItems",
            "createdAt",
        ],
    )


def _nth_item(offset: int) -> Any:
    i, c = contract_items.c, contracts.c
    return (
        select(i.option_code)
        .where(i.tenant_id == c.tenant_id, i.contract_id == c.id, i.served_to.is_(None))
        .order_by(i.served_from, i.created_at, i.id)
        .limit(1)
        .offset(offset)
        .correlate(contracts)
        .scalar_subquery()
    )


def _list_item(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "id": m["id"],
        "contractNumber": m["contract_number"],
        "customer": m["customer_id"],
        "customerNumber": m["customer_number"],
        "plan": m["plan_code"],
        "status": m["status"],
        "startDate": m["start_date"],
        "endDate": m["end_date"],
        "internalIdentifier": m["internal_identifier"],
        "firstItems": [code for code in (m["first_item"], m["second_item"]) if code],
        "createdAt": m["created_at"],
    }


def check_exists(db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID) -> None:
    """A 404 naming ``id`` unless the tenant has the contract."""
    with db.reader() as session:
        found = session.execute(
            select(contracts.c.id).where(
                contracts.c.tenant_id == tenant_id, contracts.c.id == contract_id
            )
        ).first()
    if found is None:
        raise NotFound("contracts.not_found", field="id", id=contract_id)


def item_list(tenant_id: uuid.UUID, contract_id: uuid.UUID) -> ListSpec:
    """The item versions of one contract with their option's name, filterable by status,
    item number (option), name and additional text (seed 002)."""
    i, o = contract_items.c, catalog_options.c
    statement = (
        select(contract_items, o.name.label("option_name"))
        .join(catalog_options, (o.tenant_id == i.tenant_id) & (o.code == i.option_code))
        .where(i.tenant_id == tenant_id, i.contract_id == contract_id)
    )
    return ListSpec(
        statement=statement,
        filters={
            "status": FilterField(i.status, Kind.ENUM, tuple(s.value for s in ItemStatus)),
            "option": FilterField(i.option_code),
            "name": FilterField(o.name),
            "additionalText": FilterField(i.additional_text),
            "servedFrom": FilterField(i.served_from, Kind.DATE),
        },
        sortable={"servedFrom": i.served_from, "option": i.option_code},
        default_sort=[i.served_from, i.created_at, i.id],
        to_item=_item_row,
        columns=[
            "id",
            "itemKey",
            "plan",
            "option",
            "name",
            "quantity",
            "status",
            "additionalText",
            "servedFrom",
            "servedTo",
        ],
    )


def _item_row(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "id": m["id"],
        "itemKey": m["item_key"],
        "plan": m["plan_code"],
        "option": m["option_code"],
        "name": m["option_name"],
        "quantity": m["quantity"],
        "status": m["status"],
        "additionalText": m["additional_text"],
        "servedFrom": m["served_from"],
        "servedTo": m["served_to"],
    }
