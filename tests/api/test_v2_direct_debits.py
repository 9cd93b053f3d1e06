"""SEPA direct debit on /v2: mandates (reference, signature date, CORE/B2B, IBAN by
schwifty), batches of the open SEPA invoices with FRST then RCUR, collection dates on TARGET2
business days, 800 transactions per pain.008.001.08 file, each invoice collected once, and
tenant isolation."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.banking import mandates as mandates_db
from beleg.db.database import Database
from beleg.db.tables import audit_entries, direct_debit_items, sales_documents
from beleg.domain.banking.mandates import checked_iban
from beleg.domain.documents.drafts import DocumentDraft, DraftLine
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.formats.pdf.model import DirectDebitNotice
from beleg.formats.sepa import pain008
from beleg.services.documents.issue import issue_documents
from beleg.services.documents.pdf import layout_input
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_company import FULL
from tests.conftest import TenantFixture, system_actor

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
DEBTOR_IBAN = "DE02120300000000202051"
LINE = DraftLine("Abo Dezember", Decimal(1), Decimal("29.90"), "8400", "019", unit_of_measure="PC")


def _freeze(client: TestClient, tenant: TenantFixture, day: str) -> None:
    call(client, tenant, "PUT", "/test-clock", {"frozenAt": f"{day}T10:00:00Z"})


def _customer(client: TestClient, tenant: TenantFixture, kind: str = "B2B") -> dict[str, Any]:
    body = {
        "type": kind,
        "companyName": "Abo AG" if kind == "B2B" else None,
        "firstName": None if kind == "B2B" else "Eva",
        "lastName": None if kind == "B2B" else "Muster",
        "country": "DE",
        "paymentMethod": "SEPA_DIRECT_DEBIT",
        "paymentAccounts": [{"iban": DEBTOR_IBAN, "accountHolder": "Abo AG"}],
    }
    return call(
        client, tenant, "POST", "/customers", {k: v for k, v in body.items() if v}, status=201
    )


def _mandate(
    client: TestClient, tenant: TenantFixture, customer: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {
        "customerId": customer["id"],
        "paymentAccountId": customer["paymentAccounts"][0]["id"],
        "reference": extra.pop("reference", f"M-{uuid.uuid4().hex[:8]}"),
        "signedOn": "2026-11-01",
        **extra,
    }
    return call(client, tenant, "POST", "/mandates", body, status=extra.pop("status", 201))


def _issue(db: Database, tenant: TenantFixture, customer: dict[str, Any], count: int) -> None:
    drafts = [
        DocumentDraft(
            DocumentType.INVOICE,
            date(2026, 12, 1),
            (LINE,),
            customer_id=uuid.UUID(customer["id"]),
            texts={"deliveryFromDate": "2026-12-01", "deliveryToDate": "2026-12-31"},
        )
        for _ in range(count)
    ]
    with db.transaction() as session:
        issue_documents(
            session,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            drafts=drafts,
            clock=SystemClock(),
        )


def _ready(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    return _customer(client, tenant)


def _problem(client: TestClient, tenant: TenantFixture, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v2/mandates", json=body, headers=tenant.headers)
    return _why(response)


def _why(response: Any) -> dict[str, Any]:
    """Status, the field named and the English text of a refused request."""
    assert response.status_code in (400, 404, 409), response.text
    body = response.json()
    return {
        "status": response.status_code,
        "field": body["errors"][0]["field"],
        "code": body["detail"],
    }


def test_mandate_rules(client: TestClient, billing_tenant: TenantFixture) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-04")
    customer = _ready(client, t)
    made = _mandate(client, t, customer, reference="M-2026/1", type="B2B")
    assert made["status"] == "ACTIVE" and made["iban"] == DEBTOR_IBAN
    assert (made["type"], made["collections"], made["oneOff"]) == ("B2B", 0, False)
    assert call(client, t, "GET", f"/mandates/{made['id']}") == made
    base = {
        "customerId": customer["id"],
        "paymentAccountId": customer["paymentAccounts"][0]["id"],
        "signedOn": "2026-12-04",
    }
    taken = _problem(client, t, {**base, "reference": "M-2026/1"})
    assert (taken["status"], taken["field"], taken["code"]) == (
        409,
        "reference",
        "a mandate with reference M-2026/1 exists already",
    )
    spaces = _problem(client, t, {**base, "reference": "M 2026"})
    assert (spaces["field"], spaces["code"]) == (
        "reference",
        (
            "reference must be 1-35 characters of A-Z a-z 0-9 / - ? : ( ) . , ' + "
            "(SEPA character set, no spaces)"
        ),
    )
    too_long = _problem(client, t, {**base, "reference": "M" * 36})
    assert too_long["field"] == "reference"
    future = _problem(client, t, {**base, "reference": "M-2", "signedOn": "2026-12-05"})
    assert (future["field"], future["code"]) == (
        "signedOn",
        "signedOn must not be after today (2026-12-04)",
    )
    consumer = _customer(client, t, "B2C")
    b2b = _problem(
        client,
        t,
        {
            **base,
            "customerId": consumer["id"],
            "paymentAccountId": consumer["paymentAccounts"][0]["id"],
            "reference": "M-3",
            "type": "B2B",
        },
    )
    assert (b2b["field"], b2b["code"]) == (
        "type",
        "a B2B mandate needs a business customer; a consumer signs a CORE mandate",
    )
    core = _mandate(client, t, consumer, reference="M-3")
    assert core["type"] == "CORE"
    mistake = _mandate(client, t, consumer, reference="M-OOPS")
    assert client.delete(f"/v2/mandates/{mistake['id']}", headers=t.headers).status_code == 204
    assert client.get(f"/v2/mandates/{mistake['id']}", headers=t.headers).status_code == 404
    foreign = _problem(
        client, t, {**base, "reference": "M-4", "paymentAccountId": str(uuid.uuid4())}
    )
    assert foreign["field"] == "paymentAccountId"
    revoked = call(client, t, "POST", f"/mandates/{made['id']}/revoke")
    assert revoked["status"] == "REVOKED"
    again = client.post(f"/v2/mandates/{made['id']}/revoke", headers=t.headers)
    assert _why(again) == {
        "status": 409,
        "field": "mandate",
        "code": "mandate M-2026/1 is no longer active",
    }
    listed = call(client, t, "GET", "/mandates?search=status==ACTIVE")
    assert [m["reference"] for m in listed["items"]] == ["M-3"]


def test_a_bad_iban_is_refused_by_schwifty(
    client: TestClient, billing_tenant: TenantFixture
) -> None:
    bad = client.post(
        "/v2/customers",
        json={
            "type": "B2B",
            "companyName": "X",
            "paymentMethod": "SEPA_DIRECT_DEBIT",
            "paymentAccounts": [{"iban": "DE02120300000000202052", "accountHolder": "X"}],
        },
        headers=billing_tenant.headers,
    )
    assert _why(bad)["status"] == 400 and "iban" in _why(bad)["field"], bad.text
    with pytest.raises(ValidationFailed) as refused:
        checked_iban("DE02120300000000202052")
    assert (refused.value.code, refused.value.field) == ("banking.iban_invalid", "iban")


def _file(client: TestClient, tenant: TenantFixture, batch: str, part: int) -> bytes:
    response = client.get(
        f"/v2/direct-debit-batches/{batch}/file?part={part}", headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    pain008.validate(response.content)
    return response.content


def _texts(xml: bytes, path: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(xml).iterfind(path, NS)]


def test_frst_then_rcur_on_target2_days_and_never_twice(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-24")
    customer = _ready(client, t)
    mandate = _mandate(client, t, customer, reference="ABO-1")
    _issue(db, t, customer, 2)
    first = call(client, t, "POST", "/direct-debit-batches", {}, status=201)
    # Thursday 24 December: D-1 is Monday 28 December (25/26 December are TARGET2 holidays).
    assert first["files"] == [
        {
            "part": 1,
            "collectionDate": "2026-12-28",
            "sequenceType": "FRST",
            "instrument": "CORE",
            "numberOfTransactions": 2,
            "controlSum": "71.16",
        }
    ]
    assert (first["itemCount"], first["total"]) == (2, "71.16")  # 2 x 29.90 + 19 % VAT
    assert [i["endToEndId"] for i in first["items"]] == ["TEST-R 2026 1", "TEST-R 2026 2"]
    assert {i["mandateReference"] for i in first["items"]} == {"ABO-1"}
    xml = _file(client, t, first["id"], 1)
    assert _texts(xml, ".//p:SeqTp") == ["FRST"]
    assert _texts(xml, ".//p:GrpHdr/p:NbOfTxs") == ["2"]
    assert _texts(xml, ".//p:GrpHdr/p:CtrlSum") == ["71.16"]
    assert _texts(xml, ".//p:ReqdColltnDt") == ["2026-12-28"]
    # Nothing left: the same invoices are never collected twice.
    nothing = client.post("/v2/direct-debit-batches", json={}, headers=t.headers)
    assert _why(nothing) == {
        "status": 400,
        "field": "collectionDate",
        "code": "there is no open SEPA direct-debit invoice with an active mandate to collect",
    }
    assert call(client, t, "GET", f"/mandates/{mandate['id']}")["collections"] == 2
    used = client.delete(f"/v2/mandates/{mandate['id']}", headers=t.headers)
    assert _why(used) == {
        "status": 409,
        "field": "id",
        "code": "mandate ABO-1 has been used for collections: revoke it instead",
    }
    _issue(db, t, customer, 1)
    second = call(
        client, t, "POST", "/direct-debit-batches", {"collectionDate": "2027-01-01"}, status=201
    )
    assert [(f["sequenceType"], f["collectionDate"]) for f in second["files"]] == [
        ("RCUR", "2027-01-04")
    ]
    assert [i["endToEndId"] for i in second["items"]] == ["TEST-R 2026 3"]
    assert _texts(_file(client, t, second["id"], 1), ".//p:SeqTp") == ["RCUR"]
    missing = client.get(f"/v2/direct-debit-batches/{second['id']}/file?part=2", headers=t.headers)
    assert _why(missing)["field"] == "part"
    listed = call(client, t, "GET", "/direct-debit-batches")
    assert {b["id"] for b in listed["items"]} == {first["id"], second["id"]}
    with db.reader() as session:
        audited = session.execute(
            select(func.count())
            .select_from(audit_entries)
            .where(
                audit_entries.c.tenant_id == t.id,
                audit_entries.c.entity_type.in_(["DirectDebitBatch", "SepaMandate"]),
            )
        ).scalar_one()
    assert audited == 5  # mandate created, 2 batches, the mandate's count bumped twice


def test_one_off_and_final_mandates_complete(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-07")
    one = _ready(client, t)
    _mandate(client, t, one, reference="ONCE", oneOff=True)
    last = _customer(client, t)
    final = _mandate(client, t, last, reference="LAST")
    call(client, t, "POST", f"/mandates/{final['id']}/final")
    _issue(db, t, one, 2)
    _issue(db, t, last, 1)
    batch = call(client, t, "POST", "/direct-debit-batches", {}, status=201)
    assert sorted((f["sequenceType"], f["numberOfTransactions"]) for f in batch["files"]) == [
        ("FNAL", 1),
        ("OOFF", 1),
    ]
    mandates = call(client, t, "GET", "/mandates")["items"]
    assert {m["reference"]: m["status"] for m in mandates} == {
        "ONCE": "COMPLETED",
        "LAST": "COMPLETED",
    }
    nothing = client.post("/v2/direct-debit-batches", json={}, headers=t.headers)
    assert nothing.status_code == 400


def test_801_invoices_give_two_files_of_800_and_1(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-04")
    customer = _ready(client, t)
    _mandate(client, t, customer, reference="BULK")
    _issue(db, t, customer, 801)
    headers = {**t.headers, "Idempotency-Key": "batch-801"}
    made = client.post("/v2/direct-debit-batches", json={}, headers=headers)
    repeated = client.post("/v2/direct-debit-batches", json={}, headers=headers)
    assert (made.status_code, repeated.status_code) == (201, 201)
    batch = made.json()
    assert repeated.json()["id"] == batch["id"]  # the first result, nothing collected twice
    assert [(f["part"], f["numberOfTransactions"], f["controlSum"]) for f in batch["files"]] == [
        (1, 800, "28464.00"),  # 800 x 35.58
        (2, 1, "35.58"),
    ]
    assert (batch["itemCount"], batch["total"]) == (801, "28499.58")
    big, small = _file(client, t, batch["id"], 1), _file(client, t, batch["id"], 2)
    assert _texts(big, ".//p:GrpHdr/p:NbOfTxs") == ["800"]
    assert _texts(big, ".//p:PmtInf/p:CtrlSum") == ["28464.00"]
    assert _texts(small, ".//p:GrpHdr/p:NbOfTxs") == ["1"]
    assert _texts(small, ".//p:EndToEndId") == ["TEST-R 2026 801"]
    with db.reader() as session:
        stored = session.execute(
            select(func.count()).where(direct_debit_items.c.tenant_id == t.id)
        ).scalar_one()
    assert stored == 801


def test_the_company_needs_a_creditor_id(client: TestClient, billing_tenant: TenantFixture) -> None:
    t = billing_tenant
    call(client, t, "PUT", "/tenant-config/company", {**FULL, "creditorId": None})
    refused = client.post("/v2/direct-debit-batches", json={}, headers=t.headers)
    assert _why(refused) == {
        "status": 400,
        "field": "creditorId",
        "code": "the company data lack creditorId, which a SEPA direct-debit file needs",
    }


def test_tenants_see_only_their_mandates_and_batches(
    client: TestClient, db: Database, billing_tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-04")
    customer = _ready(client, t)
    mandate = _mandate(client, t, customer)
    _issue(db, t, customer, 1)
    batch = call(client, t, "POST", "/direct-debit-batches", {}, status=201)
    for path in (
        f"/v2/mandates/{mandate['id']}",
        f"/v2/direct-debit-batches/{batch['id']}",
        f"/v2/direct-debit-batches/{batch['id']}/file",
    ):
        assert client.get(path, headers=other_tenant.headers).status_code == 404
    revoke = client.post(f"/v2/mandates/{mandate['id']}/revoke", headers=other_tenant.headers)
    assert revoke.status_code == 404
    assert call(client, other_tenant, "GET", "/mandates")["items"] == []
    assert call(client, other_tenant, "GET", "/direct-debit-batches")["items"] == []
    foreign = client.post(
        "/v2/mandates",
        json={
            "customerId": customer["id"],
            "paymentAccountId": customer["paymentAccounts"][0]["id"],
            "reference": "STEAL",
            "signedOn": "2026-11-01",
        },
        headers=other_tenant.headers,
    )
    assert foreign.status_code == 404


def test_the_invoice_of_a_sepa_customer_carries_the_pre_notification(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    _freeze(client, t, "2026-12-04")
    customer = _ready(client, t)
    _issue(db, t, customer, 1)
    with db.reader() as session:
        doc_id = session.execute(
            select(sales_documents.c.id).where(sales_documents.c.tenant_id == t.id)
        ).scalar_one()
        due = session.execute(
            select(sales_documents.c.due_date).where(sales_documents.c.id == doc_id)
        ).scalar_one()
        before = layout_input(session, tenant_id=t.id, doc_id=doc_id).payment.direct_debit
    assert before == DirectDebitNotice(None, None, None, due)  # through a payment provider
    _mandate(client, t, customer, reference="ABO-9")
    with db.reader() as session:
        after = layout_input(session, tenant_id=t.id, doc_id=doc_id).payment.direct_debit
    assert after == DirectDebitNotice("ABO-9", "DE98ZZZ09999999999", DEBTOR_IBAN, due)


def test_a_reference_taken_at_the_last_moment_is_a_409(
    db: Database, billing_tenant: TenantFixture, client: TestClient
) -> None:
    t = billing_tenant
    customer = _ready(client, t)
    first = _mandate(client, t, customer, reference="RACE")
    with db.reader() as session:
        stored = mandates_db.find_mandate(session, t.id, uuid.UUID(first["id"]))
    assert stored is not None
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        mandates_db.insert_mandate(session, t.id, replace(stored, id=uuid.uuid4()))
    assert (refused.value.code, refused.value.field) == (
        "banking.mandate_reference_taken",
        "reference",
    )
