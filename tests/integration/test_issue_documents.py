"""Issuing a batch of typed drafts in one transaction (services/documents/issue.py, the entry
point of billing runs): numbered in blocks without gaps, booked, announced and audited in
bulk; read back exactly as documents issued one by one; and nothing written when one draft
of the batch is bad."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.documents import store
from beleg.db.tables import audit_entries, outbox_events, sales_documents, sequences
from beleg.domain.documents.drafts import DocumentDraft, DraftLine
from beleg.domain.documents.model import TaxRounding
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.queries.ledger.reports import trial_balance
from beleg.services.documents.issue import issue_documents
from tests.conftest import TenantFixture, system_actor

D = Decimal
DAY = date(2026, 12, 1)
SUBSCRIPTION = DraftLine("Abo Dezember", D(1), D("29.90"), "4000", "020", unit_of_measure="PC")
USAGE = DraftLine("API-Aufrufe", D(1234), D("0.00042"), "4000", "020")
REDUCED = DraftLine("Fachbuch", D(2), D("0.05"), "4000", "010")


def _drafts(customer: str, count: int) -> list[DocumentDraft]:
    invoices = [
        DocumentDraft(
            DocumentType.INVOICE,
            DAY,
            (SUBSCRIPTION, USAGE, REDUCED),
            customer_id=uuid.UUID(customer) if i % 2 else None,
            customer_name=None if i % 2 else f"Laufkunde {i}",
            texts={"deliveryFromDate": "2026-11-01", "deliveryToDate": "2026-11-30"},
        )
        for i in range(count)
    ]
    credit = DocumentDraft(
        DocumentType.CREDIT_MEMO, DAY, (SUBSCRIPTION,), customer_name="Gutschrift GmbH"
    )
    return [*invoices, credit]


def _count(db: Database, table: object, tenant: TenantFixture) -> int:
    with db.reader() as session:
        return int(
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
        )


def test_a_batch_is_numbered_booked_and_announced_in_bulk(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    customer = client.post(
        "/api/1.1/customers", json={"companyName": "Abo AG"}, headers=tenant.headers
    ).json()["id"]
    audits_before = _count(db, audit_entries, tenant)
    with db.transaction() as session:
        docs = issue_documents(
            session,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            drafts=_drafts(customer, 30),
            clock=SystemClock(),
        )
    invoices, credit = docs[:-1], docs[-1]
    assert [d.number for d in invoices] == [f"R 2026 {n}" for n in range(1, 31)]
    assert credit.number == "G 2026 1"
    # 29.90 + 0.52 (1234 x 0.00042 = 0.51828) at 20 %: 30.42 -> 6.08; 0.10 at 10 %: 0.01
    assert {(d.net, d.tax, d.total) for d in invoices} == {(D("30.52"), D("6.09"), D("36.61"))}
    assert (credit.net, credit.tax, credit.total, credit.sign) == (
        D("29.90"),
        D("5.98"),
        D("35.88"),
        -1,
    )
    with db.reader() as session:
        stored = store.document_by_id(session, tenant.id, invoices[1].id)
        last = session.execute(
            select(sequences.c.last_value).where(
                sequences.c.tenant_id == tenant.id,
                sequences.c.series.like("document-counter:%"),
                sequences.c.last_value == 30,
            )
        ).scalar_one()
    assert last == 30  # one block of 30, not 30 single allocations leaving traces
    assert stored.tax_rounding is TaxRounding.PER_VAT_GROUP
    assert stored.customer_name == "Abo AG" and stored.history[0].entry_type.value == "RECEIVABLES"
    assert [(ln.net, ln.tax) for ln in stored.lines] == [
        (D("29.90"), D("5.98")),
        (D("0.52"), D("0.10")),
        (D("0.10"), D("0.01")),
    ]
    balances = {
        r.account: r.balance
        for r in trial_balance(db=db, tenant_id=tenant.id, date_from=DAY, date_to=DAY)
    }
    assert sum(balances.values()) == 0
    assert balances["2000"] == 30 * D("36.61") - D("35.88")
    assert _count(db, outbox_events, tenant) >= 2 * 31
    # one entry per document and one per journal, appended in one go
    assert _count(db, audit_entries, tenant) - audits_before == 2 * 31
    api = client.get("/api/1.1/invoices/R 2026 2", headers=tenant.headers).json()
    assert (api["netAmount"], api["taxAmount"], api["totalAmount"]) == (30.52, 6.09, 36.61)
    assert api["customer"] == customer and api["deliveryFromDate"] == "2026-11-01"


def test_per_line_drafts_match_documents_created_through_the_api(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    line = DraftLine("Beratung", D(1), D(100), "4000", "020")
    draft = DocumentDraft(
        DocumentType.INVOICE,
        DAY,
        (line,),
        customer_name="Kunde GmbH",
        tax_rounding=TaxRounding.PER_LINE,
    )
    with db.transaction() as session:
        (issued,) = issue_documents(
            session,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            drafts=[draft],
            clock=SystemClock(),
        )
    body = {
        "state": "FINALIZED",
        "date": "2026-12-01",
        "customerName": "Kunde GmbH",
        "netAmount": "100.00",
        "taxAmount": "20.00",
        "totalAmount": "120.00",
        "lines": [
            {
                "name": "Beratung",
                "itemPrice": 100,
                "itemPriceType": "N",
                "account": "4000",
                "taxClassEntry": "020",
                "amount": 1,
                "netPrice": "100.00",
                "taxPrice": "20.00",
                "totalPrice": "120.00",
            }
        ],
    }
    created = client.post("/api/1.1/invoices", json=body, headers=tenant.headers).json()
    batch = client.get(f"/api/1.1/invoices/{issued.number}", headers=tenant.headers).json()
    for key in ("netAmount", "taxAmount", "totalAmount", "remainingAmount", "dueDate", "typeCode"):
        assert batch[key] == created[key], key
    assert batch["lines"][0]["totalPrice"] == created["lines"][0]["totalPrice"]


def test_one_bad_draft_leaves_nothing_behind(db: Database, tenant: TenantFixture) -> None:
    good = DocumentDraft(DocumentType.INVOICE, DAY, (SUBSCRIPTION,), customer_name="A")
    bad = DocumentDraft(
        DocumentType.INVOICE, DAY, (DraftLine("x", D(1), D(1), "2800", "020"),), customer_name="B"
    )
    before = (_count(db, sales_documents, tenant), _count(db, audit_entries, tenant))
    with pytest.raises(ValidationFailed) as error, db.transaction() as session:
        issue_documents(
            session,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            drafts=[good, good, bad],
            clock=SystemClock(),
        )
    assert error.value.field == "drafts[2].lines[0].account"
    assert (_count(db, sales_documents, tenant), _count(db, audit_entries, tenant)) == before
    with db.transaction() as session:
        (first,) = issue_documents(
            session,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            drafts=[good],
            clock=SystemClock(),
        )
    assert first.number == "R 2026 1"  # the failed batch gave its numbers back
