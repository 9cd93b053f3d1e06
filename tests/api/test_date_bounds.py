"""Issue 12, finding 6: every business date a client sends lies in 1900-01-01..2199-12-31.
Before, an invoice dated 9999-12-31 was a 500 (the due date overflowed) and one dated
0001-01-01 was booked. Outside the range: a 400 naming the field and the range, the same on
both databases; at its ends: accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.db import tenancy
from beleg.db.database import Database
from tests.api.test_cash_registers import INCOME, open_register
from tests.api.test_conformance_bank_statements import bank
from tests.api.test_conformance_cash_invoices import LINE
from tests.conftest import TenantFixture, make_tenant
from tests.scenarios.test_serve import INVOICE

OUTSIDE = ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"]
RANGE = "Date should be between 1900-01-01 and 2199-12-31"
ENGLISH = {"Accept-Language": "en"}
SALES_INVOICE = {k: v for k, v in INVOICE.items() if k != "date"}


def details(response: Any) -> list[str]:
    body = response.json()
    if "details" in body:
        return list(body["details"])
    return [f"{e['field']}: {e['message']}" for e in body.get("errors", [])]


def post(client: TestClient, tenant: TenantFixture, path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=tenant.headers | ENGLISH)


@pytest.mark.parametrize("day", OUTSIDE)
def test_a_sales_invoice_outside_the_range_is_a_400_naming_the_date(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    response = post(client, tenant, "/api/1.1/invoices", SALES_INVOICE | {"date": day})
    assert response.status_code == 400, response.text  # 9999-12-31 was a 500
    assert details(response) == [f"date: {RANGE}"]
    assert client.get("/api/1.1/invoices", headers=tenant.headers).json() == []


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_a_sales_invoice_at_the_ends_of_the_range_is_finalised(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    response = post(client, tenant, "/api/1.1/invoices", SALES_INVOICE | {"date": day})
    assert response.status_code == 200, response.text
    assert response.json()["date"] == day and response.json()["state"] == "FINALIZED"


@pytest.mark.parametrize("day", OUTSIDE)
def test_cash_invoices_payments_rebooks_and_statements_outside_the_range(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    invoice = post(
        client, tenant, "/api/1.1/incoming_invoices", {"invoiceDate": day, "lines": [LINE]}
    )
    assert (invoice.status_code, details(invoice)) == (400, [f"invoiceDate: {RANGE}"])
    delivered = {"invoiceDate": "2026-01-31", "deliveryToDate": day, "lines": [LINE]}
    invoice = post(client, tenant, "/api/1.1/incoming_invoices", delivered)
    assert (invoice.status_code, details(invoice)) == (400, [f"deliveryToDate: {RANGE}"])
    made = post(
        client, tenant, "/api/1.1/incoming_invoices", {"invoiceDate": "2026-01-31", "lines": [LINE]}
    )
    assert made.status_code == 200, made.text
    path = f"/api/1.1/incoming_invoices/{made.json()['result']['id']}/pay"
    paid = post(client, tenant, path, {"paymentDate": day, "contraAccount": "2800"})
    assert (paid.status_code, details(paid)) == (400, [f"paymentDate: {RANGE}"])
    rebook = {"type": "REBOOK", "date": day, "account": "2800", "contraAccount": "2700"}
    rebooked = post(client, tenant, "/api/1.1/rebooks", rebook | {"amount": "10"})
    assert (rebooked.status_code, details(rebooked)) == (400, [f"date: {RANGE}"])
    line = {"description": "x", "valueDate": day, "bookingDate": "2026-01-31", "amount": 10}
    lines = f"/api/1.1/bank_statements/by_bank_account/{bank(client, tenant)['id']}/lines"
    statement = post(client, tenant, lines, {"bankStatementLines": [line]})
    assert statement.status_code == 400
    assert details(statement) == [f"bankStatementLines.0.valueDate: {RANGE}"]


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_cash_invoices_at_the_ends_of_the_range_are_accepted(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    invoice = post(
        client, tenant, "/api/1.1/incoming_invoices", {"invoiceDate": day, "lines": [LINE]}
    )
    assert invoice.status_code == 200, invoice.text
    assert invoice.json()["result"]["invoiceDate"] == day


@pytest.mark.parametrize("day", OUTSIDE)
def test_a_receipt_outside_the_range_is_a_400(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    open_register(client, tenant)
    path = "/api/1.1/cash_registers/1/receipts"
    timed = post(client, tenant, path, INCOME | {"dateTime": f"{day}T10:00:00"})
    assert (timed.status_code, details(timed)) == (400, [f"dateTime: {RANGE}"])
    referenced = post(client, tenant, path, INCOME | {"referenceDate": day})
    assert (referenced.status_code, details(referenced)) == (400, [f"referenceDate: {RANGE}"])


@pytest.mark.parametrize("day", OUTSIDE)
def test_date_filters_outside_the_range_are_a_400_naming_the_parameter(
    client: TestClient, tenant: TenantFixture, day: str
) -> None:
    headers = tenant.headers | ENGLISH
    listed = client.get(f"/api/1.1/incoming_invoices?from={day}&to=2026-12-31", headers=headers)
    assert (listed.status_code, details(listed)) == (400, [f"from: {RANGE}"])
    balances = client.get(f"/api/1.1/accounts/balances?from=2026-01-01&to={day}", headers=headers)
    assert (balances.status_code, details(balances)) == (400, [f"to: {RANGE}"])
    searched = client.get(f"/v2/users?search=createdAt=ge={day}T00:00:00Z", headers=headers)
    assert searched.status_code == 400
    assert details(searched) == [
        f"search: createdAt {day}T00:00:00+00:00 is outside the allowed range"
        " 1900-01-01 to 2199-12-31"
    ]


def test_date_filters_at_the_ends_of_the_range_answer(
    client: TestClient, tenant: TenantFixture
) -> None:
    search = "createdAt=ge=1900-01-01T00:00:00Z;createdAt=le=2199-12-31T00:00:00Z"
    listed = client.get(f"/v2/users?search={search}", headers=tenant.headers)
    assert listed.status_code == 200, listed.text
    invoices = "/api/1.1/incoming_invoices?from=1900-01-01&to=2199-12-31"
    assert client.get(invoices, headers=tenant.headers).status_code == 200


@pytest.fixture
def test_mode(db: Database, platform: dict[str, object]) -> TenantFixture:
    return make_tenant(db, test_mode=True)


@pytest.mark.parametrize("day", OUTSIDE)
def test_a_test_clock_cannot_be_frozen_outside_the_range(
    client: TestClient, test_mode: TenantFixture, day: str
) -> None:
    frozen = client.put(
        "/v2/test-clock", json={"frozenAt": f"{day}T00:00:00Z"}, headers=test_mode.headers
    )
    assert (frozen.status_code, details(frozen)) == (400, [f"frozenAt: {RANGE}"])
    assert client.get("/v2/test-clock", headers=test_mode.headers).json()["mode"] == "SYSTEM"


def test_a_test_clock_at_the_end_of_the_range_cannot_move_past_it(
    client: TestClient, test_mode: TenantFixture
) -> None:
    end = {"frozenAt": "2199-12-31T00:00:00Z"}
    assert client.put("/v2/test-clock", json=end, headers=test_mode.headers).status_code == 200
    past = client.post("/v2/test-clock/advance", json={"days": 1}, headers=test_mode.headers)
    assert past.status_code == 400
    assert details(past) == [
        "days: days 2200-01-01T00:00:00+00:00 is outside the allowed range 1900-01-01 to 2199-12-31"
    ]
    later = client.post("/v2/test-clock/advance", json={"seconds": 3600}, headers=test_mode.headers)
    assert later.status_code == 200, later.text
    assert later.json()["frozenAt"].startswith("2199-12-31T01:00:00")


def test_a_clock_frozen_at_9999_before_the_range_held_does_not_keep_its_tenant_stuck(
    client: TestClient, db: Database, test_mode: TenantFixture
) -> None:
    with db.transaction() as session:  # as a clock set before the range was enforced
        tenancy.set_frozen_at(
            session,
            test_mode.id,
            target=datetime(9999, 12, 31, tzinfo=UTC),
            exists=False,
            now=datetime.now(UTC),
        )
    headers = test_mode.headers | ENGLISH
    moved = client.post("/v2/test-clock/advance", json={"seconds": 1}, headers=headers)
    assert moved.status_code == 400 and details(moved)[0].startswith("seconds: seconds 9999")
    assert client.delete("/v2/test-clock", headers=headers).status_code == 204
    assert client.get("/v2/test-clock", headers=headers).json()["mode"] == "SYSTEM"


def test_receipt_filters_outside_the_range_are_ignored_as_the_seed_says(
    client: TestClient, tenant: TenantFixture
) -> None:
    """Seed 003 §4.19.1/3: ``from``/``to`` are ignored if invalid; outside the range is."""
    open_register(client, tenant)
    path = "/api/1.1/cash_registers/1/receipts"
    everything = client.get(path, headers=tenant.headers).json()
    assert everything  # the register's first receipt (Startbeleg)
    for query in ("from=9999-12-31", "to=0001-01-01", "from=2200-01-01&to=1899-12-31"):
        assert client.get(f"{path}?{query}", headers=tenant.headers).json() == everything


def test_updated_since_ends_with_the_range(client: TestClient, tenant: TenantFixture) -> None:
    headers = tenant.headers | ENGLISH
    last = 7258118399999  # 2199-12-31T23:59:59.999Z
    assert client.get(f"/api/1.1/invoices?updated_since={last}", headers=headers).json() == []
    later = client.get(f"/api/1.1/invoices?updated_since={last + 1}", headers=headers)
    assert later.status_code == 400
    assert details(later) == [f"updated_since: Input should be less than or equal to {last}"]
