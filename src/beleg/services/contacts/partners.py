"""Customers and suppliers: create, replace, upsert by number, delete, personal contra
accounts (double-entry only), and the additional addresses of customers (seed 003 §3.9)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import cb_invoices, contact_addresses, contacts, ledger_accounts, tenants
from beleg.domain.accounting.lines import Direction
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.partners import (
    ContactKind,
    display_name,
    normalise_address,
    normalise_contact,
)
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import chart_named

MAX_CODE_LENGTH = 10
NOT_FOUND_DE = {
    ContactKind.CUSTOMER: "Kunde nicht gefunden.",
    ContactKind.SUPPLIER: "Lieferant nicht gefunden.",
}


def partner_for_invoice(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    direction: Direction,
    partner_id: uuid.UUID | None,
    partner_name: str | None,
) -> tuple[uuid.UUID | None, str | None, str | None]:
    """(id, name, contra account) of an invoice's supplier (incoming) or customer (outgoing);
    a free name when no id is given (seed 003 CbInvoice supplierName/customerName)."""
    if partner_id is None:
        return None, partner_name, None
    kind = ContactKind.SUPPLIER if direction is Direction.INCOMING else ContactKind.CUSTOMER
    row = _row(session, tenant_id, kind, partner_id, field=kind.value.lower())
    return row["id"], row["display_name"], row["contra_account"]


def _row(
    session: Session,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    *,
    field: str = "id",
    lock: bool = False,
) -> dict[str, Any]:
    query = select(contacts).where(
        contacts.c.tenant_id == tenant_id,
        contacts.c.id == contact_id,
        contacts.c.kind == kind.value,
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(
            f"{kind.value.lower()} {contact_id} does not exist", de=NOT_FOUND_DE[kind], field=field
        )
    return dict(row._mapping)


def save_contact(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    values: dict[str, Any],
    clock: Clock,
    contact_id: uuid.UUID | None = None,
    by_number: bool = False,
) -> dict[str, Any]:
    """Create (no id), replace (id) or upsert by number a contact; with
    ``createContraAccount`` a double-entry tenant also gets its personal contra account."""
    fields = normalise_contact(kind, values)
    with db.transaction() as session:
        before: dict[str, Any] | None = None
        if by_number:
            contact_id, before = _find_by_number(
                session, tenant_id, kind, fields.get(kind.number_field)
            )
        elif contact_id is not None:
            before = _row(session, tenant_id, kind, contact_id, lock=True)
        now = clock.now()
        row = {
            "tenant_id": tenant_id,
            "id": contact_id or uuid.uuid4(),
            "kind": kind.value,
            "number": fields.get(kind.number_field),
            "display_name": display_name(fields),
            "contra_account": before["contra_account"] if before else None,
            "fields": fields,
            "updated_at": now,
        }
        if before is None:
            session.execute(insert(contacts).values(**row, created_at=now))
        else:
            session.execute(
                update(contacts)
                .where(contacts.c.tenant_id == tenant_id, contacts.c.id == row["id"])
                .values(**row)
            )
        if values.get("createContraAccount") and not row["contra_account"]:
            row["contra_account"] = _create_contra(
                session, tenant_id, row, values.get("contraAccount")
            )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type=kind.value.title(),
            entity_id=row["id"],
            before=before and before["fields"],
            after=fields,
            clock=clock,
        )
        return row


def _find_by_number(
    session: Session, tenant_id: uuid.UUID, kind: ContactKind, number: str | None
) -> tuple[uuid.UUID | None, dict[str, Any] | None]:
    if not number:
        raise ValidationFailed(
            f"{kind.number_field} is required to upsert by number",
            de=f"{kind.number_field} ist erforderlich",
            field=kind.number_field,
        )
    rows = session.execute(
        select(contacts)
        .where(
            contacts.c.tenant_id == tenant_id,
            contacts.c.kind == kind.value,
            contacts.c.number == number,
        )
        .with_for_update()
    ).all()
    if len(rows) > 1:
        raise Conflict(
            f"{kind.number_field} {number} is not unique ({len(rows)} contacts)",
            de=f"{kind.number_field} {number} ist nicht eindeutig",
            field=kind.number_field,
        )
    return (rows[0].id, dict(rows[0]._mapping)) if rows else (None, None)


def create_contra_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    code: str | None,
    clock: Clock,
) -> dict[str, Any]:
    """Seed 003 §3.9: a personal receivables/payables account, double-entry only."""
    with db.transaction() as session:
        row = _row(session, tenant_id, kind, contact_id, lock=True)
        if row["contra_account"]:
            raise Conflict(
                f"the {kind.value.lower()} already has contra account {row['contra_account']}",
                de=f"Es gibt bereits das Gegenkonto {row['contra_account']}",
                field="contraAccount",
            )
        row["contra_account"] = _create_contra(session, tenant_id, row, code)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=kind.value.title(),
            entity_id=contact_id,
            before={"contraAccount": None},
            after={"contraAccount": row["contra_account"]},
            clock=clock,
        )
        return row


def _create_contra(
    session: Session, tenant_id: uuid.UUID, row: dict[str, Any], code: str | None
) -> str:
    tenant = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one()
    if tenant.accounting_mode != "DE":
        raise ValidationFailed(
            "contra accounts exist in double-entry accounting only",
            de="Gegenkonten gibt es nur in der doppelten Buchhaltung",
            field="createContraAccount",
        )
    chart = chart_named(tenant.chart_of_accounts)
    customer = row["kind"] == ContactKind.CUSTOMER.value
    base = chart.receivables if customer else chart.payables
    used = set(
        session.execute(
            select(ledger_accounts.c.code).where(ledger_accounts.c.tenant_id == tenant_id)
        ).scalars()
    )
    if code:
        if not code.isdigit() or not 3 <= len(code) <= MAX_CODE_LENGTH:
            raise ValidationFailed(
                "contraAccount must be 3 to 10 digits",
                de="contraAccount muss 3 bis 10 Ziffern haben",
                field="contraAccount",
            )
        if code in used:
            raise Conflict(
                f"account {code} is already in use",
                de=f"Konto {code} ist bereits vergeben",
                field="contraAccount",
            )
    else:
        code = next(f"{base}{n}" for n in range(1, 10**6) if f"{base}{n}" not in used)
    noun = "Forderungen" if customer else "Verbindlichkeiten"
    session.execute(
        insert(ledger_accounts).values(
            tenant_id=tenant_id,
            code=code,
            name=f"{noun} {row['display_name']}"[:200],
            account_type="S",
            default_tax_code="000",
            tax_codes="000",
            forced_tax=True,
        )
    )
    session.execute(
        update(contacts)
        .where(contacts.c.tenant_id == tenant_id, contacts.c.id == row["id"])
        .values(contra_account=code)
    )
    return code


def delete_contact(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Delete a contact no invoice refers to (invoices keep their partner)."""
    with db.transaction() as session:
        row = _row(session, tenant_id, kind, contact_id, lock=True)
        used = session.execute(
            select(cb_invoices.c.id)
            .where(cb_invoices.c.tenant_id == tenant_id, cb_invoices.c.partner_id == contact_id)
            .limit(1)
        ).first()
        if used is not None:
            raise Conflict(
                f"the {kind.value.lower()} has invoices and cannot be deleted",
                de="Der Kontakt hat Rechnungen und kann nicht gelöscht werden",
                field="id",
            )
        session.execute(
            delete(contact_addresses).where(
                contact_addresses.c.tenant_id == tenant_id,
                contact_addresses.c.contact_id == contact_id,
            )
        )
        session.execute(
            delete(contacts).where(contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id)
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=kind.value.title(),
            entity_id=contact_id,
            before=row["fields"],
            after=None,
            clock=clock,
        )


