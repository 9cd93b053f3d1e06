"""Data access of contracts: the contract row, its item versions, service-cycle changes and
pauses. Every function runs in the caller's transaction and is scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.plan_documents import price_document, price_model_of
from beleg.db.tables import (
    contract_documents,
    contract_items,
    contract_pauses,
    contract_realignments,
    contracts,
)
from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.contracts.lifecycle import ContractStatus, TerminationType
from beleg.domain.contracts.records import (
    Contract,
    ContractItem,
    Frame,
    ItemStatus,
    Pause,
    ServiceCycleChange,
)
from beleg.domain.errors import Conflict, NotFound

C = contracts.c
I = contract_items.c  # noqa: E741 -- the table's columns, as C is the contract's


def load(
    session: Session, tenant_id: uuid.UUID, contract_id: uuid.UUID, *, lock: bool = False
) -> Contract:
    """The contract with its items, changes and pauses (its row locked with ``lock``), or a
    404 naming ``id``."""
    query = select(contracts).where(C.tenant_id == tenant_id, C.id == contract_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("contracts.not_found", field="id", id=contract_id)
    return contract_from_rows(row, *_children(session, tenant_id, contract_id))


def terminated_before(session: Session, *, tenant_id: uuid.UUID, day: date) -> list[uuid.UUID]:
    """The TERMINATED contracts whose last day of service lies before ``day``, by end."""
    rows = session.execute(
        select(C.id)
        .where(
            C.tenant_id == tenant_id,
            C.status == ContractStatus.TERMINATED.value,
            C.end_date < day,
        )
        .order_by(C.end_date, C.contract_number)
    ).all()
    return [row.id for row in rows]


def number_taken(session: Session, tenant_id: uuid.UUID, number: str) -> bool:
    found = session.execute(
        select(C.id).where(C.tenant_id == tenant_id, C.contract_number == number)
    ).first()
    return found is not None


def insert_contract(session: Session, *, tenant_id: uuid.UUID, contract: Contract) -> None:
    """Insert the contract with its items; a number another writer took first is a 409
    naming ``contractNumber`` (the unique constraint decides the race)."""
    try:
        with session.begin_nested():
            session.execute(insert(contracts).values(_contract_values(tenant_id, contract)))
    except IntegrityError:
        raise Conflict(
            "contracts.number_taken", field="contractNumber", number=contract.number
        ) from None
    insert_items(
        session,
        tenant_id=tenant_id,
        contract_id=contract.id,
        items=contract.items,
        now=contract.created_at,
    )


def update_contract(session: Session, *, tenant_id: uuid.UUID, contract: Contract) -> None:
    """Write the contract row's fields (its items, changes and pauses have their own calls)."""
    values = _contract_values(tenant_id, contract)
    for key in ("tenant_id", "id", "created_at"):
        values.pop(key)
    session.execute(
        update(contracts).where(C.tenant_id == tenant_id, C.id == contract.id).values(values)
    )


def insert_items(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    items: Sequence[ContractItem],
    now: datetime,
) -> None:
    if items:
        session.execute(
            insert(contract_items),
            [_item_values(tenant_id, contract_id, item, now) for item in items],
        )


def end_items(
    session: Session, *, tenant_id: uuid.UUID, item_ids: Iterable[uuid.UUID], served_to: date
) -> None:
    """End the item versions ``item_ids`` on ``served_to`` (a plan change's eve)."""
    session.execute(
        update(contract_items)
        .where(I.tenant_id == tenant_id, I.id.in_(list(item_ids)))
        .values(served_to=served_to)
    )


def delete_items(session: Session, *, tenant_id: uuid.UUID, item_ids: Iterable[uuid.UUID]) -> None:
    """Remove item versions that never served a day (they start after a plan change)."""
    session.execute(
        delete(contract_items).where(I.tenant_id == tenant_id, I.id.in_(list(item_ids)))
    )


def replace_items(session: Session, *, tenant_id: uuid.UUID, items: Sequence[ContractItem]) -> None:
    """Write the status, text, special price and discount of item versions (not their
    option, quantity or dates: those change by a plan change's new versions)."""
    for item in items:
        session.execute(
            update(contract_items)
            .where(I.tenant_id == tenant_id, I.id == item.id)
            .values(
                status=item.status.value,
                additional_text=item.additional_text,
                special_price=price_document(item.special_price) if item.special_price else None,
                discount_percent=item.discount_percent,
            )
        )


