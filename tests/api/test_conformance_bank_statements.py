"""Seed 003 §2.9 replayed: bank statement headers and lines, duplicates by transaction id."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.test_conformance_cash_invoices import exact, post
from tests.conftest import TenantFixture

LINES = [
    {
        "description": "Test-Api-test",
        "valueDate": "2020-10-31",
        "amount": -2000,
        "bookingDate": "2020-10-31",
        "transactionId": "9001",
    },
    {
        "description": "Test-Api2",
        "valueDate": "2020-10-31",
        "amount": -9000,
        "bookingDate": "2020-10-31",
        "originatorBankReference": "testo",
        "originatorBankCode": "mio",
        "originatorAccountNumber": "jusaya",
        "transactionId": "645216159451239",
    },
    {
        "description": "Test-Api3",
        "valueDate": "2020-10-31",
        "amount": 4000,
        "bookingDate": "2020-10-31",
        "transactionId": "9001",
    },
    {
        "description": "Test-Api4",
        "valueDate": "2020-10-31",
        "amount": 4000,
        "bookingDate": "2020-10-31",
    },
]


def bank(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    accounts = client.get("/api/1.1/bank_accounts", headers=tenant.headers).json()
    return next(a for a in accounts if a["accountCode"] == "2800")


def test_lines_for_a_bank_account_skip_duplicate_transaction_ids(
    client: TestClient, tenant: TenantFixture
) -> None:
    account = bank(client, tenant)
    path = f"/bank_statements/by_bank_account/{account['id']}/lines"
    body = post(client, tenant, path, {"returnLines": True, "bankStatementLines": LINES})
    assert body["addedCount"] == 3 and body["duplicatesCount"] == 1
    assert body["duplicateTransactionIds"] == ["9001"]
    assert [line["id"] for line in body["addedLines"]] == [1, 2, 3]
    first, second, third = body["addedLines"]
    assert first == {
        "id": 1,
        "description": "Test-Api-test",
        "valueDate": "2020-10-31",
        "amount": -2000,
        "currencyCode": "EUR",
        "bookingDate": "2020-10-31",
        "transactionId": "9001",
        "status": "NEW",
        "remainingAmount": -2000,
    }
    assert second["originatorAccountNumber"] == "jusaya" and third["description"] == "Test-Api4"
    assert "transactionId" not in third
    again = post(client, tenant, path, {"returnLines": False, "bankStatementLines": LINES})
    assert again == {"addedCount": 1, "duplicatesCount": 3}  # only the line without an id
    headers = client.get("/api/1.1/bank_statements", headers=tenant.headers).json()
    assert len(headers) == 1 and headers[0]["fileName"] == "API"
    assert headers[0]["bankAccount"] == account["id"] and headers[0]["accountCode"] == "2800"
    assert headers[0]["valueDateFrom"] == headers[0]["valueDateTo"] == "2020-10-31"
    lines = exact(
        client.get(
            f"/api/1.1/bank_statements/{headers[0]['id']}/lines?line_number_gt=2",
            headers=tenant.headers,
        )
    )
    assert [line["id"] for line in lines] == [3, 4]
    post(client, tenant, "/bank_statements", [{"bankAccount": account["id"], "fileName": "second"}])
    refused = client.post(
        f"/api/1.1{path}", json={"bankStatementLines": LINES[:1]}, headers=tenant.headers
    )
    assert refused.status_code == 409


def test_header_then_lines(client: TestClient, tenant: TenantFixture) -> None:
    account = bank(client, tenant)
    header = post(
        client,
        tenant,
        "/bank_statements",
        [{"bankAccount": account["id"], "fileName": "test api!"}],
    )
    assert header["fileName"] == "test_api" and header["status"] == "NEW"
    assert header["bankAccountName"] == "Bank" and header["currencyCode"] == "EUR"
    assert header["valueDateFrom"] == header["statementDate"]
    lines = [
        {"valueDate": "2020-10-31", "amount": -2000, "bookingDate": "2020-10-31"},
        {"valueDate": "2020-10-31", "amount": 4000, "bookingDate": "2020-10-31"},
    ]
    body = post(
        client,
        tenant,
        f"/bank_statements/{header['id']}/lines",
        {"returnLines": False, "bankStatementLines": lines},
    )
    assert body == {"addedCount": 2, "duplicatesCount": 0}
    one_sided = client.get(
        f"/api/1.1/bank_statements/{header['id']}/lines?from=2020-10-01", headers=tenant.headers
    )
    assert one_sided.status_code == 400
    bad = client.post(
        f"/api/1.1/bank_statements/{header['id']}/lines",
        json={"bankStatementLines": [{**lines[0], "colour": "red"}]},
        headers=tenant.headers,
    )
    assert bad.status_code == 400 and "colour" in bad.json()["message"]
