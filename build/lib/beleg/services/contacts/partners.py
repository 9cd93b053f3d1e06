"""Customers and suppliers: create, replace, upsert by number, delete, personal contra
accounts (double-entry only), and the additional addresses of customers (seed 003 §3.9)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session, ledger
from beleg.db.audit import record_change
from beleg.db.contacts import customers as customers_db
from beleg.db.contacts import partners as repo
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.customers import Customer
from beleg.domain.contacts.partners import (
    Address,
    Contact,
    ContactKind,
    contra_account_code,
    display_name,
    normalise_address,
    normalise_contact,
)
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import Account, AccountType
from beleg.domain.tenancy.settings import AccountingMode
from beleg.services.contacts.customers import publish_change

MAX_ACCOUNT_NAME = 200
ACCOUNT_NAMES_LANGUAGE = "de"  # accounts created for contacts are named like the chart's
ADDRESS = "AdditionalAddress"


def save_contact(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    values: Mapping[str, Any],
    clock: Clock,
    contact_id: uuid.UUID | None = None,
    by_number: bool = False,
) -> Contact:
    """Create (no id), replace (id) or upsert by number a contact; with
    ``createContraAccount`` a double-entry tenant also gets its personal contra account."""
    fields = normalise_contact(kind, dict(values))
    with db.transaction() as session:
        before: Contact | None = None
        if by_number:
            before = _by_number(session, tenant_id, kind, fields.get(kind.number_field))
        elif contact_id is not None:
            before = repo.contact(session, tenant_id, kind, contact_id, lock=True)
        old = _as_customer(session, tenant_id, before)
        saved = _contact(kind, fields, before, contact_id or uuid.uuid4(), clock.now())
        if before is None:
            repo.insert_contact(session, tenant_id, saved)
        else:
            repo.update_contact(session, tenant_id, saved)
        if values.get("createContraAccount") and not saved.contra_account:
            saved = _with_contra_account(session, tenant_id, saved, values.get("contraAccount"))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type=kind.value.title(),
            entity_id=saved.id,
            before=dict(before.fields) if before else None,
            after=fields,
            clock=clock,
        )
        if kind is ContactKind.CUSTOMER:
            new = customers_db.customer(session, tenant_id, saved.id)
            publish_change(session, tenant_id=tenant_id, before=old, after=new, clock=clock)
        return saved


def _as_customer(
    session: Session, tenant_id: uuid.UUID, contact: Contact | None
) -> Customer | None:
    """The customer as /v2 shows it before a change (its ``customer.updated`` event)."""
    if contact is None or contact.kind is not ContactKind.CUSTOMER:
        return None
    return customers_db.customer(session, tenant_id, contact.id)


def _contact(
    kind: ContactKind,
    fields: dict[str, Any],
    before: Contact | None,
    new_id: uuid.UUID,
    now: datetime,
) -> Contact:
    """The contact as saved: ``fields`` replace what ``before`` had (its id, creation time
    and contra account stay); without ``before`` a new contact ``new_id``."""
    return Contact(
        id=before.id if before else new_id,
        kind=kind,
        number=fields.get(kind.number_field) or None,
        display_name=display_name(fields),
        fields=fields,
        created_at=before.created_at if before else now,
        updated_at=now,
        contra_account=before.contra_account if before else None,
    )


def _by_number(
    session: Session, tenant_id: uuid.UUID, kind: ContactKind, number: str | None
) -> Contact | None:
    """The one contact an upsert by number replaces (None: it creates one)."""
    if not number:
        raise ValidationFailed(
            "contacts.number_required", field=kind.number_field, name=kind.number_field
        )
    found = repo.lock_numbered(session, tenant_id, kind, number)
    if len(found) > 1:
        raise Conflict(
            "contacts.number_not_unique",
            field=kind.number_field,
            name=kind.number_field,
            number=number,
            count=len(found),
        )
    return found[0] if found else None


def create_contra_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    code: str | None,
    clock: Clock,
) -> Contact:
    """Seed 003 §3.9: a personal receivables/payables account, double-entry only."""
    with db.transaction() as session:
        found = repo.contact(session, tenant_id, kind, contact_id, lock=True)
        if found.contra_account:
            raise Conflict(
                "contacts.customer_has_contra_account"
                if kind is ContactKind.CUSTOMER
                else "contacts.supplier_has_contra_account",
                field="contraAccount",
                code=found.contra_account,
            )
        saved = _with_contra_account(session, tenant_id, found, code)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=kind.value.title(),
            entity_id=contact_id,
            before={"contraAccount": None},
            after={"contraAccount": saved.contra_account},
            clock=clock,
        )
        return saved


def _with_contra_account(
    session: Session, tenant_id: uuid.UUID, contact: Contact, code: str | None
) -> Contact:
    """Add the contact's personal unpaid account to the chart (type S, tax class 000 only)
    and return the contact with it."""
    books = ledger.load_books(session, tenant_id)
    if books.mode is not AccountingMode.DE:
        raise ValidationFailed(
            "contacts.contra_account_double_entry_only", field="createContraAccount"
        )
    customer = contact.kind is ContactKind.CUSTOMER
    base = books.chart.receivables if customer else books.chart.payables
    chosen = contra_account_code(code, base=base, used=books.accounts.keys())
    name = messages.text(
        "contacts.receivables_account_name" if customer else "contacts.payables_account_name",
        ACCOUNT_NAMES_LANGUAGE,
        name=contact.display_name,
    )
    account = Account(chosen, name[:MAX_ACCOUNT_NAME], AccountType.MISCELLANEOUS)
    ledger.insert_account(session, tenant_id, account, account.default_tax_code)
    repo.set_contra_account(session, tenant_id, contact.id, chosen)
    return replace(contact, contra_account=chosen)


def delete_contact(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Delete a contact no invoice refers to (invoices keep their partner) and, a customer,
    no contract is made with."""
    with db.transaction() as session:
        found = repo.contact(session, tenant_id, kind, contact_id, lock=True)
        if repo.has_invoices(session, tenant_id, contact_id):
            raise Conflict(
                "contacts.customer_has_invoices"
                if kind is ContactKind.CUSTOMER
                else "contacts.supplier_has_invoices",
                field="id",
            )
        if kind is ContactKind.CUSTOMER and repo.has_contracts(session, tenant_id, contact_id):
            raise Conflict("contacts.customer_has_contracts", field="id")
        repo.delete_contact(session, tenant_id, contact_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=kind.value.title(),
            entity_id=contact_id,
            before=dict(found.fields),
            after=None,
            clock=clock,
        )


