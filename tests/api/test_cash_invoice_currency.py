"""Foreign-currency invoices: main = amount x rate; the last payment clears the main-currency
residue of differing rates with a CURRENCY_DIFFERENCE booking (seed 003 §3.3)."""

from __future__ import annotations

from decimal import Decimal

from starlette.testclient import TestClient

from beleg.db.database import Database
from tests.api.test_conformance_cash_invoices import exact, post
from tests.conftest import TenantFixture, make_tenant

USD_LINE = {"account": "4000", "amount": 100, "amountType": "N"}


def test_de_currency_difference_is_booked_and_cancelled_with_its_payment(
    client: TestClient, tenant: TenantFixture
) -> None:
    invoice = post(
        client,
        tenant,
        "/outgoing_invoices",
        {
            "invoiceDate": "2021-03-01",
            "currency": "USD",
            "currencyRate": "0.9",
            "lines": [USD_LINE],
        },
    )["result"]
    assert invoice["remainingTotalInMainCurrency"] == Decimal("108.00")
    paid = post(
        client,
        tenant,
        f"/outgoing_invoices/{invoice['id']}/pay",
        {"contraAccount": "2800", "paymentDate": "2021-03-20", "currencyRate": "0.85"},
    )
    result = paid["result"]
    payment, difference = result["bookings"][1:]
    assert payment["paymentAmountInMainCurrency"] == Decimal("102.00")
    assert difference["paymentType"] == "CURRENCY_DIFFERENCE"
    assert difference["paymentAmountInMainCurrency"] == Decimal("6.00")
    assert difference["paymentContraAccount"] == "7860"  # exchange loss
    assert result["remainingTotal"] == 0 == result["remainingTotalInMainCurrency"]
    assert len(paid["infos"]) == 2
    balances = exact(
        client.get(
            "/api/1.1/accounts/balances?from=2021-01-01&to=2021-12-31", headers=tenant.headers
        )
    )
    by_code = {b["accountCode"]: b["sum"] for b in balances}
    assert by_code["2000"] == 0 and by_code["7860"] == Decimal("6.00")
    undone = post(
        client,
        tenant,
        f"/outgoing_invoices/{invoice['id']}/bookings/{payment['id']}/cancel",
        {"cancelDate": "2021-03-21", "cancelReason": "x"},
    )
    assert undone["result"]["remainingTotalInMainCurrency"] == Decimal("108.00")
    assert [b["cancelled"] for b in undone["result"]["bookings"][:3]] == [False, True, True]


def test_ea_currency_difference_has_no_journal(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    ea = make_tenant(db, mode="EA")
    invoice = post(
        client,
        ea,
        "/outgoing_invoices",
        {
            "invoiceDate": "2021-03-01",
            "currency": "USD",
            "currencyRate": "0.9",
            "lines": [USD_LINE],
        },
    )["result"]
    paid = post(
        client,
        ea,
        f"/outgoing_invoices/{invoice['id']}/pay",
        {
            "contraAccount": "2800",
            "paymentDate": "2021-03-20",
            "currencyRate": "0.95",
            "paymentAmount": 120,
        },
    )["result"]
    difference = paid["bookings"][1]
    assert difference["paymentType"] == "CURRENCY_DIFFERENCE"
    assert difference["paymentAmountInMainCurrency"] == Decimal("-6.00")
    assert "journalNumber" not in difference and paid["remainingTotalInMainCurrency"] == 0
    journals = client.get(
        f"/api/1.1/outgoing_invoices/{invoice['id']}/journals", headers=ea.headers
    ).json()
    assert [j["total"] for j in journals] == [114.0]
