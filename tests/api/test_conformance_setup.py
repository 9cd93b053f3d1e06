"""Seed 003 §2.6 (rebook) and §2.7 (balances, bank accounts) replayed, plus the account and
tax class entry reads of CashBasedSetup."""

from __future__ import annotations

import re
from decimal import Decimal

from starlette.testclient import TestClient

from beleg.api.v11 import models
from tests.api.test_conformance_cash_invoices import exact, post
from tests.conftest import TenantFixture


def test_rebook_2800_to_2700(client: TestClient, tenant: TenantFixture) -> None:
    body = post(
        client,
        tenant,
        "/rebooks",
        {
            "type": "REBOOK",
            "amount": 1200.00,
            "account": "2800",
            "contraAccount": "2700",
            "description": "",
            "reference": "",
            "date": "2020-01-01",
        },
    )
    assert re.match(r"^U\d{4} \d+", body["id"])
    assert body == {
        **body,
        "rebookType": "REBOOK",
        "account": "2800",
        "contraAccount": "2700",
        "currencyRate": 1,
        "payedDate": "2020-01-01",
        "cancelled": False,
        "description": "",
        "currencyCode": "EUR",
        "invoiceReference": "",
        "journalTotPrice": Decimal("1200.00"),
        "invoiceDate": "2020-01-01",
        "date": "2020-01-01",
        "amount": Decimal("1200.00"),
    }
    balances = exact(
        client.get(
            "/api/1.1/accounts/balances?from=2020-01-01&to=2020-12-31&type=U&dbhCreditDebit=true",
            headers=tenant.headers,
        )
    )
    assert balances == [
        {
            "accountCode": "2700",
            "accountName": "Kassa",
            "credit": Decimal("0.00"),
            "debit": Decimal("1200.00"),
            "sum": Decimal("1200.00"),
        },
        {
            "accountCode": "2800",
            "accountName": "Bank",
            "credit": Decimal("1200.00"),
            "debit": Decimal("0.00"),
            "sum": Decimal("-1200.00"),
        },
    ]


def test_bad_rebooks_name_the_field_and_write_nothing(
    client: TestClient, tenant: TenantFixture
) -> None:
    cases = [
        ({"account": "4000"}, "account", "kann nicht für eine Umbuchung REBOOK"),
        ({"contraAccount": "2800"}, "contraAccount", "verschieden"),
        ({"account": "9999"}, "account", "existiert nicht"),
        ({"amount": "1.001"}, "amount", "Nachkommastellen"),
        ({"type": "MOVE"}, "type", "muss einer von"),
    ]
    for change, field, text in cases:
        body = {
            "type": "REBOOK",
            "amount": 5,
            "account": "2800",
            "contraAccount": "2700",
            "date": "2021-01-01",
            **change,
        }
        response = client.post("/api/1.1/rebooks", json=body, headers=tenant.headers)
        assert response.status_code == 400, response.text
        error = response.json()
        assert error["error"] == "ValidationException" and text in error["message"]
        assert error["details"][0].startswith(f"{field}:")
    assert (
        client.get(
            "/api/1.1/accounts/balances?from=2021-01-01&to=2021-12-31", headers=tenant.headers
        ).json()
        == []
    )


def test_revenue_balance_and_monthly_sums(client: TestClient, tenant: TenantFixture) -> None:
    for amount in ("50.00", "42.55"):
        post(
            client,
            tenant,
            "/outgoing_invoices",
            {
                "invoiceDate": "2020-03-15",
                "lines": [{"account": "4000", "amount": amount, "amountType": "N"}],
            },
        )
    balances = exact(
        client.get(
            "/api/1.1/accounts/balances?from=2020-01-01&to=2020-12-31&type=E",
            headers=tenant.headers,
        )
    )
    assert balances == [
        {"accountCode": "4000", "accountName": "Einnahmen (Erlöse)", "sum": Decimal("92.55")}
    ]
    gross = exact(
        client.get(
            "/api/1.1/accounts/balances?from=2020-01-01&to=2020-12-31&type=E&method=T",
            headers=tenant.headers,
        )
    )
    assert gross[0]["sum"] == Decimal("111.06")  # 92.55 + 10.00 + 8.51 VAT
    months = exact(
        client.get(
            "/api/1.1/accounts/balances_per_month?fiscal_year=2020&totals=true",
            headers=tenant.headers,
        )
    )
    revenue = next(line for line in months if line["account"] == "4000")
    assert revenue["accountClass"] == "GROUP_4" and revenue["totalSum"] == Decimal("92.55")
    assert revenue["monthSums"][2] == {"year": 2020, "month": 3, "sum": Decimal("92.55")}
    assert len(revenue["monthSums"]) == 12
    receivables = next(line for line in months if line["account"] == "2000")
    assert receivables["totalSum"] == Decimal("111.06")


