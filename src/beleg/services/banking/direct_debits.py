"""Direct-debit batches (``/v2/direct-debit-batches``): one transaction collects every open
SEPA invoice into a batch of items (domain/banking/direct_debits), bumps each mandate's
collection count (FRST becomes RCUR next time; an OOFF or FNAL mandate is COMPLETED) and
records the audit entries. The files are rendered from the stored items when downloaded."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal

from beleg.clock import Clock, today_in
from beleg.db import Session
from beleg.db import tenancy as tenancy_db
from beleg.db.audit import Change, record_changes
from beleg.db.banking import direct_debits as repo
from beleg.db.banking import mandates as mandates_db
from beleg.db.database import Database
from beleg.db.tenancy import company as company_db
from beleg.domain.audit.chain import AuditAction
from beleg.domain.banking.direct_debits import BatchItem, plan_items
from beleg.domain.banking.mandates import Mandate, MandateStatus, SequenceType, checked_iban
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.tenancy.company import CompanyData

ENTITY = "DirectDebitBatch"
MANDATE_ENTITY = "SepaMandate"
ENDING = (SequenceType.OOFF, SequenceType.FNAL)


def _creditor(company: CompanyData) -> CompanyData:
    """The company data a pain.008 needs: creditor identifier, name and IBAN (400 naming
    the first that is missing, as ``/v2/tenant-config/company`` calls it)."""
    for field, value in (
        ("creditorId", company.creditor_id),
        ("legalName", company.legal_name),
        ("iban", company.iban),
    ):
        if not value:
            raise ValidationFailed("banking.company_field_missing", field=field, name=field)
    checked_iban(company.iban or "")
    return company


def _collected(before: Mandate, items: list[BatchItem], clock: Clock) -> Mandate:
    ending = any(i.sequence_type in ENDING for i in items)
    return replace(
        before,
        collections=before.collections + len(items),
        status=MandateStatus.COMPLETED if ending else before.status,
        updated_at=clock.now(),
    )


def create_batch(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    collection_date: date | None,
    clock: Clock,
) -> repo.BatchHead:
    """A batch of every open SEPA invoice not collected yet (400 naming ``collectionDate``
    when there is none). ``collection_date`` is the earliest wanted; each item is collected on
    it, or its invoice's due date when later, never before the lead time and always on a
    TARGET2 business day (domain/banking/collection)."""
    with db.transaction() as session:
        clock = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock)
        today = today_in(clock, tenancy_db.tenant_timezone(session, tenant_id))
        # The company row locked first: batches of one tenant are made one after another, so
        # two at once cannot pick the same invoice (the unique item constraint stays behind).
        company = _creditor(company_db.load_company(session, tenant_id, lock=True))
        invoices = repo.open_sepa_invoices(session, tenant_id)
        mandates = mandates_db.active_mandates(
            session, tenant_id, {i.customer_id for i in invoices}
        )
        items = plan_items(invoices, mandates, today=today, requested=collection_date)
        if not items:
            raise ValidationFailed("banking.nothing_to_collect", field="collectionDate")
        head = repo.BatchHead(
            id=uuid.uuid4(),
            creditor_id=company.creditor_id or "",
            creditor_name=company.legal_name or "",
            creditor_iban=company.iban or "",
            creditor_bic=company.bic,
            item_count=len(items),
            total=sum((i.amount for i in items), Decimal("0.00")),
            created_at=clock.now(),
        )
        repo.insert_batch(session, tenant_id, head)
        repo.insert_items(session, tenant_id, head.id, items)
        changes = [Change(AuditAction.CREATE, ENTITY, head.id, None, _snapshot(head, items))]
        changes += _bump_mandates(session, tenant_id, mandates, items, clock)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return head


def _bump_mandates(
    session: Session,
    tenant_id: uuid.UUID,
    mandates: dict[uuid.UUID, Mandate],
    items: list[BatchItem],
    clock: Clock,
) -> list[Change]:
    by_id = {m.id: m for m in mandates.values()}
    used: dict[uuid.UUID, list[BatchItem]] = {}
    for item in items:
        used.setdefault(item.mandate_id, []).append(item)
    changes = []
    for mandate_id, collected in used.items():
        before = by_id[mandate_id]
        after = _collected(before, collected, clock)
        mandates_db.update_mandate(session, tenant_id, after)
        changes.append(
            Change(
                AuditAction.UPDATE,
                MANDATE_ENTITY,
                mandate_id,
                mandates_db.mandate_snapshot(before),
                mandates_db.mandate_snapshot(after),
            )
        )
    return changes


def _snapshot(head: repo.BatchHead, items: list[BatchItem]) -> dict[str, object]:
    parts = Counter(i.part for i in items)
    return {
        "creditorId": head.creditor_id,
        "itemCount": head.item_count,
        "total": str(head.total),
        "files": len(parts),
        "documents": [str(i.document_id) for i in items],
    }
