"""/v2/bank-statements: camt.053 and MT940 files imported into the tenant's bank account by
IBAN, duplicates skipped on a second upload, visible through /api/1.1/bank_statements; an
unknown IBAN or a malformed file is a 400 naming it, and nothing is written."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, bank_accounts, bank_statement_lines, bank_statements
from tests.conftest import TenantFixture
from tests.samples import sample

CAMT_IBAN = "DE14740618130000033626"  # valid_example.xml
MT940_IBAN = "DE95870520000123456789"  # sparkasse.txt, from BLZ 87052000 account 123456789


def with_iban(db: Database, tenant: TenantFixture, iban: str, code: str = "2800") -> uuid.UUID:
    a = bank_accounts.c
    with db.transaction() as session:
        session.execute(
            update(bank_accounts)
            .where(a.tenant_id == tenant.id, a.account_code == code)
            .values(iban=iban)
        )
        found = session.execute(
            select(a.id).where(a.tenant_id == tenant.id, a.account_code == code)
        ).scalar_one()
    return uuid.UUID(str(found))


def upload(
    client: TestClient,
    tenant: TenantFixture,
    data: bytes,
    *,
    media: str = "application/xml",
    status: int = 201,
    query: str = "",
) -> Any:
    response = client.post(
        f"/v2/bank-statements{query}",
        content=data,
        headers={**tenant.headers, "Content-Type": media},
    )
    assert response.status_code == status, response.text
    return response.json()


def stored(db: Database, tenant: TenantFixture) -> tuple[int, int, int]:
    with db.reader() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(
                select(func.count()).select_from(t).where(t.c.tenant_id == tenant.id)
            ).scalar_one()
            for t in (bank_statements, bank_statement_lines, audit_entries)
        )


def test_a_camt_file_is_imported_once_and_seen_through_both_apis(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    account = with_iban(db, tenant, "DE14 7406 1813 0000 0336 26")
    body = upload(client, tenant, sample("camt053", "valid_example.xml"), query="?fileName=dez.xml")
    assert (body["format"], body["imported"], body["duplicates"]) == ("camt.053", 5, 0)
    (statement,) = body["statements"]
    assert statement["bankAccount"] == str(account)
    assert statement["iban"] == CAMT_IBAN
    assert Decimal(str(statement["total"])) == Decimal("-10.00")
    again = upload(client, tenant, sample("camt053", "valid_example.xml"))
    assert (again["imported"], again["duplicates"]) == (0, 5)
    assert again["statements"][0]["id"] is None
    listed = client.get("/v2/bank-statements", headers=tenant.headers).json()
    assert listed["total"] == 1
    assert listed["items"][0]["lineCount"] == 5
    assert listed["items"][0]["fileName"] == "dez.xml"
    detail = client.get(f"/v2/bank-statements/{statement['id']}", headers=tenant.headers).json()
    first = detail["transactions"][0]
    assert first["transactionId"] == "BankReference"
    assert first["partnerAccountNumber"] == "DE09300606010012345671"
    assert first["details"]["mandateId"] == "MandateReference"
    assert first["details"]["endToEndId"] == "EndToEndReference"
    assert first["details"]["proprietaryCode"] == "NTRF+020"
    batch = [t for t in detail["transactions"] if t["details"].get("batch") == "true"]
    assert [Decimal(str(t["amount"])) for t in batch] == [Decimal("-3.50"), Decimal("-2.50")]
    assert [t["transactionId"] for t in batch] == ["2013122711513230000/1", "2013122711513230000/2"]
    lines = client.get(
        f"/api/1.1/bank_statements/{statement['id']}/lines", headers=tenant.headers
    ).json()
    assert [line["id"] for line in lines] == [1, 2, 3, 4, 5]
    assert sum(Decimal(str(line["amount"])) for line in lines) == Decimal("-10.00")
    assert lines[0]["transactionId"] == "BankReference"
    assert lines[0]["partnerName"] == "Testkonto Nummer 2"
    assert "details" not in lines[0]


def test_a_multipart_mt940_upload_takes_the_part_and_its_name(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    with_iban(db, tenant, MT940_IBAN)
    response = client.post(
        "/v2/bank-statements",
        files={"file": ("sparkasse.sta", sample("mt940", "sparkasse.txt"), "text/plain")},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["format"], body["imported"], body["duplicates"]) == ("MT940", 2, 0)
    assert Decimal(str(body["statements"][0]["total"])) == Decimal("-40.00")
    assert body["statements"][0]["balanceMismatches"] == []  # both statements add up
    listed = client.get("/v2/bank-statements", headers=tenant.headers).json()
    assert listed["items"][0]["fileName"] == "sparkasse.sta"
    detail = client.get(
        f"/v2/bank-statements/{body['statements'][0]['id']}", headers=tenant.headers
    ).json()
    card = detail["transactions"][0]
    assert card["details"]["gvc"] == "106"
    assert card["transactionId"].startswith("sha256:")  # Sparkasse sends no bank reference
    again = upload(client, tenant, sample("mt940", "sparkasse.txt"), media="text/plain")
    assert (again["imported"], again["duplicates"]) == (0, 2)


def test_an_unknown_iban_is_refused_naming_it_and_nothing_is_written(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    before = stored(db, tenant)
    problem = upload(client, tenant, sample("camt053", "valid_example.xml"), status=400)
    assert problem["errors"][0]["field"] == "statements[0].account"
    assert CAMT_IBAN in problem["errors"][0]["message"]
    assert stored(db, tenant) == before


def test_a_statement_in_another_currency_than_its_account_is_refused(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    account = with_iban(db, tenant, MT940_IBAN)
    with db.transaction() as session:
        session.execute(
            update(bank_accounts)
            .where(bank_accounts.c.tenant_id == tenant.id, bank_accounts.c.id == account)
            .values(currency="CHF")
        )
    before = stored(db, tenant)
    problem = upload(client, tenant, sample("mt940", "sparkasse.txt"), status=400)
    assert problem["errors"][0]["field"] == "statements[0].currency"
    assert "EUR" in problem["errors"][0]["message"] and "CHF" in problem["errors"][0]["message"]
    assert stored(db, tenant) == before


def test_a_statement_that_does_not_add_up_is_imported_and_reported(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """valid_example_with_batch.xml: opening 7,329.80 plus its transactions 2,934.26 is not
    its closing balance 23,038.20; sparkasse.txt adds up (194.57 - 20.00 = 174.57, ...)."""
    with_iban(db, tenant, "NL18INGB00012345678")
    body = upload(client, tenant, sample("camt053", "valid_example_with_batch.xml"))
    mismatches = body["statements"][0]["balanceMismatches"]
    assert [
        {k: v if k == "statement" else Decimal(str(v)) for k, v in m.items()} for m in mismatches
    ] == [
        {
            "statement": "2019062434566666666666666",
            "openingBalance": Decimal("7329.80"),
            "transactions": Decimal("2934.26"),
            "closingBalance": Decimal("23038.20"),
            "difference": Decimal("12774.14"),
        }
    ]
    again = upload(client, tenant, sample("camt053", "valid_example_with_batch.xml"))
    assert again["imported"] == 0 and len(again["statements"][0]["balanceMismatches"]) == 1


@pytest.mark.parametrize(
    ("cut", "field"),
    [
        (b'<Amt Ccy="EUR">3.00</Amt>', "/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt"),
        (b"</Document>", "line 370"),
    ],
)
def test_a_malformed_file_is_refused_naming_where_and_nothing_is_written(
    client: TestClient, db: Database, tenant: TenantFixture, cut: bytes, field: str
) -> None:
    with_iban(db, tenant, CAMT_IBAN)
    data = sample("camt053", "valid_example.xml")
    broken = data.replace(cut, b'<Amt Ccy="EUR">3;00</Amt>' if b"Amt" in cut else b"")
    before = stored(db, tenant)
    problem = upload(client, tenant, broken, status=400)
    assert problem["errors"][0]["field"] == field, problem
    assert stored(db, tenant) == before


def test_a_truncated_mt940_is_refused_naming_the_line(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    with_iban(db, tenant, MT940_IBAN)
    data = sample("mt940", "sparkasse.txt").replace(
        b":61:1902180218DR20,00", b":61:19021X0218DR20,00"
    )
    before = stored(db, tenant)
    problem = upload(client, tenant, data, media="text/plain", status=400)
    assert problem["errors"][0]["field"].startswith("line "), problem
    assert ":61:" in problem["errors"][0]["message"]
    assert stored(db, tenant) == before


FILES = [
    ("camt053", "valid_example.xml", CAMT_IBAN),
    ("mt940", "sparkasse.txt", MT940_IBAN),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    which=st.sampled_from(FILES),
    cut=st.floats(min_value=0, max_value=1),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=4)), max_size=3),
)
def test_a_fuzzed_upload_is_imported_or_refused_with_nothing_written(
    client: TestClient,
    db: Database,
    tenant: TenantFixture,
    *,
    which: tuple[str, str, str],
    cut: float,
    edits: list[tuple[float, bytes]],
) -> None:
    folder, name, iban = which
    with_iban(db, tenant, iban)
    data = bytearray(sample(folder, name))
    data = data[: max(1, int(len(data) * cut))] if cut < 0.5 else data
    for at, chunk in edits:
        i = int(at * (len(data) - 1))
        data[i : i + len(chunk)] = chunk
    before = stored(db, tenant)
    response = client.post(
        "/v2/bank-statements",
        content=bytes(data),
        headers={**tenant.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code in {201, 400}, response.text
    if response.status_code == 400:
        assert response.json()["errors"][0]["field"]
        assert stored(db, tenant) == before


def test_a_stream_keeps_its_own_header_beside_imported_files(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """Seed 003 §3.8: by_bank_account appends to the account's single header; headers of
    imported files are not that header, however many there are."""
    account = with_iban(db, tenant, CAMT_IBAN)
    upload(client, tenant, sample("camt053", "valid_example.xml"), query="?fileName=a.xml")
    upload(
        client,
        tenant,
        sample("camt053", "camt053.v2.five.decimals.xml").replace(
            b"NL26VAYB8060476890", CAMT_IBAN.encode()
        ),
        query="?fileName=b.xml",
    )
    line = {"valueDate": "2026-03-02", "bookingDate": "2026-03-02", "amount": 5}
    response = client.post(
        f"/api/1.1/bank_statements/by_bank_account/{account}/lines",
        json={"returnLines": False, "bankStatementLines": [line]},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    headers = client.get("/api/1.1/bank_statements", headers=tenant.headers).json()
    assert sorted(h["fileName"] for h in headers) == ["API", "a.xml", "b.xml"]