def save_address(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    address_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Add or replace an additional address of a customer."""
    fields = normalise_address(values)
    with db.transaction() as session:
        _row(session, tenant_id, ContactKind.CUSTOMER, customer_id, field="customer", lock=True)
        before = _address(session, tenant_id, customer_id, address_id) if address_id else None
        row = {
            "tenant_id": tenant_id,
            "id": address_id or uuid.uuid4(),
            "contact_id": customer_id,
            "address_type": fields["addressType"],
            "fields": fields,
        }
        if before is None:
            session.execute(
                insert(contact_addresses).values(**row, is_default=False, created_at=clock.now())
            )
        else:
            session.execute(
                update(contact_addresses)
                .where(
                    contact_addresses.c.tenant_id == tenant_id, contact_addresses.c.id == address_id
                )
                .values(**row)
            )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type="AdditionalAddress",
            entity_id=row["id"],
            before=before and before["fields"],
            after=fields,
            clock=clock,
        )
        return row


def _address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, address_id: uuid.UUID
) -> dict[str, Any]:
    row = session.execute(
        select(contact_addresses).where(
            contact_addresses.c.tenant_id == tenant_id,
            contact_addresses.c.id == address_id,
            contact_addresses.c.contact_id == customer_id,
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"address {address_id} does not exist", de="Adresse nicht gefunden.", field="address"
        )
    return dict(row._mapping)


def change_address(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    address_id: uuid.UUID | None,
    operation: str,
    clock: Clock,
) -> None:
    """``delete`` an address, make it the ``default`` for its type, ``undefault`` it, or (no
    address) make the main address the default for all types (``main``)."""
    with db.transaction() as session:
        _row(session, tenant_id, ContactKind.CUSTOMER, customer_id, field="customer", lock=True)
        scope = (contact_addresses.c.tenant_id == tenant_id) & (
            contact_addresses.c.contact_id == customer_id
        )
        target = _address(session, tenant_id, customer_id, address_id) if address_id else None
        if operation == "delete" and target:
            session.execute(
                delete(contact_addresses).where(scope, contact_addresses.c.id == address_id)
            )
        elif operation == "default" and target:
            session.execute(
                update(contact_addresses)
                .where(scope, contact_addresses.c.address_type == target["address_type"])
                .values(is_default=contact_addresses.c.id == address_id)
            )
        elif operation == "undefault" and target:
            session.execute(
                update(contact_addresses)
                .where(scope, contact_addresses.c.id == address_id)
                .values(is_default=False)
            )
        else:  # main address becomes the default for every type
            session.execute(update(contact_addresses).where(scope).values(is_default=False))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="AdditionalAddress",
            entity_id=address_id or customer_id,
            before=None,
            after={"operation": operation},
            clock=clock,
        )
