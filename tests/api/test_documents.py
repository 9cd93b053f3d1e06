"""Sales documents beyond the seed's examples: validation errors, ledger bookings (DE),
credit memos, cancellations, completion and conversion, PDFs, corrections, templates with
recurring invoices, deposits and tenant isolation."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, ledger_postings, outbox_events, sales_documents
from tests.api.test_conformance_cash_invoices import exact
from tests.api.test_conformance_cash_invoices import post as _post
from tests.conftest import TenantFixture, make_tenant


def post(client: TestClient, tenant: TenantFixture, path: str, body: Any, status: int = 200) -> Any:
    """The response; an error's message followed by its details (which name the field)."""
    result = _post(client, tenant, path, body, status)
    if status >= 400:
        result["message"] += " | " + " | ".join(result.get("details") or [])
    return result


LINE = {
    "name": "Beratung",
    "itemPrice": 100,
    "itemPriceType": "N",
    "account": "4000",
    "taxClassEntry": "020",
    "amount": 1,
}


def invoice_body(
    net: str = "100.00", tax: str = "20.00", total: str = "120.00", **extra: Any
) -> dict[str, Any]:
    return {
        "state": "FINALIZED",
        "date": "2026-11-02",
        "customerName": "Kunde GmbH",
        "netAmount": net,
        "taxAmount": tax,
        "totalAmount": total,
        "lines": [{**LINE, "netPrice": net, "taxPrice": tax, "totalPrice": total}],
        **extra,
    }


def balances(db: Database, tenant: TenantFixture) -> dict[str, Decimal]:
    with db.reader() as session:
        rows = session.execute(
            select(ledger_postings.c.account_code, func.sum(ledger_postings.c.amount))
            .where(ledger_postings.c.tenant_id == tenant.id)
            .group_by(ledger_postings.c.account_code)
        ).all()
    return {code: Decimal(amount) for code, amount in rows if Decimal(amount) != 0}


def counts(db: Database, tenant: TenantFixture) -> tuple[int, int]:
    with db.reader() as session:
        documents = session.execute(
            select(func.count())
            .select_from(sales_documents)
            .where(sales_documents.c.tenant_id == tenant.id)
        ).scalar_one()
        audits = session.execute(
            select(func.count())
            .select_from(audit_entries)
            .where(audit_entries.c.tenant_id == tenant.id)
        ).scalar_one()
    return documents, audits


def test_line_mismatch_names_the_line_and_writes_nothing(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    before = counts(db, tenant)
    body = invoice_body()
    body["lines"][0]["netPrice"] = "100.01"
    body["lines"][0]["totalPrice"] = "120.01"
    error = post(client, tenant, "/invoices", body, status=400)
    assert "lines[0].netPrice" in error["message"] and "100.00" in error["message"]
    missing = invoice_body()
    del missing["totalAmount"]
    assert "totalAmount" in post(client, tenant, "/invoices", missing, status=400)["message"]
    wrong_total = invoice_body(total="120.00")
    wrong_total["totalAmount"] = "121.00"
    assert "totalAmount" in post(client, tenant, "/invoices", wrong_total, status=400)["message"]
    bad_entry = invoice_body()
    bad_entry["lines"][0]["taxClassEntry"] = "999"
    assert (
        "lines[0].taxClassEntry"
        in post(client, tenant, "/invoices", bad_entry, status=400)["message"]
    )
    main_rate = invoice_body(currencyRate=2)
    assert "currencyRate" in post(client, tenant, "/invoices", main_rate, status=400)["message"]
    assert counts(db, tenant) == before


def test_ea_books_income_only_when_paid(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db, mode="EA")
    invoice = post(client, tenant, "/invoices", invoice_body())
    assert balances(db, tenant) == {}  # cash basis: nothing booked at issue
    post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/payments",
        {"amount": 60, "date": "2026-11-10", "payingAccount": "2800"},
    )
    booked = balances(db, tenant)
    assert booked["2800"] == Decimal("60.00") and booked["4000"] == Decimal("-50.00")
    post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/payments",
        {"amount": 60, "date": "2026-11-11", "payingAccount": "2800"},
    )
    booked = balances(db, tenant)
    assert booked["2800"] == Decimal("120.00") and booked["4000"] == Decimal("-100.00")
    assert sum(booked.values()) == 0


