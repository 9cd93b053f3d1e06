"""SEPA mandates (``/v2/mandates``): created for a payment account of a customer, revoked
instead of deleted. Each change in one transaction with its audit entry."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from beleg.clock import Clock, today_in
from beleg.db import tenancy as tenancy_db
from beleg.db.audit import Change, record_changes
from beleg.db.banking import mandates as repo
from beleg.db.contacts import customers as customers_db
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.banking.mandates import (
    Mandate,
    MandateStatus,
    MandateType,
    checked_iban,
    checked_reference,
    checked_signature,
    checked_type,
)
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.principal import Actor

ENTITY = "SepaMandate"


def create_mandate(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    payment_account_id: uuid.UUID,
    reference: str,
    signed_on: date,
    mandate_type: MandateType,
    one_off: bool,
    clock: Clock,
) -> Mandate:
    """A new active mandate for one of the customer's payment accounts. The reference is
    unique per tenant (409 naming ``reference``); signed today at the latest; B2B only for a
    business customer; the account's IBAN checked again (schwifty)."""
    reference = checked_reference(reference)
    with db.transaction() as session:
        clock = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock)
        today = today_in(clock, tenancy_db.tenant_timezone(session, tenant_id))
        checked_signature(signed_on, today=today)
        customer = customers_db.customer(session, tenant_id, customer_id, lock=True)
        checked_type(mandate_type, customer_type=customer.profile.customer_type.value)
        account = next((a for a in customer.payment_accounts if a.id == payment_account_id), None)
        if account is None:
            raise NotFound(
                "banking.payment_account_not_found",
                field="paymentAccountId",
                id=payment_account_id,
            )
        if repo.reference_taken(session, tenant_id, reference):
            raise Conflict(
                "banking.mandate_reference_taken", field="reference", reference=reference
            )
        now = clock.now()
        mandate = Mandate(
            id=uuid.uuid4(),
            customer_id=customer_id,
            payment_account_id=account.id,
            reference=reference,
            signed_on=signed_on,
            mandate_type=mandate_type,
            one_off=one_off,
            final=False,
            status=MandateStatus.ACTIVE,
            iban=checked_iban(account.iban),
            bic=account.bic,
            account_holder=account.account_holder,
            collections=0,
            created_at=now,
            updated_at=now,
        )
        repo.insert_mandate(session, tenant_id, mandate)
        change = Change(
            AuditAction.CREATE, ENTITY, mandate.id, None, repo.mandate_snapshot(mandate)
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return mandate


def _change_status(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    mandate_id: uuid.UUID,
    clock: Clock,
    final: bool = False,
) -> Mandate:
    with db.transaction() as session:
        clock = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock)
        before = repo.find_mandate(session, tenant_id, mandate_id, lock=True)
        if before is None:
            raise NotFound("banking.mandate_not_found", field="id", id=mandate_id)
        if before.status is not MandateStatus.ACTIVE:
            raise Conflict(
                "banking.mandate_not_active", field="mandate", reference=before.reference
            )
        if final:
            after = replace(before, final=True, updated_at=clock.now())
        else:
            after = replace(before, status=MandateStatus.REVOKED, updated_at=clock.now())
        repo.update_mandate(session, tenant_id, after)
        change = Change(
            AuditAction.UPDATE,
            ENTITY,
            after.id,
            repo.mandate_snapshot(before),
            repo.mandate_snapshot(after),
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def revoke_mandate(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, mandate_id: uuid.UUID, clock: Clock
) -> Mandate:
    """The mandate is revoked: no batch collects under it any more (the rows stay, with the
    collections already made)."""
    return _change_status(
        db=db, actor=actor, tenant_id=tenant_id, mandate_id=mandate_id, clock=clock
    )


def finish_mandate(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, mandate_id: uuid.UUID, clock: Clock
) -> Mandate:
    """The mandate's next collection is its last: it goes out as FNAL and the mandate is
    COMPLETED afterwards (rulebook 4.5.3)."""
    return _change_status(
        db=db, actor=actor, tenant_id=tenant_id, mandate_id=mandate_id, clock=clock, final=True
    )


def delete_mandate(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, mandate_id: uuid.UUID, clock: Clock
) -> None:
    """A mandate no batch has used is deleted (a mistake); once used it can only be revoked
    (409 naming ``id``): its collections refer to it."""
    with db.transaction() as session:
        clock = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock)
        before = repo.find_mandate(session, tenant_id, mandate_id, lock=True)
        if before is None:
            raise NotFound("banking.mandate_not_found", field="id", id=mandate_id)
        if before.used:
            raise Conflict("banking.mandate_used", field="id", reference=before.reference)
        repo.delete_mandate(session, tenant_id, mandate_id)
        change = Change(AuditAction.DELETE, ENTITY, mandate_id, repo.mandate_snapshot(before), None)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