def save_address(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    values: Mapping[str, Any],
    clock: Clock,
    address_id: uuid.UUID | None = None,
) -> Address:
    """Add or replace an additional address of a customer."""
    fields = normalise_address(dict(values))
    with db.transaction() as session:
        repo.contact(
            session, tenant_id, ContactKind.CUSTOMER, customer_id, field="customer", lock=True
        )
        before = repo.address(session, tenant_id, customer_id, address_id) if address_id else None
        if before is None:
            saved = Address(
                id=address_id or uuid.uuid4(),
                contact_id=customer_id,
                address_type=fields["addressType"],
                fields=fields,
                created_at=clock.now(),
            )
            repo.insert_address(session, tenant_id, saved)
        else:
            saved = replace(before, address_type=fields["addressType"], fields=fields)
            repo.update_address(session, tenant_id, saved)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type=ADDRESS,
            entity_id=saved.id,
            before=dict(before.fields) if before else None,
            after=fields,
            clock=clock,
        )
        return saved


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
        repo.contact(
            session, tenant_id, ContactKind.CUSTOMER, customer_id, field="customer", lock=True
        )
        target = repo.address(session, tenant_id, customer_id, address_id) if address_id else None
        if operation == "delete" and target:
            repo.delete_address(session, tenant_id, customer_id, target.id)
        elif operation == "default" and target:
            repo.make_default_address(session, tenant_id, target)
        elif operation == "undefault" and target:
            repo.clear_default_addresses(session, tenant_id, customer_id, target.id)
        else:  # main address becomes the default for every type
            repo.clear_default_addresses(session, tenant_id, customer_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ADDRESS,
            entity_id=address_id or customer_id,
            before=None,
            after={"operation": operation},
            clock=clock,
        )
