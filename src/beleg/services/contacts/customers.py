"""Customers of the billing API: create, change, add and remove payment accounts.

Each operation is one transaction with its audit entry and its outbox event:
``customer.created`` with ``customer``, ``customer.updated`` with ``customer`` and
``oldCustomer`` (the state before), both as /v2 shows a customer. A customer number not given
comes from the tenant's counter (``db/sequences.py``); a number given may have any prefix and
must not belong to another customer yet (409 naming ``customerNumber``; a unique index
stands behind the check).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.contacts import customers as repo
from beleg.db.contacts import partners as contacts
from beleg.db.database import Database
from beleg.db.outbox import enqueue
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.customers import (
    Customer,
    CustomerDraft,
    CustomerPatch,
    CustomerProfile,
    PaymentAccount,
    PaymentMethod,
    check_customer,
    contact_fields,
)
from beleg.domain.contacts.identifiers import AccountDraft, check_account
from beleg.domain.contacts.partners import Contact, ContactKind, display_name
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.principal import Actor

ENTITY = "Customer"  # as the accounting API's customers
ACCOUNT_ENTITY = "CustomerPaymentAccount"
CREATED = "customer.created"
UPDATED = "customer.updated"


def create_customer(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    draft: CustomerDraft,
    accounts: Sequence[AccountDraft] = (),
    clock: Clock,
) -> Customer:
    """A new customer with its payment accounts (all checked before anything is written)."""
    checked = check_customer(draft, payment_accounts=len(accounts))
    banked = [check_account(a, f"paymentAccounts[{i}].") for i, a in enumerate(accounts)]
    with db.transaction() as session:
        number = _number(session, tenant_id, checked.customer_number, None)
        checked = replace(checked, customer_number=number)
        now = clock.now()
        fields = contact_fields({}, checked, None)
        contact = Contact(
            uuid.uuid4(), ContactKind.CUSTOMER, number, display_name(fields), fields, now, now
        )
        contacts.insert_contact(session, tenant_id, contact, _profile(checked))
        repo.insert_payment_accounts(
            session,
            tenant_id,
            [
                PaymentAccount(uuid.uuid4(), contact.id, a.iban, a.bic, a.account_holder, now)
                for a in banked
            ],
        )
        created = repo.customer(session, tenant_id, contact.id)
        _record(session, actor=actor, tenant_id=tenant_id, before=None, after=created, clock=clock)
        return created


def update_customer(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    patch: CustomerPatch,
    clock: Clock,
) -> Customer:
    """Change the fields ``patch`` sets; the accounting API's other fields stay."""
    with db.transaction() as session:
        before = repo.customer(session, tenant_id, customer_id, lock=True)
        old = before.draft()
        checked = check_customer(
            patch.applied_to(old), payment_accounts=len(before.payment_accounts)
        )
        number = _number(session, tenant_id, checked.customer_number, before.contact.number)
        checked = replace(checked, customer_number=number)
        fields = contact_fields(before.contact.fields, checked, old)
        contact = replace(
            before.contact,
            number=number,
            display_name=display_name(fields),
            fields=fields,
            updated_at=clock.now(),
        )
        contacts.update_contact(session, tenant_id, contact, _profile(checked))
        after = repo.customer(session, tenant_id, customer_id)
        _record(session, actor=actor, tenant_id=tenant_id, before=before, after=after, clock=clock)
        return after


def add_payment_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    account: AccountDraft,
    clock: Clock,
) -> PaymentAccount:
    """A new payment account of the customer; its IBAN must not be one of its accounts yet."""
    banked = check_account(account)
    with db.transaction() as session:
        before = repo.customer(session, tenant_id, customer_id, lock=True)
        if any(a.iban == banked.iban for a in before.payment_accounts):
            raise Conflict("contacts.iban_taken", field="iban", iban=banked.iban)
        added = PaymentAccount(
            uuid.uuid4(), customer_id, banked.iban, banked.bic, banked.account_holder, clock.now()
        )
        repo.insert_payment_accounts(session, tenant_id, [added])
        _account_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            before=before,
            action=AuditAction.CREATE,
            account=added,
            clock=clock,
        )
        return added


def remove_payment_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    account_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Remove a payment account; a customer paying by SEPA direct debit keeps its last one."""
    with db.transaction() as session:
        before = repo.customer(session, tenant_id, customer_id, lock=True)
        found = next((a for a in before.payment_accounts if a.id == account_id), None)
        if found is None:
            raise NotFound(
                "contacts.payment_account_not_found", field="accountId", account=account_id
            )
        sepa = before.profile.payment_method is PaymentMethod.SEPA_DIRECT_DEBIT
        if sepa and len(before.payment_accounts) == 1:
            raise Conflict("contacts.sepa_keeps_account", field="paymentMethod")
        repo.delete_payment_account(session, tenant_id, customer_id, account_id)
        _account_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            before=before,
            action=AuditAction.DELETE,
            account=found,
            clock=clock,
        )


def _number(
    session: Session, tenant_id: uuid.UUID, wanted: str | None, current: str | None
) -> str | None:
    """The customer's number: ``wanted`` if it is free (or already the customer's), the
    counter's next one for a new customer without one, else ``current``."""
    if wanted is None:
        return repo.next_customer_number(session, tenant_id) if current is None else current
    if wanted != current and contacts.number_taken(
        session, tenant_id, ContactKind.CUSTOMER, wanted
    ):
        raise Conflict(
            "contacts.number_taken", field="customerNumber", name="customerNumber", number=wanted
        )
    return wanted


def _profile(draft: CustomerDraft) -> CustomerProfile:
    return CustomerProfile(
        customer_type=draft.customer_type,
        payment_method=draft.payment_method,
        vat_id=draft.vat_id,
        currency=draft.currency,
        shipping_address=draft.shipping_address,
        e_invoicing=draft.e_invoicing,
    )


def _account_change(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    before: Customer,
    action: AuditAction,
    account: PaymentAccount,
    clock: Clock,
) -> None:
    """Audit the account itself, then the customer's change with its event."""
    snapshot = {"customerId": str(before.id), **account.snapshot()}
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=action,
        entity_type=ACCOUNT_ENTITY,
        entity_id=account.id,
        before=snapshot if action is AuditAction.DELETE else None,
        after=snapshot if action is AuditAction.CREATE else None,
        clock=clock,
    )
    after = repo.customer(session, tenant_id, before.id)
    publish_change(session, tenant_id=tenant_id, before=before, after=after, clock=clock)


def _record(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    before: Customer | None,
    after: Customer,
    clock: Clock,
) -> None:
    """The audit entry and the outbox event of a created (no ``before``) or changed customer."""
    old = before.snapshot() if before else None
    new = after.snapshot()
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=after.id,
        before=old,
        after=new,
        clock=clock,
    )
    publish_change(session, tenant_id=tenant_id, before=before, after=after, clock=clock)


def publish_change(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    before: Customer | None,
    after: Customer,
    clock: Clock,
) -> None:
    """Step (the caller's transaction): the outbox event of a created (no ``before``) or
    changed customer, whichever API changed it."""
    new = after.snapshot()
    if before is None:
        enqueue(session, tenant_id=tenant_id, topic=CREATED, payload={"customer": new}, clock=clock)
        return
    payload = {"customer": new, "oldCustomer": before.snapshot()}
    enqueue(session, tenant_id=tenant_id, topic=UPDATED, payload=payload, clock=clock)
