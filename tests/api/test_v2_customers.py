"""/v2/customers (billing-api.md "Customer"): numbers from the counter or given, B2B/B2C
stored, VAT IDs and IBANs checked (400 naming the field, nothing written), PATCH with
``customer.updated`` carrying ``oldCustomer``, payment accounts, RSQL, paging, CSV, replayed
POSTs, tenant isolation, scopes, the audit chain, and the accounting API's customers as the
same rows in both directions."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, contacts, customer_payment_accounts, outbox_events
from tests.conftest import TenantFixture, make_tenant

IBAN = "DE89370400440532013000"
ACME = {
    "type": "B2B",
    "companyName": "Acme GmbH",
    "vatId": "ATU13585627",
    "country": "AT",
    "invoiceAddress": {
        "street": "Ringstraße 1",
        "zipCode": "1010",
        "city": "Wien",
        "email": "billing@acme.example",
    },
}


def _create(client: TestClient, tenant: TenantFixture, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v2/customers", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _refused(
    client: TestClient, tenant: TenantFixture, body: dict[str, Any], status: int = 400
) -> dict[str, Any]:
    response = client.post("/v2/customers", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json()


def _count(db: Database, tenant: TenantFixture) -> tuple[int, int, int]:
    """Customers, payment accounts and outbox events of the tenant."""
    with db.reader() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
            for table in (contacts, customer_payment_accounts, outbox_events)
        )


def _events(db: Database, tenant: TenantFixture, topic: str) -> list[dict[str, Any]]:
    with db.reader() as session:
        rows = session.execute(
            select(outbox_events.c.payload)
            .where(outbox_events.c.tenant_id == tenant.id, outbox_events.c.topic == topic)
            .order_by(outbox_events.c.created_at)
        ).all()
    return [r.payload for r in rows]


def test_numbers_come_from_the_counter_or_are_given_once(
    client: TestClient, tenant: TenantFixture
) -> None:
    first = _create(client, tenant, ACME)
    second = _create(client, tenant, {"type": "B2C", "firstName": "Eva", "lastName": "Berg"})
    assert (first["customerNumber"], second["customerNumber"]) == ("1", "2")
    given = _create(client, tenant, {**ACME, "customerNumber": "K-2026-0007"})
    assert given["customerNumber"] == "K-2026-0007"
    taken = _refused(client, tenant, {**ACME, "customerNumber": "K-2026-0007"}, 409)
    assert taken["errors"][0]["field"] == "customerNumber"
    assert "K-2026-0007" in taken["detail"]
    # a number given by hand that the counter would hand out next is skipped by the counter
    _create(client, tenant, {**ACME, "customerNumber": "3"})
    assert _create(client, tenant, ACME)["customerNumber"] == "4"


def test_type_and_fields_are_stored_as_given(client: TestClient, tenant: TenantFixture) -> None:
    b2c = _create(
        client,
        tenant,
        {
            **ACME,
            "type": "B2C",
            "firstName": "Max",
            "lastName": "Muster",
            "vatId": "atu 135 856 27",
            "currency": "CHF",
            "shippingAddress": {"street": "Lager 2", "zipCode": "8010", "city": "Graz"},
            "paymentMethod": "PAYPAL",
        },
    )
    assert b2c["type"] == "B2C" and b2c["companyName"] == "Acme GmbH"
    assert b2c["vatId"] == "ATU13585627" and b2c["currency"] == "CHF"
    assert b2c["invoiceAddress"] == {**ACME["invoiceAddress"], "country": "AT"}
    assert b2c["shippingAddress"]["country"] == "AT"
    assert b2c["paymentMethod"] == "PAYPAL" and b2c["paymentAccounts"] == []
    assert b2c["paymentDetailsApplyTo"] == "FUTURE_CHARGES"
    fetched = client.get(f"/v2/customers/{b2c['id']}", headers=tenant.headers).json()
    assert fetched == b2c
    plain = _create(client, tenant, {"type": "B2B", "companyName": "Plain AG"})
    assert plain["currency"] == "EUR" and plain["country"] == "AT"
    assert plain["paymentMethod"] == "BANK_TRANSFER" and plain["shippingAddress"] is None


def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    _create(client, tenant, ACME)
    before = _count(db, tenant)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({**ACME, "vatId": "ATU13585626"}, "vatId", "not a valid VAT ID of AT"),
        ({**ACME, "vatId": "DE136695976"}, "vatId", "of AT starts with AT"),
        ({**ACME, "type": "B2B", "companyName": None}, "companyName", "B2B"),
        ({**ACME, "type": "B2X"}, "type", ""),
        ({**ACME, "country": "XX"}, "country", "ISO 3166"),
        ({**ACME, "currency": "EURO"}, "currency", "ISO 4217"),
        ({**ACME, "invoiceAddress": {"email": "nope"}}, "invoiceAddress.email", "e-mail"),
        ({**ACME, "paymentMethod": "SEPA_DIRECT_DEBIT"}, "paymentAccounts", "SEPA"),
        (
            {**ACME, "paymentAccounts": [{"iban": "DE89370400440532013001", "accountHolder": "A"}]},
            "paymentAccounts[0].iban",
            "check digits",
        ),
        (
            {**ACME, "paymentAccounts": [{"iban": IBAN, "bic": "COBAXXFF", "accountHolder": "A"}]},
            "paymentAccounts[0].bic",
            "BIC",
        ),
    ]
    for body, field, rule in cases:
        problem = _refused(client, tenant, body)
        assert [e["field"] for e in problem["errors"]] == [field], (body, problem)
        assert rule in problem["errors"][0]["message"], (body, problem)
    assert _count(db, tenant) == before


def test_errors_answer_in_german_when_asked(client: TestClient, tenant: TenantFixture) -> None:
    response = client.post(
        "/v2/customers",
        json={**ACME, "vatId": "ATU13585626"},
        headers={**tenant.headers, "Accept-Language": "de"},
    )
    assert response.status_code == 400
    assert "Keine gültige USt-IdNr." in response.json()["detail"]


def test_patch_emits_customer_updated_with_the_old_customer(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = _create(client, tenant, ACME)
    assert _events(db, tenant, "customer.created") == [{"customer": created}]
    response = client.patch(
        f"/v2/customers/{created['id']}",
        json={"type": "B2C", "firstName": "Eva", "lastName": "Berg", "shippingAddress": None},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["type"] == "B2C" and changed["firstName"] == "Eva"
    assert changed["customerNumber"] == created["customerNumber"]
    assert changed["invoiceAddress"] == created["invoiceAddress"]
    [event] = _events(db, tenant, "customer.updated")
    assert event == {"customer": changed, "oldCustomer": created}
    bad = client.patch(
        f"/v2/customers/{created['id']}", json={"vatId": "ATU1"}, headers=tenant.headers
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "vatId"
    null_type = client.patch(
        f"/v2/customers/{created['id']}", json={"type": None}, headers=tenant.headers
    )
    assert null_type.status_code == 400 and null_type.json()["errors"][0]["field"] == "type"
    other = _create(client, tenant, {**ACME, "customerNumber": "X-1"})
    taken = client.patch(
        f"/v2/customers/{created['id']}", json={"customerNumber": "X-1"}, headers=tenant.headers
    )
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "customerNumber"
    again = client.get(f"/v2/customers/{created['id']}", headers=tenant.headers).json()
    assert again == changed and other["customerNumber"] == "X-1"


def test_payment_accounts_apply_to_future_charges(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = _create(
        client,
        tenant,
        {
            **ACME,
            "paymentMethod": "SEPA_DIRECT_DEBIT",
            "paymentAccounts": [{"iban": "DE89 3704 0044 0532 0130 00", "accountHolder": "Acme"}],
        },
    )
    [account] = created["paymentAccounts"]
    assert account["iban"] == IBAN and account["bic"] == "COBADEFFXXX"
    assert set(account) == {"id", "iban", "bic", "accountHolder", "createdAt"}
    base = f"/v2/customers/{created['id']}/payment-accounts"
    last = client.delete(f"{base}/{account['id']}", headers=tenant.headers)
    assert last.status_code == 409 and last.json()["errors"][0]["field"] == "paymentMethod"
    body = {"iban": "AT611904300234573201", "bic": "BKAUATWW", "accountHolder": "Acme"}
    added = client.post(base, json=body, headers=tenant.headers)
    assert added.status_code == 201, added.text
    twice = client.post(base, json=body, headers=tenant.headers)
    assert twice.status_code == 409 and twice.json()["errors"][0]["field"] == "iban"
    bad = client.post(base, json={**body, "iban": "AT611904300234573202"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "iban"
    assert client.delete(f"{base}/{account['id']}", headers=tenant.headers).status_code == 204
    gone = client.delete(f"{base}/{account['id']}", headers=tenant.headers)
    assert gone.status_code == 404
    now = client.get(f"/v2/customers/{created['id']}", headers=tenant.headers).json()
    assert [a["id"] for a in now["paymentAccounts"]] == [added.json()["id"]]
    events = _events(db, tenant, "customer.updated")
    assert len(events) == 2
    assert events[-1]["oldCustomer"]["paymentAccounts"][0]["id"] == account["id"]
    assert events[-1]["customer"] == now


def test_search_paging_and_csv(client: TestClient, tenant: TenantFixture) -> None:
    for n in range(3):
        _create(client, tenant, {**ACME, "companyName": f"Firma {n}"})
    _create(client, tenant, {"type": "B2C", "firstName": "Eva", "lastName": "Berg"})
    _create(
        client,
        tenant,
        {
            **ACME,
            "paymentMethod": "SEPA_DIRECT_DEBIT",
            "paymentAccounts": [{"iban": IBAN, "accountHolder": "Acme"}],
        },
    )
    page = client.get(
        "/v2/customers",
        params={"search": "type==B2B", "size": 2, "page": 2},
        headers=tenant.headers,
    ).json()
    assert page["total"] == 4 and page["size"] == 2 and len(page["items"]) == 2
    found = client.get(
        "/v2/customers", params={"search": "companyName==Firma*"}, headers=tenant.headers
    ).json()
    assert sorted(c["companyName"] for c in found["items"]) == ["Firma 0", "Firma 1", "Firma 2"]
    sepa = client.get(
        "/v2/customers",
        params={"search": "paymentMethod==SEPA_DIRECT_DEBIT;country==AT"},
        headers=tenant.headers,
    ).json()
    assert [a["iban"] for a in sepa["items"][0]["paymentAccounts"]] == [IBAN]
    people = client.get(
        "/v2/customers", params={"search": "lastName==Berg"}, headers=tenant.headers
    ).json()
    assert [c["type"] for c in people["items"]] == ["B2C"]
    bad = client.get("/v2/customers", params={"search": "type==X"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "search"
    exported = client.get(
        "/v2/customers", params={"format": "csv", "sort": "customerNumber"}, headers=tenant.headers
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 5 and rows[0]["customerNumber"] == "1"
    assert rows[3]["type"] == "B2C" and "Wien" in rows[0]["invoiceAddress"]


def test_a_replayed_post_creates_one_customer(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/v2/customers", json=ACME, headers=headers)
    second = client.post("/v2/customers", json=ACME, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    assert _count(db, tenant)[0] == 1
    different = client.post("/v2/customers", json={**ACME, "companyName": "B"}, headers=headers)
    assert different.status_code == 422


def test_tenants_see_only_their_customers(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    mine = _create(client, tenant, ACME)
    theirs = _create(client, other_tenant, ACME)
    assert mine["customerNumber"] == theirs["customerNumber"] == "1"
    for method, path in (
        ("GET", f"/v2/customers/{mine['id']}"),
        ("PATCH", f"/v2/customers/{mine['id']}"),
        ("POST", f"/v2/customers/{mine['id']}/payment-accounts"),
    ):
        body = {"iban": IBAN, "accountHolder": "X"} if method == "POST" else {}
        response = client.request(method, path, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, path)
    listed = client.get("/v2/customers", headers=other_tenant.headers).json()
    assert [c["id"] for c in listed["items"]] == [theirs["id"]]


def test_reading_and_writing_need_their_scopes(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    reader = make_tenant(db, scopes=frozenset({"customers:read"}))
    assert client.get("/v2/customers", headers=reader.headers).status_code == 200
    refused = client.post("/v2/customers", json=ACME, headers=reader.headers)
    assert refused.status_code == 403 and "customers:write" in refused.json()["detail"]
    writer = make_tenant(db, scopes=frozenset({"customers:write"}))
    assert client.post("/v2/customers", json=ACME, headers=writer.headers).status_code == 201
    assert client.get("/v2/customers", headers=writer.headers).status_code == 403


def test_every_change_is_in_a_verified_audit_chain(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = _create(client, tenant, ACME)
    client.patch(f"/v2/customers/{created['id']}", json={"currency": "USD"}, headers=tenant.headers)
    client.post(
        f"/v2/customers/{created['id']}/payment-accounts",
        json={"iban": IBAN, "accountHolder": "Acme"},
        headers=tenant.headers,
    )
    with db.reader() as session:
        rows = session.execute(
            select(audit_entries.c.action, audit_entries.c.entity_type, audit_entries.c.after)
            .where(audit_entries.c.tenant_id == tenant.id)
            .where(audit_entries.c.entity_type.in_(["Customer", "CustomerPaymentAccount"]))
            .order_by(audit_entries.c.seq)
        ).all()
    assert [(r.action, r.entity_type) for r in rows] == [
        ("CREATE", "Customer"),
        ("UPDATE", "Customer"),
        ("CREATE", "CustomerPaymentAccount"),
    ]
    assert rows[1].after["currency"] == "USD"
    verified = client.get("/v2/audit-trail/verification", headers=tenant.headers).json()
    assert verified["intact"] is True


def test_the_accounting_api_and_v2_share_the_rows(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    old = client.post(
        "/api/1.1/customers",
        json={
            "customerNumber": "12345",
            "companyName": "Alt GmbH",
            "streetName": "Hauptplatz",
            "streetNumber": "3",
            "zipCode": "8010",
            "city": "Graz",
            "emailAddress": "office@alt.example",
            "taxNumber": "TAXNR1",
        },
        headers=tenant.headers,
    ).json()
    seen = client.get(f"/v2/customers/{old['id']}", headers=tenant.headers).json()
    assert seen["customerNumber"] == "12345" and seen["type"] == "B2B"
    assert seen["invoiceAddress"] == {
        "street": "Hauptplatz 3",
        "zipCode": "8010",
        "city": "Graz",
        "country": "AT",
        "email": "office@alt.example",
    }
    assert seen["currency"] == "EUR" and seen["paymentMethod"] == "BANK_TRANSFER"
    taken = _refused(client, tenant, {**ACME, "customerNumber": "12345"}, 409)
    assert taken["errors"][0]["field"] == "customerNumber"
    # a change through /v2 keeps the accounting API's other fields
    client.patch(
        f"/v2/customers/{old['id']}", json={"vatId": "ATU13585627"}, headers=tenant.headers
    )
    back = client.get(f"/api/1.1/customers/{old['id']}", headers=tenant.headers).json()
    assert back["taxNumber"] == "TAXNR1" and back["streetNumber"] == "3"
    # and the other way round
    new = _create(client, tenant, ACME)
    shown = client.get(f"/api/1.1/customers/{new['id']}", headers=tenant.headers).json()
    assert shown["customerNumber"] == new["customerNumber"]
    assert shown["companyName"] == "Acme GmbH" and shown["streetName"] == "Ringstraße 1"
    assert shown["emailAddress"] == "billing@acme.example" and shown["city"] == "Wien"
    duplicate = client.post(
        "/api/1.1/customers",
        json={"customerNumber": new["customerNumber"], "companyName": "Dup"},
        headers=tenant.headers,
    )
    assert duplicate.status_code == 409
    replaced = client.put(
        f"/api/1.1/customers/{new['id']}",
        json={"companyName": "Acme Neu GmbH", "customerNumber": new["customerNumber"]},
        headers=tenant.headers,
    )
    assert replaced.status_code == 200, replaced.text
    after = client.get(f"/v2/customers/{new['id']}", headers=tenant.headers).json()
    assert after["companyName"] == "Acme Neu GmbH" and after["vatId"] == "ATU13585627"
    assert after["type"] == "B2B"
    [event] = [
        e for e in _events(db, tenant, "customer.updated") if e["customer"]["id"] == new["id"]
    ]
    assert event["oldCustomer"]["companyName"] == "Acme GmbH"
    assert event["customer"]["companyName"] == "Acme Neu GmbH"


def test_deleting_through_the_accounting_api_removes_the_payment_accounts(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = _create(
        client, tenant, {**ACME, "paymentAccounts": [{"iban": IBAN, "accountHolder": "Acme"}]}
    )
    deleted = client.delete(f"/api/1.1/customers/{created['id']}", headers=tenant.headers)
    assert deleted.status_code == 200
    assert client.get(f"/v2/customers/{created['id']}", headers=tenant.headers).status_code == 404
    assert _count(db, tenant)[:2] == (0, 0)