def test_de_invoice_books_receivable_and_payment(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    invoice = post(client, tenant, "/invoices", invoice_body())
    booked = balances(db, tenant)
    vat = next(code for code in booked if code not in ("2000", "4000"))
    assert booked == {
        "2000": Decimal("120.00"),
        "4000": Decimal("-100.00"),
        vat: Decimal("-20.00"),
    }  # receivable against revenue and output VAT
    bookings = client.get(
        f"/api/1.1/invoices/{invoice['id']}/bookings", headers=tenant.headers
    ).json()
    assert [b["type"] for b in bookings] == ["RECEIVABLES"]
    entries = post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/payments",
        {"amount": 50, "date": "2026-11-10", "payingAccount": "2800"},
    )
    assert entries[0]["type"] == "PAYED" and entries[0]["amount"] == Decimal("50.00")
    assert balances(db, tenant)["2000"] == Decimal("70.00")
    over = post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/payments",
        {"amount": 71, "date": "2026-11-10", "payingAccount": "2800"},
        status=400,
    )
    assert "amount" in over["message"]
    cancelled = post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/payments/{entries[0]['id']}/cancel",
        {"cancelDate": "2026-11-11", "cancelReason": "Fehlbuchung"},
    )
    assert [e["type"] for e in cancelled] == ["PAYED", "CANCELLED"]
    assert cancelled[1]["cancellationOfPayment"] is True and cancelled[0]["cancelled"] is True
    assert balances(db, tenant)["2000"] == Decimal("120.00")
    assert sum(balances(db, tenant).values()) == 0