def save_realignment(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    change: ServiceCycleChange,
    now: datetime,
) -> None:
    """Record a service-cycle change; one on the same start replaces it."""
    R = contract_realignments.c
    session.execute(
        delete(contract_realignments).where(
            R.tenant_id == tenant_id,
            R.contract_id == contract_id,
            R.next_period_start == change.next_period_start,
        )
    )
    session.execute(
        insert(contract_realignments).values(
            tenant_id=tenant_id,
            contract_id=contract_id,
            next_period_start=change.next_period_start,
            invoice_text=change.invoice_text,
            created_at=now,
        )
    )


def save_pause(
    session: Session, *, tenant_id: uuid.UUID, contract_id: uuid.UUID, pause: Pause, now: datetime
) -> None:
    """Insert a pause, or set the end of the pause that starts on the same day."""
    P = contract_pauses.c
    where = (
        P.tenant_id == tenant_id,
        P.contract_id == contract_id,
        P.paused_from == pause.paused_from,
    )
    if session.execute(select(P.paused_from).where(*where)).first():
        session.execute(update(contract_pauses).where(*where).values(paused_to=pause.paused_to))
        return
    session.execute(
        insert(contract_pauses).values(
            tenant_id=tenant_id,
            contract_id=contract_id,
            paused_from=pause.paused_from,
            paused_to=pause.paused_to,
            created_at=now,
        )
    )


def delete_pause(
    session: Session, *, tenant_id: uuid.UUID, contract_id: uuid.UUID, pause: Pause
) -> None:
    P = contract_pauses.c
    session.execute(
        delete(contract_pauses).where(
            P.tenant_id == tenant_id,
            P.contract_id == contract_id,
            P.paused_from == pause.paused_from,
        )
    )


def delete_contract(session: Session, *, tenant_id: uuid.UUID, contract_id: uuid.UUID) -> None:
    """Delete the contract with everything filed under it."""
    for table in (contract_items, contract_realignments, contract_pauses, contract_documents):
        session.execute(
            delete(table).where(table.c.tenant_id == tenant_id, table.c.contract_id == contract_id)
        )
    session.execute(delete(contracts).where(C.tenant_id == tenant_id, C.id == contract_id))


def snapshot(contract: Contract) -> dict[str, Any]:
    """The audit trail's view of a contract (decimals and dates as strings)."""
    values = _contract_values(None, contract)
    values.pop("tenant_id")
    values["items"] = [_item_snapshot(item) for item in contract.items]
    values["realignments"] = [
        {"nextPeriodStart": r.next_period_start, "invoiceText": r.invoice_text}
        for r in contract.realignments
    ]
    values["pauses"] = [{"from": p.paused_from, "to": p.paused_to} for p in contract.pauses]
    return _jsonable(values)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _children(
    session: Session, tenant_id: uuid.UUID, contract_id: uuid.UUID
) -> tuple[list[Row[Any]], list[Row[Any]], list[Row[Any]]]:
    R, P = contract_realignments.c, contract_pauses.c
    items = session.execute(
        select(contract_items)
        .where(I.tenant_id == tenant_id, I.contract_id == contract_id)
        .order_by(I.served_from, I.created_at, I.id)
    ).all()
    changes = session.execute(
        select(contract_realignments)
        .where(R.tenant_id == tenant_id, R.contract_id == contract_id)
        .order_by(R.next_period_start)
    ).all()
    pauses = session.execute(
        select(contract_pauses)
        .where(P.tenant_id == tenant_id, P.contract_id == contract_id)
        .order_by(P.paused_from)
    ).all()
    return list(items), list(changes), list(pauses)


def _interval(unit: str, count: int) -> Interval:
    return Interval(IntervalUnit(unit), count)


