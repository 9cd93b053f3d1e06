"""Seed 003 §2.2 replayed: every worked example of incoming and outgoing invoices, in a fresh
AT tenant of the matching mode. Deterministic fields are compared exactly; generated ids and
numbers by format (the seed's tenant had earlier invoices, ours starts at 1)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.domain.contacts.partners import ContactKind
from beleg.services.contacts.partners import save_contact
from tests.conftest import TenantFixture, make_tenant, system_actor

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ER, AR = re.compile(r"^ER\d{4} \d+$"), re.compile(r"^AR\d{4} \d+$")
A, E, U = (re.compile(rf"^{p}\d{{4}} \d+") for p in "AEU")
LINE = {"account": "7200", "amount": 12, "amountType": "N"}
LINE_OUT = {"account": "4000", "amount": 12, "amountType": "N"}
LINE_RESULT = {
    "amount": 12,
    "amountType": "N",
    "account": "7200",
    "taxEntry": "020",
    "taxRate": 20,
    "netAmount": Decimal("12.00"),
    "taxAmount": Decimal("2.40"),
    "totalAmount": Decimal("14.40"),
}
TOTALS = {
    "netTotal": Decimal("12.00"),
    "taxTotal": Decimal("2.40"),
    "total": Decimal("14.40"),
    "currency": "EUR",
    "currencyRate": 1,
}
CANCEL = {"cancelReason": "API-cancel", "cancelDate": "2020-12-31"}


def exact(response: Any) -> Any:
    """The JSON body with numbers as Decimals, to compare amounts and their scale."""
    return json.loads(response.content, parse_float=Decimal)


def post(client: TestClient, tenant: TenantFixture, path: str, body: Any, status: int = 200) -> Any:
    response = client.post(f"/api/1.1{path}", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return exact(response)


def check_ids(result: dict[str, Any]) -> None:
    assert UUID.match(result["id"])
    for booking in result.get("bookings", []):
        assert UUID.match(booking["id"])


@pytest.fixture
def ea(db: Database, platform: dict[str, object]) -> TenantFixture:
    return make_tenant(db, mode="EA")


@pytest.fixture
def de(db: Database, platform: dict[str, object]) -> TenantFixture:
    return make_tenant(db, mode="DE")


def supplier(db: Database, tenant: TenantFixture, name: str) -> str:
    row = save_contact(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        kind=ContactKind.SUPPLIER,
        values={"companyName": name},
        clock=SystemClock(),
    )
    return str(row.id)


def test_ea_unpaid_incoming_invoice_has_no_number_and_no_booking(
    client: TestClient, ea: TenantFixture
) -> None:
    body = post(client, ea, "/incoming_invoices", {"invoiceDate": "2020-12-31", "lines": [LINE]})
    check_ids(body["result"])
    assert body == {
        "result": {
            "id": body["result"]["id"],
            "invoiceSequence": "",
            "invoiceDate": "2020-12-31",
            **TOTALS,
            "remainingTotal": Decimal("14.40"),
            "remainingTotalInMainCurrency": Decimal("14.40"),
            "lines": [{k: v for k, v in LINE_RESULT.items()}],
            "bookings": [],
        },
        "warnings": [],
        "infos": [],
    }


def paid_ea_invoice(client: TestClient, db: Database, ea: TenantFixture) -> dict[str, Any]:
    return post(
        client,
        ea,
        "/incoming_invoices",
        {
            "invoiceDate": "2020-10-31",
            "supplier": supplier(db, ea, "MediaMarkt"),
            "invoiceReference": "API-TEST",
            "dueDate": "2020-11-24",
            "paidContraAccount": "2700",
            "paidDate": "2020-10-31",
            "description": "API-TEST",
            "currency": "EUR",
            "currencyRate": "1",
            "lines": [LINE],
        },
    )


def test_ea_paid_incoming_invoice_then_cancellations(
    client: TestClient, db: Database, ea: TenantFixture
) -> None:
    created = paid_ea_invoice(client, db, ea)
    result = created["result"]
    check_ids(result)
    assert ER.match(result["invoiceSequence"]) and result["invoiceSequence"] == "ER2020 1"
    payment = result["bookings"][0]
    assert A.match(payment["journalNumber"])
    expected_payment = {
        "id": payment["id"],
        "type": "InvoicePaymentBooking",
        "number": 1,
        "cancelled": False,
        "reconciled": False,
        "journalNumber": payment["journalNumber"],
        "paymentType": "PAYMENT",
        "paymentDate": "2020-10-31",
        "paymentAmount": Decimal("14.40"),
        "paymentAmountInMainCurrency": Decimal("14.40"),
        "paymentContraAccount": "2700",
        "paymentCurrencyRate": 1,
        "paymentDescription": "API-TEST",
    }
    header = {
        "id": result["id"],
        "invoiceSequence": "ER2020 1",
        "invoiceDate": "2020-10-31",
        "dueDate": "2020-11-24",
        "paidDate": "2020-10-31",
        "supplier": result["supplier"],
        "supplierName": "MediaMarkt",
        "invoiceReference": "API-TEST",
        "description": "API-TEST",
        **TOTALS,
        "remainingTotal": Decimal("0.00"),
        "remainingTotalInMainCurrency": Decimal("0.00"),
    }
    assert result == {**header, "lines": [LINE_RESULT], "bookings": [expected_payment]}
    assert created["infos"] == [
        "Der Rechnung wurde die Nummer ER2020 1 vergeben.",
        f"Buchung {payment['journalNumber']} wurde erstellt.",
    ]
    found = exact(
        client.get(
            "/api/1.1/incoming_invoices?from=2020-01-01&to=2020-12-31&search_text=API",
            headers=ea.headers,
        )
    )
    assert found == [header]

    refused = client.post(
        f"/api/1.1/incoming_invoices/{result['id']}/cancel", json=CANCEL, headers=ea.headers
    )
    assert refused.status_code == 409
    error = refused.json()
    assert error["error"] == "InvoiceCannotBeCancelledException"
    assert error["message"] == (
        "Rechnung kann nicht storniert werden. Evtl. existieren offene "
        "Zahlungen - stornieren Sie diese zuerst."
    )
    assert (
        exact(client.get(f"/api/1.1/incoming_invoices/{result['id']}", headers=ea.headers))
        == result
    )

    undone = post(
        client, ea, f"/incoming_invoices/{result['id']}/bookings/{payment['id']}/cancel", CANCEL
    )
    cancellation = undone["result"]["bookings"][1]
    assert A.match(cancellation["journalNumber"])
    assert cancellation["journalNumber"] != payment["journalNumber"]
    assert undone["result"]["bookings"] == [
        {**expected_payment, "cancelled": True},
        {
            "id": cancellation["id"],
            "type": "InvoiceCancellationBooking",
            "number": 1,
            "cancelled": False,
            "reconciled": False,
            "journalNumber": cancellation["journalNumber"],
            "cancelledDate": "2020-12-31",
            "cancelledReason": "API-cancel",
            "cancelledBooking": payment["id"],
        },
    ]
    assert "paidDate" not in undone["result"]
    assert undone["result"]["remainingTotal"] == Decimal("14.40")
    assert undone["result"]["invoiceSequence"] == "ER2020 1"
    assert undone["infos"] == [f"Buchung {payment['journalNumber']} wurde storniert."]

    gone = post(client, ea, f"/incoming_invoices/{result['id']}/cancel", CANCEL)
    assert gone["infos"] == [] and gone["result"]["cancelledReason"] == "API-cancel"
    assert gone["result"]["cancelledDate"] == "2020-12-31"
    assert gone["result"]["remainingTotal"] == 0 == gone["result"]["remainingTotalInMainCurrency"]
    assert len(gone["result"]["bookings"]) == 2


def test_ea_partial_payment_with_private_part(client: TestClient, ea: TenantFixture) -> None:
    line = {**LINE, "privatePart": 50, "privatePartType": "P"}
    created = post(client, ea, "/incoming_invoices", {"invoiceDate": "2020-09-30", "lines": [line]})
    invoice = created["result"]["id"]
    paid = post(
        client,
        ea,
        f"/incoming_invoices/{invoice}/pay",
        {"paymentAmount": 10, "contraAccount": "2700", "paymentDate": "2020-12-31"},
    )
    result = paid["result"]
    assert result["invoiceSequence"] == "ER2020 1"
    assert result["remainingTotal"] == Decimal("4.40") and "paidDate" not in result
    assert result["lines"] == [
        {**LINE_RESULT, "privatePart": 50, "privatePartType": "P", "privatePartAccount": "9613"}
    ]
    booking = result["bookings"][0]
    assert booking["paymentAmount"] == 10 and booking["paymentAmountInMainCurrency"] == 10
    assert "paymentDescription" not in booking
    assert paid["infos"] == [
        "Der Rechnung wurde die Nummer ER2020 1 vergeben.",
        f"Buchung {booking['journalNumber']} wurde erstellt.",
    ]


def test_de_incoming_invoices(client: TestClient, de: TenantFixture) -> None:
    created = post(client, de, "/incoming_invoices", {"invoiceDate": "2020-12-31", "lines": [LINE]})
    result = created["result"]
    initial = result["bookings"][0]
    assert result["invoiceSequence"] == "ER2020 1" and A.match(initial["journalNumber"])
    assert initial == {
        "id": initial["id"],
        "type": "InvoiceInitialBooking",
        "number": 1,
        "cancelled": False,
        "reconciled": False,
        "journalNumber": initial["journalNumber"],
        "contraAccount": "3300",
    }
    assert result["remainingTotal"] == Decimal("14.40")
    assert created["infos"] == [
        "Der Rechnung wurde die Nummer ER2020 1 vergeben.",
        f"Buchung {initial['journalNumber']} wurde erstellt.",
    ]

    other_day = post(
        client,
        de,
        "/incoming_invoices",
        {
            "invoiceDate": "2020-09-15",
            "paidContraAccount": "2700",
            "paidDate": "2020-10-31",
            "lines": [LINE],
        },
    )["result"]
    first, payment = other_day["bookings"]
    assert other_day["invoiceSequence"] == "ER2020 2" and other_day["paidDate"] == "2020-10-31"
    assert first["contraAccount"] == "3300" and U.match(payment["journalNumber"])
    assert payment["number"] == 2 and payment["paymentAmount"] == Decimal("14.40")
    assert payment["paymentContraAccount"] == "2700" and other_day["remainingTotal"] == 0

    cancelled = post(client, de, f"/incoming_invoices/{result['id']}/cancel", CANCEL)
    initial_after, storno = cancelled["result"]["bookings"]
    assert initial_after == {**initial, "cancelled": True}
    assert storno["type"] == "InvoiceCancellationBooking" and storno["number"] == 1
    assert A.match(storno["journalNumber"]) and storno["cancelledBooking"] == initial["id"]
    assert cancelled["infos"] == [f"Buchung {initial['journalNumber']} wurde storniert."]
    assert cancelled["result"]["remainingTotal"] == 0


def test_de_pay_and_pay_rest(client: TestClient, de: TenantFixture) -> None:
    first = post(client, de, "/incoming_invoices", {"invoiceDate": "2020-12-31", "lines": [LINE]})[
        "result"
    ]
    paid = post(
        client,
        de,
        f"/incoming_invoices/{first['id']}/pay",
        {
            "paymentAmount": 14.4,
            "contraAccount": "2700",
            "paymentDate": "2020-12-31",
            "paymentDescription": "",
            "paymentAmountInMainCurrency": 14.4,
        },
    )
    payment = paid["result"]["bookings"][1]
    assert paid["result"]["paidDate"] == "2020-12-31" and paid["result"]["remainingTotal"] == 0
    assert payment["number"] == 2 and U.match(payment["journalNumber"])
    assert payment["paymentDescription"] == "" and payment["paymentAmount"] == Decimal("14.4")
    assert paid["infos"] == [f"Buchung {payment['journalNumber']} wurde erstellt."]

    second = post(client, de, "/incoming_invoices", {"invoiceDate": "2020-12-31", "lines": [LINE]})[
        "result"
    ]
    post(
        client,
        de,
        f"/incoming_invoices/{second['id']}/pay",
        {"paymentAmount": 13.0, "contraAccount": "2700", "paymentDate": "2020-12-31"},
    )
    rest = post(
        client,
        de,
        f"/incoming_invoices/{second['id']}/pay_rest",
        {"type": "DISCOUNT", "paymentDate": "2020-12-31", "paymentDescription": "Test Rest"},
    )
    discount = rest["result"]["bookings"][2]
    assert discount == {
        "id": discount["id"],
        "type": "InvoicePaymentBooking",
        "number": 3,
        "cancelled": False,
        "reconciled": False,
        "journalNumber": discount["journalNumber"],
        "paymentType": "DISCOUNT",
        "paymentDate": "2020-12-31",
        "paymentAmount": Decimal("1.40"),
        "paymentAmountInMainCurrency": Decimal("1.40"),
        "paymentContraAccount": "3300",
        "paymentCurrencyRate": 1,
        "paymentDescription": "Test Rest",
    }
    assert A.match(discount["journalNumber"])
    assert rest["result"]["paidDate"] == "2020-12-31" and rest["result"]["remainingTotal"] == 0
    assert rest["infos"] == [f"Buchung {discount['journalNumber']} wurde erstellt."]


def test_outgoing_invoices(client: TestClient, db: Database, de: TenantFixture) -> None:
    created = post(
        client, de, "/outgoing_invoices", {"invoiceDate": "2020-10-31", "lines": [LINE_OUT]}
    )
    result = created["result"]
    assert AR.match(result["invoiceSequence"])
    assert result["bookings"][0]["contraAccount"] == "2000"
    assert E.match(result["bookings"][0]["journalNumber"])
    assert [text.strip() for text in created["infos"]] == [
        f"Der Rechnung wurde die Nummer {result['invoiceSequence']} vergeben.",
        f"Buchung {result['bookings'][0]['journalNumber']} wurde erstellt.",
    ]

    customer = save_contact(
        db=db,
        actor=system_actor(de.id),
        tenant_id=de.id,
        kind=ContactKind.CUSTOMER,
        clock=SystemClock(),
        values={"companyName": "Testkunde", "firstName": "Herbert", "lastName": "Demomann"},
    )
    usd = post(
        client,
        de,
        "/outgoing_invoices",
        {
            "invoiceDate": "2020-10-31",
            "paidDate": "2020-11-30",
            "customer": str(customer.id),
            "invoiceReference": "API-TEST",
            "dueDate": "2020-11-22",
            "paidContraAccount": "2700",
            "description": "TestDescription",
            "currency": "USD",
            "currencyRate": "2",
            "lines": [LINE_OUT],
        },
    )
    out = usd["result"]
    assert out["customerName"] == out["partnerName"] == "Testkunde, Herbert Demomann"
    assert out["remainingTotal"] == 0 and out["paidDate"] == "2020-11-30"
    payment = out["bookings"][1]
    assert payment["paymentAmount"] == Decimal("14.40")
    assert payment["paymentAmountInMainCurrency"] == Decimal("28.80")
    assert payment["paymentCurrencyRate"] == 2
    assert payment["paymentDescription"] == "TestDescription"
    assert U.match(payment["journalNumber"]) and len(usd["infos"]) == 3