def test_cancellation_types(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    plain = post(client, tenant, "/invoices", invoice_body())
    paid = post(
        client,
        tenant,
        f"/invoices/{plain['id']}/payments",
        {"amount": 10, "date": "2026-11-03", "payingAccount": "2800"},
    )
    refused = post(client, tenant, f"/invoices/{plain['id']}/cancel", {}, status=409)
    assert "Zahlungen" in refused["message"]
    post(
        client,
        tenant,
        f"/invoices/{plain['id']}/payments/{paid[0]['id']}/cancel",
        {"cancelDate": "2026-11-03", "cancelReason": "zurück"},
    )
    done = post(
        client, tenant, f"/invoices/{plain['id']}/cancel", {"cancellationDate": "2026-11-04"}
    )
    assert done["state"] == "CANCELLED" and done["remainingAmount"] == 0
    with_memo = post(client, tenant, "/invoices", invoice_body())
    result = post(
        client,
        tenant,
        f"/invoices/{with_memo['id']}/cancel",
        {"cancelType": "CANCELLATION_CREDIT_MEMO", "cancellationDate": "2026-11-05"},
    )
    memo = client.get(
        f"/api/1.1/credit_memos/{result['newDocumentNumber']}", headers=tenant.headers
    ).json()
    assert memo["relatedDocument"] == with_memo["id"] and memo["typeCode"] == "381"
    assert memo["totalAmount"] == 120 and memo["remainingAmount"] == 0
    negative = post(client, tenant, "/invoices", invoice_body())
    result = post(
        client, tenant, f"/invoices/{negative['id']}/cancel", {"cancelType": "CANCELLATION_INVOICE"}
    )
    storno = client.get(
        f"/api/1.1/invoices/{result['newDocumentNumber']}", headers=tenant.headers
    ).json()
    assert storno["totalAmount"] == -120 and storno["lines"][0]["netPrice"] == -100
    assert balances(db, tenant).get("2000", Decimal(0)) == 0
    assert sum(balances(db, tenant).values()) == 0
    again = post(client, tenant, f"/invoices/{negative['id']}/cancel", {}, status=409)
    assert again["message"]


def test_credit_memo_is_paid_out(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    body = invoice_body()
    body["lines"][0]["type"] = "CREDIT_MEMO"
    memo = post(client, tenant, "/credit_memos", body)
    assert memo["id"].startswith("G 2026 ") and memo["typeCode"] == "381"
    assert balances(db, tenant)["2000"] == Decimal("-120.00")
    entries = post(
        client,
        tenant,
        f"/credit_memos/{memo['id']}/payments",
        {"date": "2026-11-20", "payingAccount": "2800"},
    )
    assert entries[0]["amount"] == Decimal("120.00")
    assert "2000" not in balances(db, tenant)


def test_offer_completion_and_conversion_chain(client: TestClient, tenant: TenantFixture) -> None:
    offer = post(client, tenant, "/offers", invoice_body(expirationDate="2026-12-01"))
    assert offer["id"].startswith("AN 2026 ") and "remainingAmount" not in offer
    wrong = post(
        client, tenant, f"/offers/{offer['id']}/complete", {"completionState": "DONE"}, status=400
    )
    assert "completionState" in wrong["message"]
    accepted = post(
        client,
        tenant,
        f"/offers/{offer['id']}/complete",
        {"completionState": "ACCEPTED", "completionDate": "2026-11-05"},
    )
    assert accepted["completionState"] == "ACCEPTED"
    post(
        client,
        tenant,
        f"/offers/{offer['id']}/complete",
        {"completionState": "REJECTED"},
        status=409,
    )
    order = post(
        client,
        tenant,
        f"/offers/{offer['id']}/convert",
        {"targetType": "ORDER_CONFIRMATION", "date": "2026-11-06"},
    )
    assert order["id"].startswith("AB 2026 ") and order["referenceText"] == offer["id"]
    note = post(
        client,
        tenant,
        f"/order_confirmations/{order['id']}/convert",
        {"targetType": "DELIVERY_NOTE", "date": "2026-11-07"},
    )
    delivered = post(
        client,
        tenant,
        f"/delivery_notes/{note['id']}/complete",
        {"completionState": "DELIVERED", "completionDate": "2026-11-08"},
    )
    assert delivered["completionState"] == "DELIVERED"
    invoice = post(
        client,
        tenant,
        f"/delivery_notes/{note['id']}/convert",
        {"targetType": "INVOICE", "date": "2026-11-09"},
    )
    assert invoice["id"].startswith("R 2026 ") and invoice["totalAmount"] == 120


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_of_a_finalized_invoice(
    client: TestClient, tenant: TenantFixture, tmp_path: Any
) -> None:
    invoice = post(client, tenant, "/invoices", invoice_body(customerName="Musterkunde AG"))
    response = client.get(f"/api/1.1/invoices/{invoice['id']}/document", headers=tenant.headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(response.content)
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert invoice["id"] in text and "Musterkunde AG" in text and "120,00" in text
    again = client.get(f"/api/1.1/invoices/{invoice['id']}/document", headers=tenant.headers)
    assert again.content == response.content  # stored once, served as stored


def test_item_based_corrections(client: TestClient, tenant: TenantFixture) -> None:
    invoice = post(client, tenant, "/invoices", invoice_body())
    base = f"/invoices/{invoice['id']}/lines/1"
    before = client.get(f"/api/1.1{base}/correctable_amount", headers=tenant.headers).json()
    assert before == {
        "totalCorrectableAmount": 120.0,
        "remainingCorrectableAmount": 120.0,
        "currency": "EUR",
    }
    memo = post(
        client,
        tenant,
        f"{base}/corrections",
        {"amount": 30, "date": "2026-11-12", "reason": "Kulanz"},
    )
    assert memo["typeCode"] == "381" and memo["creationReason"] == "Kulanz"
    assert (memo["relatedDocument"], memo["relatedDocumentDate"]) == (invoice["id"], "2026-11-02")
    assert (memo["netAmount"], memo["taxAmount"], memo["totalAmount"]) == (
        Decimal("25.00"),
        Decimal("5.00"),
        Decimal("30.00"),
    )
    after = exact(client.get(f"/api/1.1{base}/correctable_amount", headers=tenant.headers))
    assert after["remainingCorrectableAmount"] == Decimal("90.00")
    over = post(
        client,
        tenant,
        f"{base}/corrections",
        {"amount": 90.01, "date": "2026-11-12", "reason": "zu viel"},
        status=400,
    )
    assert "90.00" in over["message"]
    updated = client.get(f"/api/1.1/invoices/{invoice['id']}", headers=tenant.headers).json()
    assert updated["remainingAmount"] == 90
    selfbilled = post(client, tenant, "/invoices", invoice_body(selfBilling=True))
    assert selfbilled["typeCode"] == "389"
    correction = post(
        client,
        tenant,
        f"/invoices/{selfbilled['id']}/lines/1/corrections",
        {"amount": 12, "date": "2026-11-12", "reason": "Gutschrift"},
    )
    assert correction["typeCode"] == "261"


def test_subscription_template_issues_invoices_when_time_passes(
    client: TestClient, platform: dict[str, object], db: Database
) -> None:
    tenant = make_tenant(db, test_mode=True)
    client.put(
        "/v2/test-clock", json={"frozenAt": "2026-01-30T12:00:00Z"}, headers=tenant.headers
    ).raise_for_status()
    body = invoice_body(
        templateName="Monatsabo",
        templateInterval=1,
        templateIntervalType="MONTH",
        nextInvoiceDate="2026-01-31",
    )
    template = post(client, tenant, "/invoice_templates", body)
    assert template["templateName"] == "Monatsabo" and template["nextInvoiceDate"] == "2026-01-31"
    listed = client.get("/api/1.1/invoice_templates", headers=tenant.headers).json()
    assert listed == []  # subscriptions only with include_subscriptions
    client.post(
        "/v2/test-clock/advance", json={"days": 60}, headers=tenant.headers
    ).raise_for_status()
    invoices = client.get("/api/1.1/invoices", headers=tenant.headers).json()
    # Clock now 31 March 12:00: three periods, month ends kept (anchored at 31 January).
    assert [i["date"] for i in invoices] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert [i["id"] for i in invoices] == ["TEST-R 2026 1", "TEST-R 2026 2", "TEST-R 2026 3"]
    current = client.get(
        f"/api/1.1/invoice_templates/{template['uuid']}", headers=tenant.headers
    ).json()
    assert current["nextInvoiceDate"] == "2026-04-30"
    client.post(
        "/v2/test-clock/advance", json={"days": 1}, headers=tenant.headers
    ).raise_for_status()  # a retry issues nothing twice
    assert len(client.get("/api/1.1/invoices", headers=tenant.headers).json()) == 3
    bad = post(
        client, tenant, "/invoice_templates", {**body, "templateIntervalType": None}, status=400
    )
    assert "templateInterval" in bad["message"]


def test_deposits_are_invoiced_and_settled(client: TestClient, tenant: TenantFixture) -> None:
    customer = post(client, tenant, "/customers", {"companyName": "Bau AG"})
    order = post(
        client,
        tenant,
        "/order_confirmations",
        invoice_body(
            net="1000.00",
            tax="200.00",
            total="1200.00",
            customer=customer["id"],
            deposits=[{"amount": "600.00", "description": "50 % Anzahlung"}],
        )
        | {
            "lines": [
                {
                    **LINE,
                    "itemPrice": 1000,
                    "netPrice": "1000.00",
                    "taxPrice": "200.00",
                    "totalPrice": "1200.00",
                }
            ]
        },
    )
    deposit = post(
        client,
        tenant,
        "/invoices",
        invoice_body(
            net="500.00",
            tax="100.00",
            total="600.00",
            customer=customer["id"],
            depositFor=order["id"],
        )
        | {
            "lines": [
                {
                    **LINE,
                    "itemPrice": 500,
                    "netPrice": "500.00",
                    "taxPrice": "100.00",
                    "totalPrice": "600.00",
                }
            ]
        },
    )
    assert deposit["typeCode"] == "386" and deposit["depositFor"] == order["id"]
    too_much = post(
        client,
        tenant,
        "/invoices",
        invoice_body(customer=customer["id"], depositFor=order["id"]),
        status=400,
    )
    assert "depositFor" in too_much["message"]
    final_lines = [
        {
            **LINE,
            "itemPrice": 1000,
            "netPrice": "1000.00",
            "taxPrice": "200.00",
            "totalPrice": "1200.00",
        },
        {
            "name": "Anzahlung",
            "type": "ON_ACCT",
            "amount": 1,
            "depositInvoice": deposit["id"],
            "account": "4000",
            "taxClassEntry": "020",
            "itemPrice": 600,
            "itemPriceType": "T",
            "netPrice": "-500.00",
            "taxPrice": "-100.00",
            "totalPrice": "-600.00",
        },
    ]
    final = post(
        client,
        tenant,
        "/invoices",
        invoice_body(net="500.00", tax="100.00", total="600.00", customer=customer["id"])
        | {"lines": final_lines},
    )
    assert final["totalAmount"] == 600 and final["lines"][1]["depositInvoice"] == deposit["id"]
    twice = post(
        client,
        tenant,
        "/invoices",
        invoice_body(net="500.00", tax="100.00", total="600.00", customer=customer["id"])
        | {"lines": final_lines},
        status=400,
    )
    assert "bereits" in twice["message"] or "already" in twice["message"]


def test_documents_are_tenant_scoped(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    invoice = post(client, tenant, "/invoices", invoice_body())
    for path in ("", "/payments", "/document"):
        response = client.get(
            f"/api/1.1/invoices/{invoice['id']}{path}", headers=other_tenant.headers
        )
        assert response.status_code == 404, path
    for resource in ("invoices", "credit_memos"):  # only offers, orders, notes complete
        response = client.post(
            f"/api/1.1/{resource}/1/complete",
            json={"completionState": "DONE"},
            headers=tenant.headers,
        )
        assert response.status_code in {404, 405}, resource


def test_the_finalized_event_carries_what_a_receiver_acts_on(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """The ``document.finalized`` outbox event, the webhook's data (ADR 0021)."""
    invoice = post(client, tenant, "/invoices", invoice_body(dueDate="2026-11-16"))
    with db.transaction() as session:
        payload = session.execute(
            select(outbox_events.c.payload).where(
                outbox_events.c.tenant_id == tenant.id,
                outbox_events.c.topic == "document.finalized",
            )
        ).scalar_one()
    assert payload == {
        "id": invoice["uuid"],  # the seed's "id" is the document number
        "type": "INVOICE",
        "typeCode": "380",
        "number": invoice["id"],
        "state": "FINALIZED",
        "documentDate": "2026-11-02",
        "dueDate": "2026-11-16",
        "customerId": None,
        "customerName": "Kunde GmbH",
        "currency": "EUR",
        "net": "100.00",
        "tax": "20.00",
        "total": "120.00",
        "relatedDocumentId": None,
    }
