"""What a batch of usage events is checked against, each in one statement whatever the size of
the batch: the contracts it names (by id or number, with their items' option codes), the
running contracts of the customers it names, its options, and its client ids already stored."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Row, String, any_, bindparam, false, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from beleg.db.tables import catalog_options, contacts, contract_items, contracts, usage_events
from beleg.domain.catalog.options import Aggregation, OptionKind
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.usage.checks import as_uuid
from beleg.domain.usage.records import RUNNING, ContractService, UsageOption

C, I = contracts.c, contract_items.c  # noqa: E741 -- the tables' columns
_CONTRACT_COLUMNS = (C.id, C.contract_number, C.customer_id, C.status, C.start_date, C.end_date)


def _one_of(column: Any, values: Collection[Any], session: Session) -> ColumnElement[bool]:
    """``column`` is one of ``values``: one array parameter on PostgreSQL (10,000 ids bind as
    one value), an IN list on SQLite."""
    if not values:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(list(values))


def _split(references: Iterable[str]) -> tuple[list[uuid.UUID], list[str]]:
    ids, numbers = [], []
    for reference in set(references):
        found = as_uuid(reference)
        if found is not None:
            ids.append(found)
        numbers.append(reference)  # a number may look like a UUID too
    return ids, numbers


def _services(rows: Iterable[Any]) -> dict[uuid.UUID, ContractService]:
    options: dict[uuid.UUID, set[str]] = {}
    first: dict[uuid.UUID, Row[Any]] = {}
    for row in rows:
        first.setdefault(row.id, row)
        if row.option_code is not None:
            options.setdefault(row.id, set()).add(row.option_code)
    return {
        key: ContractService(
            id=row.id,
            number=row.contract_number,
            customer_id=row.customer_id,
            status=ContractStatus(row.status),
            start=row.start_date,
            end=row.end_date,
            options=frozenset(options.get(key, ())),
        )
        for key, row in first.items()
    }


def contracts_named(
    session: Session, *, tenant_id: uuid.UUID, references: Iterable[str]
) -> dict[str, ContractService]:
    """The tenant's contracts named by ``references`` (an id or a contract number), keyed by
    each reference that names one (an id as given and in canonical form)."""
    ids, numbers = _split(references)
    if not ids and not numbers:
        return {}
    rows = session.execute(
        select(*_CONTRACT_COLUMNS, I.option_code)
        .outerjoin(contract_items, (I.tenant_id == C.tenant_id) & (I.contract_id == C.id))
        .where(C.tenant_id == tenant_id, or_(C.id.in_(ids), C.contract_number.in_(numbers)))
    ).all()
    found: dict[str, ContractService] = {}
    for service in _services(rows).values():
        found[str(service.id)] = found[service.number] = service
    return found


def running_contracts_of_customers(
    session: Session, *, tenant_id: uuid.UUID, references: Iterable[str]
) -> dict[str, list[ContractService]]:
    """The ACTIVE and TERMINATED contracts of the customers named by ``references`` (an id or
    a customer number), keyed by each reference."""
    ids, numbers = _split(references)
    if not ids and not numbers:
        return {}
    k = contacts.c
    rows = session.execute(
        select(*_CONTRACT_COLUMNS, I.option_code, k.number.label("customer_number"))
        .join(contacts, (k.tenant_id == C.tenant_id) & (k.id == C.customer_id))
        .outerjoin(contract_items, (I.tenant_id == C.tenant_id) & (I.contract_id == C.id))
        .where(
            C.tenant_id == tenant_id,
            k.kind == "CUSTOMER",
            C.status.in_([s.value for s in RUNNING]),
            or_(k.id.in_(ids), k.number.in_(numbers)),
        )
    ).all()
    numbers_of = {row.customer_id: row.customer_number for row in rows}
    by_customer: dict[str, list[ContractService]] = {}
    for service in _services(rows).values():
        keys = {str(service.customer_id)}
        if numbers_of.get(service.customer_id) is not None:
            keys.add(numbers_of[service.customer_id])
        for key in keys:
            by_customer.setdefault(key, []).append(service)
    return by_customer


def usage_options(
    session: Session, *, tenant_id: uuid.UUID, codes: Iterable[str]
) -> dict[str, UsageOption]:
    """The tenant's options of ``codes`` (any kind: the check says which are not usage)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    o = catalog_options.c
    rows = session.execute(
        select(o.code, o.kind, o.aggregation, o.aggregation_property).where(
            o.tenant_id == tenant_id, o.code.in_(wanted)
        )
    ).all()
    return {
        row.code: UsageOption(
            code=row.code,
            kind=OptionKind(row.kind),
            aggregation=None if row.aggregation is None else Aggregation(row.aggregation),
            aggregation_property=row.aggregation_property,
        )
        for row in rows
    }


def stored_event_ids(
    session: Session, *, tenant_id: uuid.UUID, event_ids: Collection[str]
) -> set[str]:
    """Which of ``event_ids`` the tenant has stored (ACTIVE or CANCELLED)."""
    if not event_ids:
        return set()
    u = usage_events.c
    rows = session.execute(
        select(u.event_id).where(
            u.tenant_id == tenant_id, _one_of(u.event_id, set(event_ids), session)
        )
    )
    return {row.event_id for row in rows}
