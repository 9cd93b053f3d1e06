"""Seed 003 §2.3 replayed: business invoices in STAGING, FINALIZED and EXTERNAL state, the
address override, item defaulting, and payments with a rest write-off. Deterministic fields
are compared exactly; generated ids, numbers and timestamps by format."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from starlette.testclient import TestClient

from tests.api.test_conformance_cash_invoices import exact, post
from tests.conftest import TenantFixture

UUID = re.compile(r"^[0-9a-f-]{36}$")
NUMBER = re.compile(r"^R \d{4} \d+$")
LINE = {
    "name": "REST Item",
    "itemPrice": 53.24,
    "itemPriceType": "N",
    "account": "4000",
    "taxClassEntry": "020",
}


def staging(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    return post(
        client,
        tenant,
        "/invoices",
        {
            "state": "STAGING",
            "date": "2016-10-21",
            "customerName": "manubu GmbH",
            "lines": [
                {**LINE, "amount": 1.00, "netPrice": 53.24, "taxPrice": 10.65, "totalPrice": 63.89}
            ],
        },
    )


def test_staging_invoice(client: TestClient, tenant: TenantFixture) -> None:
    result = staging(client, tenant)
    assert "id" not in result and UUID.match(result["uuid"])
    assert result["description"] == "Nachfolgend finden Sie die Detailaufstellung zur Rechnung."
    assert result["date"] == "2016-10-21" and result["state"] == "STAGING"
    assert (result["netAmount"], result["taxAmount"], result["totalAmount"]) == (
        Decimal("53.24"),
        Decimal("10.65"),
        Decimal("63.89"),
    )
    assert result["remainingAmount"] == Decimal("63.89")
    assert result["currency"] == "EUR" and result["currencyRate"] == 1
    assert result["customerName"] == "manubu GmbH"
    assert UUID.match(result["sequenceGroup"]) and UUID.match(result["paymentTerm"])
    assert result["addressInfo"] == {} and result["paid"] is False
    assert result["dueDate"] == "2016-11-04"  # default term: 14 days
    assert result["lines"] == [
        {
            "id": 1,
            "name": "REST Item",
            "type": "LINE",
            "itemPrice": Decimal("53.24"),
            "itemPriceType": "N",
            "netPrice": Decimal("53.24"),
            "taxPrice": Decimal("10.65"),
            "totalPrice": Decimal("63.89"),
            "remainingAmount": Decimal("63.89"),
            "discount": 0,
            "discountMode": "CONSTANT",
            "amount": Decimal("1.00"),
            "account": "4000",
            "taxClassEntry": "020",
        }
    ]
    # Drafts have no number and are not listed (seed 003 §3.4).
    listed = client.get("/api/1.1/invoices", headers=tenant.headers).json()
    assert result["uuid"] not in [d["uuid"] for d in listed]


def finalized(client: TestClient, tenant: TenantFixture, **extra: Any) -> dict[str, Any]:
    return post(
        client,
        tenant,
        "/invoices",
        {
            "state": "FINALIZED",
            "date": "2020-10-21",
            "customerName": "manubu GmbH",
            "netAmount": 106.48,
            "taxAmount": 21.30,
            "totalAmount": 127.78,
            "lines": [
                {
                    **LINE,
                    "amount": 2.00,
                    "netPrice": 106.48,
                    "taxPrice": 21.30,
                    "totalPrice": 127.78,
                    "itemDefaulting": False,
                }
            ],
            "addressInfo": {},
            **extra,
        },
    )


def test_finalized_invoice(client: TestClient, tenant: TenantFixture) -> None:
    result = finalized(client, tenant)
    assert NUMBER.match(result["id"]) and result["id"].startswith("R 2020 ")
    assert result["state"] == "FINALIZED"
    assert (
        result["netAmount"],
        result["taxAmount"],
        result["totalAmount"],
        result["remainingAmount"],
    ) == (Decimal("106.48"), Decimal("21.30"), Decimal("127.78"), Decimal("127.78"))
    assert UUID.match(result["layoutSetup"]) and result["dueDate"] == "2020-11-04"
    assert result["footer"] and result["typeCode"] == "380"
    line = result["lines"][0]
    assert (line["netPrice"], line["taxPrice"], line["totalPrice"], line["amount"]) == (
        Decimal("106.48"),
        Decimal("21.30"),
        Decimal("127.78"),
        Decimal("2.00"),
    )
    again = client.get(f"/api/1.1/invoices/{result['id']}", headers=tenant.headers)
    assert exact(again) == result
    second = finalized(client, tenant)
    listed = exact(client.get("/api/1.1/invoices", headers=tenant.headers))
    assert [d for d in listed if d.get("id") in (result["id"], second["id"])] == [
        result,
        second,
    ]  # lists carry the same lines and fields as single reads
    assert int(second["id"].split()[-1]) == int(result["id"].split()[-1]) + 1


def test_external_invoice_with_rate_discount(client: TestClient, tenant: TenantFixture) -> None:
    result = post(
        client,
        tenant,
        "/invoices",
        {
            "id": "ER 2016-0001",
            "date": "2016-10-21",
            "state": "EXTERNAL",
            "netAmount": 95.83,
            "taxAmount": 19.17,
            "totalAmount": 115.00,
            "currency": "EUR",
            "currencyRate": 1,
            "customerName": "manubu GmbH",
            "lines": [
                {
                    **LINE,
                    "netPrice": 95.83,
                    "taxPrice": 19.17,
                    "totalPrice": 115.00,
                    "discount": 10,
                    "discountMode": "RATE",
                    "amount": 2,
                }
            ],
            "addressInfo": {},
            "deliveryFromDate": "2016-10-21",
            "deliveryToDate": "2016-10-30",
        },
    )
    assert result["id"] == "ER 2016-0001" and result["state"] == "EXTERNAL"
    assert result["description"] == "" and result["footer"] == ""
    assert "sequenceGroup" not in result and "layoutSetup" not in result
    assert "addressInfo" not in result
    assert (
        result["netAmount"],
        result["taxAmount"],
        result["totalAmount"],
        result["remainingAmount"],
    ) == (Decimal("95.83"), Decimal("19.17"), Decimal("115.00"), Decimal("115.00"))
    assert result["lines"][0]["discount"] == 10 and result["lines"][0]["discountMode"] == "RATE"
    assert (result["deliveryFromDate"], result["deliveryToDate"], result["dueDate"]) == (
        "2016-10-21",
        "2016-10-30",
        "2016-11-04",
    )
    pdf = client.get("/api/1.1/invoices/ER 2016-0001/document", headers=tenant.headers)
    assert pdf.status_code == 404  # no PDF for EXTERNAL documents


def test_address_override_and_item_defaulting(client: TestClient, tenant: TenantFixture) -> None:
    customer = post(client, tenant, "/customers", {"companyName": "Kunde AG", "country": "AT"})
    address = post(
        client,
        tenant,
        f"/customers/{customer['id']}/additional_addresses",
        {"identifier": "Filiale", "city": "Graz", "country": "AT"},
    )
    category = post(
        client,
        tenant,
        "/item_categories",
        {"name": "Kurse", "account": "4000", "taxClassEntry": "020"},
    )
    item = post(
        client,
        tenant,
        "/items",
        {
            "name": "Intensivkurs",
            "sellingPrice": 23.65,
            "amountType": "T",
            "number": "TRi110",
            "unitOfMeasure": "PC",
            "description": "<p>110min Intensivkurs</p>",
            "itemCategory": category["id"],
            "account": "4001",
            "taxClassEntry": "020",
        },
    )
    info = {
        "salutationCode": "Hr",
        "title": "Hr",
        "firstName": "Max",
        "lastName": "Mustermann",
        "compSalutationCode": "Hr",
        "companyName": "Test GmbH",
        "streetName": "Mustergasse",
        "streetNumber": "707",
        "zipCode": "1010",
        "city": "Wien",
        "country": "AT",
        "region": "WIEN",
        "copyEmailType": "CC",
        "emailAddress": "maxMustermann@email.com",
        "copyEmailAddress": "maxMustermann2@email.com",
    }
    result = post(
        client,
        tenant,
        "/invoices",
        {
            "state": "STAGING",
            "customer": customer["id"],
            "additionalAddress": address["id"],
            "date": "2018-12-31",
            "paymentTerm": _term(client, tenant, 5),
            "lines": [
                {
                    "name": "BDD",
                    "item": item["id"],
                    "taxClassEntry": "020",
                    "amount": 1.00,
                    "netPrice": 12,
                    "taxPrice": 2.4,
                    "totalPrice": 14.4,
                }
            ],
            "addressInfo": info,
        },
    )
    assert result["customer"] == customer["id"]
    assert result["customerName"] == "Test GmbH, Max Mustermann"
    assert result["additionalAddress"] == address["id"] and result["addressInfo"] == info
    assert (result["netAmount"], result["taxAmount"], result["totalAmount"]) == (
        Decimal("12.00"),
        Decimal("2.40"),
        Decimal("14.40"),
    )
    assert result["dueDate"] == "2019-01-05"
    line = result["lines"][0]
    assert {
        k: line[k]
        for k in (
            "name",
            "description",
            "itemPrice",
            "itemPriceType",
            "unitOfMeasure",
            "itemNumber",
            "item",
            "account",
            "taxClassEntry",
        )
    } == {
        "name": "BDD",
        "description": "<p>110min Intensivkurs</p>",
        "itemPrice": Decimal("23.65"),
        "itemPriceType": "T",
        "unitOfMeasure": "PC",
        "itemNumber": "TRi110",
        "item": item["id"],
        "account": "4001",
        "taxClassEntry": "020",
    }


def _term(client: TestClient, tenant: TenantFixture, days: int) -> str:
    terms = client.get("/api/1.1/payment_terms", headers=tenant.headers).json()
    return next(t["id"] for t in terms if t["dueDays"] == days)


def test_payment_and_rest_write_off(client: TestClient, tenant: TenantFixture) -> None:
    invoice = post(
        client,
        tenant,
        "/invoices",
        {
            "state": "FINALIZED",
            "date": "2016-10-21",
            "customerName": "manubu GmbH",
            "netAmount": 89.82,
            "taxAmount": 17.96,
            "totalAmount": 107.78,
            "lines": [
                {
                    **LINE,
                    "itemPrice": 89.82,
                    "amount": 1,
                    "netPrice": 89.82,
                    "taxPrice": 17.96,
                    "totalPrice": 107.78,
                }
            ],
        },
    )
    number = invoice["id"]
    entries = post(
        client,
        tenant,
        f"/invoices/{number}/payments",
        {
            "amount": 10.00,
            "currencyRate": 1,
            "note": "REST payment",
            "date": "2016-10-21",
            "payingAccount": "2800",
            "restType": "UNCOLLECTABLE",
        },
    )
    assert [
        {k: e[k] for k in ("date", "type", "note", "amount", "cancelled")} for e in entries
    ] == [
        {
            "date": "2016-10-21",
            "type": "PAYED",
            "note": "REST payment",
            "amount": Decimal("10.00"),
            "cancelled": False,
        },
        {
            "date": "2016-10-21",
            "type": "UNCOLLECTABLE",
            "note": "REST payment",
            "amount": Decimal("97.78"),
            "cancelled": False,
        },
    ]
    paid = client.get(f"/api/1.1/invoices/{number}", headers=tenant.headers).json()
    assert paid["paid"] is True and paid["remainingAmount"] == 0
    assert paid["paidDate"] == "2016-10-21"
    assert date.fromisoformat(paid["paidDate"]) == date(2016, 10, 21)