def test_accounts_tax_class_entries_and_bank_accounts(
    client: TestClient, tenant: TenantFixture
) -> None:
    headers = tenant.headers
    expense = client.get("/api/1.1/accounts/7200", headers=headers).json()
    assert expense == {
        "id": "7200",
        "name": "Instandhaltung und Betriebsausgaben",
        "type": "A",
        "defaultTaxClassEntry": "020",
        "forcedTaxClass": False,
    }
    entries = exact(client.get("/api/1.1/accounts/7200/tax_class_entries", headers=headers))
    assert [e["id"] for e in entries] == ["020", "010", "013", "000"]
    assert entries[0]["taxRate"] == 20 and {
        m["id"] for m in entries[0]["taxClassEntryModifierList"]
    } == {"IG", "RC"}
    fees = client.get("/api/1.1/accounts/7790/tax_class_entries", headers=headers).json()
    assert [e["id"] for e in fees] == ["000"]
    assert (
        client.get("/api/1.1/accounts/7790/tax_class_entries/020", headers=headers).status_code
        == 404
    )
    items = {a["id"] for a in client.get("/api/1.1/accounts/item_accounts", headers=headers).json()}
    assert {"4000", "4400", "2000"} <= items and "7200" not in items
    revenue_only = client.get("/api/1.1/accounts?type=E", headers=headers).json()
    assert revenue_only and {a["type"] for a in revenue_only} == {"E"}
    contra = client.get(
        "/api/1.1/accounts/2800/rebook_contra_accounts?type=REBOOK", headers=headers
    ).json()
    codes = {a["id"] for a in contra}
    assert "2700" in codes and "2800" not in codes and "4000" not in codes
    banks = client.get("/api/1.1/bank_accounts", headers=headers).json()
    bank = next(b for b in banks if b["accountCode"] == "2800")
    assert bank["currencyCode"] == "EUR" and bank["name"] == "Bank" and bank["shown"] is True
    assert client.get(f"/api/1.1/bank_accounts/{bank['id']}", headers=headers).json() == bank


def test_responses_match_their_documented_models(client: TestClient, tenant: TenantFixture) -> None:
    """The OpenAPI response models of /api/1.1 describe what the endpoints really answer."""
    created = post(
        client,
        tenant,
        "/outgoing_invoices",
        {
            "invoiceDate": "2020-03-15",
            "paidDate": "2020-03-20",
            "paidContraAccount": "2800",
            "lines": [{"account": "4000", "amount": 10, "amountType": "N"}],
        },
    )
    models.InvoiceReturnDto.model_validate(created)
    invoice = created["result"]["id"]
    for booking in created["result"]["bookings"]:
        models.InvoiceBookingDto.model_validate(booking)
    for journal in client.get(
        f"/api/1.1/outgoing_invoices/{invoice}/journals", headers=tenant.headers
    ).json():
        models.JournalDto.model_validate(journal)
    for account in client.get("/api/1.1/accounts", headers=tenant.headers).json():
        models.AccountDto.model_validate(account)
    for entry in client.get(
        "/api/1.1/accounts/4000/tax_class_entries", headers=tenant.headers
    ).json():
        models.TaxClassEntryDto.model_validate(entry)
    for balance in client.get(
        "/api/1.1/accounts/balances?from=2020-01-01&to=2020-12-31", headers=tenant.headers
    ).json():
        models.AccountBalanceDto.model_validate(balance)
    rebook = post(
        client,
        tenant,
        "/rebooks",
        {
            "type": "REBOOK",
            "amount": 1,
            "account": "2800",
            "contraAccount": "2700",
            "date": "2020-01-02",
        },
    )
    models.RebookJournalDto.model_validate(rebook)
