"""Bad input to the cash-based invoicing API gets the seed's RestError naming the field and
the rule, and writes nothing: no invoice, no journal, no audit entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries, cb_invoices, ledger_journals
from beleg.services.ledger.journals import close_books
from tests.api.test_conformance_cash_invoices import LINE, post
from tests.conftest import TenantFixture, make_tenant, system_actor


def counts(db: Database, tenant: TenantFixture) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.execute(select(func.count()).where(table.c.tenant_id == tenant.id)).scalar_one()
            for table in (cb_invoices, ledger_journals, audit_entries)
        )


def refused(
    client: TestClient,
    db: Database,
    tenant: TenantFixture,
    path: str,
    body: Any,
    *,
    status: int = 400,
) -> dict[str, Any]:
    before = counts(db, tenant)
    response = client.post(f"/api/1.1{path}", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    assert counts(db, tenant) == before
    error = response.json()
    assert set(error) == {"error", "message", "identifier", "timestamp", "details"}
    return error


@pytest.mark.parametrize(
    "case",
    [
        ({"account": "9999"}, "lines[0].account", "Konto 9999 existiert nicht"),
        ({"account": "4000"}, "lines[0].account", "erlaubt sind A/L"),
        ({"account": "7790", "taxEntry": "020"}, "lines[0].taxEntry", "nur die Steuerklasse 000"),
        ({"taxEntry": "019"}, "lines[0].taxEntry", "auf Konto 7200 nicht erlaubt"),
        ({"amountType": "X"}, "lines[0].amountType", "N (netto) oder T (brutto)"),
        ({"amount": "1.123456"}, "lines[0].amount", "mehr als 5 Nachkommastellen"),
        ({"netAmount": "12.01"}, "lines[0].netAmount", "ist 12.01, berechnet wird 12.00"),
        (
            {"taxEntryModifier": "IG", "amountType": "T"},
            "lines[0].amountType",
            "brauchen amountType N",
        ),
        (
            {"privatePart": 120, "privatePartType": "P"},
            "lines[0].privatePart",
            "zwischen 0 und 100",
        ),
    ],
)
def test_bad_lines(
    client: TestClient, db: Database, tenant: TenantFixture, case: tuple[dict[str, Any], str, str]
) -> None:
    line, field, text = case
    error = refused(
        client,
        db,
        tenant,
        "/incoming_invoices",
        {"invoiceDate": "2020-12-31", "lines": [{**LINE, **line}]},
    )
    assert error["error"] == "ValidationException" and text in error["message"]
    assert error["details"][0].startswith(f"{field}:")


def test_totals_dates_and_payments(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    error = refused(
        client,
        db,
        tenant,
        "/incoming_invoices",
        {"invoiceDate": "2020-12-31", "total": "14.41", "lines": [LINE]},
    )
    assert "total ist 14.41, berechnet wird 14.40" in error["message"]
    refused(client, db, tenant, "/incoming_invoices", {"lines": [LINE]})
    refused(
        client,
        db,
        tenant,
        "/incoming_invoices",
        {"invoiceDate": "2020-12-31", "paidDate": "2020-12-31", "lines": [LINE]},
    )
    invoice = post(
        client, tenant, "/incoming_invoices", {"invoiceDate": "2020-12-31", "lines": [LINE]}
    )["result"]["id"]
    more = refused(
        client,
        db,
        tenant,
        f"/incoming_invoices/{invoice}/pay",
        {"paymentAmount": "14.41", "contraAccount": "2700", "paymentDate": "2020-12-31"},
    )
    assert "höchstens 14.40" in more["message"]
    refused(
        client,
        db,
        tenant,
        f"/incoming_invoices/{invoice}/pay",
        {"contraAccount": "7200", "paymentDate": "2020-12-31"},
    )
    refused(
        client,
        db,
        tenant,
        f"/incoming_invoices/{invoice}/pay_rest",
        {"type": "IRRECOVERABLE", "paymentDate": "2020-12-31"},
    )
    close_books(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        until=date(2020, 12, 31),
        clock=SystemClock(),
    )
    closed = refused(
        client,
        db,
        tenant,
        f"/incoming_invoices/{invoice}/pay",
        {"contraAccount": "2700", "paymentDate": "2020-12-31"},
    )
    assert "abgeschlossenen Periode" in closed["message"]
    assert closed["details"][0].startswith("date:")
    refused(
        client, db, tenant, "/incoming_invoices", {"invoiceDate": "2020-06-30", "lines": [LINE]}
    )
    refused(
        client,
        db,
        tenant,
        f"/incoming_invoices/{invoice}/cancel",
        {"cancelDate": "2020-12-31", "cancelReason": "late"},
    )


def test_single_entry_rules(client: TestClient, db: Database, platform: dict[str, object]) -> None:
    ea = make_tenant(db, mode="EA")
    invoice = post(
        client,
        ea,
        "/outgoing_invoices",
        {
            "invoiceDate": "2020-12-31",
            "lines": [{"account": "4000", "amount": 12, "amountType": "N"}],
        },
    )["result"]["id"]
    rest = refused(
        client,
        db,
        ea,
        f"/outgoing_invoices/{invoice}/pay_rest",
        {"type": "DISCOUNT", "paymentDate": "2020-12-31"},
    )
    assert "doppelten Buchhaltung" in rest["message"]
    credit = post(
        client,
        ea,
        f"/outgoing_invoices/{invoice}/pay",
        {
            "paymentType": "EXISTING_CREDIT",
            "paymentAmount": 2,
            "contraAccount": "2800",
            "paymentDate": "2020-12-31",
        },
    )
    booking = credit["result"]["bookings"][0]
    assert booking["paymentType"] == "EXISTING_CREDIT" and "journalNumber" not in booking
    assert credit["result"]["invoiceSequence"] == "AR2020 1"
    refused(
        client,
        db,
        ea,
        f"/outgoing_invoices/{invoice}/cancel",
        {"cancelDate": "2020-12-31", "cancelReason": "x"},
        status=409,
    )
    assert (
        client.delete(f"/api/1.1/outgoing_invoices/{invoice}", headers=ea.headers).status_code
        == 400
    )
    unpaid = post(
        client,
        ea,
        "/outgoing_invoices",
        {
            "invoiceDate": "2020-12-31",
            "lines": [{"account": "4000", "amount": 5, "amountType": "T"}],
        },
    )["result"]
    assert unpaid["lines"][0]["netAmount"] == Decimal("4.17")
    assert (
        client.delete(f"/api/1.1/outgoing_invoices/{unpaid['id']}", headers=ea.headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/1.1/outgoing_invoices/{unpaid['id']}", headers=ea.headers).status_code
        == 404
    )


def test_english_messages_on_request(client: TestClient, tenant: TenantFixture) -> None:
    response = client.post(
        "/api/1.1/incoming_invoices",
        json={"invoiceDate": "2020-12-31", "lines": [{**LINE, "account": "9999"}]},
        headers={**tenant.headers, "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "account '9999' does not exist"


def test_not_found_in_german(client: TestClient, tenant: TenantFixture) -> None:
    for path, text in [
        ("/incoming_invoices/nope", "Rechnung nicht gefunden."),
        ("/accounts/1", "Konto nicht gefunden."),
        (f"/customers/{'0' * 8}-0000-0000-0000-{'0' * 12}", "Kunde nicht gefunden."),
    ]:
        response = client.get(f"/api/1.1{path}", headers=tenant.headers)
        assert response.status_code == 404 and response.json()["message"] == text