def contract_from_rows(
    row: Row[Any], items: list[Row[Any]], changes: list[Row[Any]], pauses: list[Row[Any]]
) -> Contract:
    frame = Frame(
        currency=row.currency,
        interval=_interval(row.interval_unit, row.interval_count),
        billing_timing=row.billing_timing,
        minimum=_interval(row.minimum_unit, row.minimum_count),
        renewal=_interval(row.renewal_unit, row.renewal_count),
        notice=_interval(row.notice_unit, row.notice_count),
        trial=None if row.trial_unit is None else _interval(row.trial_unit, row.trial_count),
    )
    return Contract(
        id=row.id,
        number=row.contract_number,
        customer_id=row.customer_id,
        plan_code=row.plan_code,
        status=ContractStatus(row.status),
        start=row.start_date,
        frame=frame,
        items=tuple(_item(item) for item in items),
        created_at=row.created_at,
        updated_at=row.updated_at,
        end=row.end_date,
        termination_type=TerminationType(row.termination_type) if row.termination_type else None,
        terminated_on=row.terminated_on,
        pricing_group=row.pricing_group,
        billing_group=row.billing_group,
        invoice_recipient_email=row.invoice_recipient_email,
        internal_identifier=row.internal_identifier,
        realignments=tuple(
            ServiceCycleChange(c.next_period_start, c.invoice_text) for c in changes
        ),
        pauses=tuple(Pause(p.paused_from, p.paused_to) for p in pauses),
    )


def _item(row: Row[Any]) -> ContractItem:
    special = price_model_of(row.special_price) if row.special_price else None
    return ContractItem(
        id=row.id,
        item_key=row.item_key,
        plan=row.plan_code,
        option=row.option_code,
        quantity=row.quantity,
        status=ItemStatus(row.status),
        served_from=row.served_from,
        served_to=row.served_to,
        special_price=special,
        discount_percent=row.discount_percent,
        tax_exemption=row.tax_exemption,
        additional_text=row.additional_text,
    )


def _contract_values(tenant_id: uuid.UUID | None, contract: Contract) -> dict[str, Any]:
    frame = contract.frame
    return {
        "tenant_id": tenant_id,
        "id": contract.id,
        "contract_number": contract.number,
        "customer_id": contract.customer_id,
        "plan_code": contract.plan_code,
        "status": contract.status.value,
        "currency": frame.currency,
        "start_date": contract.start,
        "end_date": contract.end,
        "termination_type": contract.termination_type.value if contract.termination_type else None,
        "terminated_on": contract.terminated_on,
        "interval_unit": frame.interval.unit.value,
        "interval_count": frame.interval.count,
        "billing_timing": frame.billing_timing,
        "minimum_unit": frame.minimum.unit.value,
        "minimum_count": frame.minimum.count,
        "renewal_unit": frame.renewal.unit.value,
        "renewal_count": frame.renewal.count,
        "notice_unit": frame.notice.unit.value,
        "notice_count": frame.notice.count,
        "trial_unit": None if frame.trial is None else frame.trial.unit.value,
        "trial_count": None if frame.trial is None else frame.trial.count,
        "pricing_group": contract.pricing_group,
        "billing_group": contract.billing_group,
        "invoice_recipient_email": contract.invoice_recipient_email,
        "internal_identifier": contract.internal_identifier,
        "created_at": contract.created_at,
        "updated_at": contract.updated_at,
    }


def _item_values(
    tenant_id: uuid.UUID, contract_id: uuid.UUID, item: ContractItem, now: datetime
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": item.id,
        "contract_id": contract_id,
        "item_key": item.item_key,
        "plan_code": item.plan,
        "option_code": item.option,
        "quantity": item.quantity,
        "special_price": price_document(item.special_price) if item.special_price else None,
        "discount_percent": item.discount_percent,
        "tax_exemption": item.tax_exemption,
        "additional_text": item.additional_text,
        "status": item.status.value,
        "served_from": item.served_from,
        "served_to": item.served_to,
        "created_at": now,
    }


def _item_snapshot(item: ContractItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "itemKey": item.item_key,
        "plan": item.plan,
        "option": item.option,
        "quantity": item.quantity,
        "status": item.status.value,
        "servedFrom": item.served_from,
        "servedTo": item.served_to,
        "specialPrice": price_document(item.special_price) if item.special_price else None,
        "discountPercent": item.discount_percent,
        "taxExemption": item.tax_exemption,
        "additionalText": item.additional_text,
    }
