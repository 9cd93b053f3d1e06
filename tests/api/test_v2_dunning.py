"""Dunning runs on the test clock (receivables issue, item 6; ADR 0027): levels, fees in the
ledger and the open items, stops, blocks, deposit invoices, repeated and dry runs, bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import (
    audit_entries,
    dunning_levels,
    dunning_notice_items,
    dunning_notices,
    dunning_runs,
    ledger_balances,
    ledger_journals,
)
from beleg.services.documents.dunning import run_dunning
from tests.api.test_conformance_cash_invoices import post as post11
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contracts import freeze
from tests.api.test_v2_direct_debits import _issue, _mandate, _ready
from tests.api.test_v2_open_items import (
    account_balance,
    customer,
    document,
    invoice,
    ledger_balance,
    pay,
    remaining,
)
from tests.conftest import TenantFixture, system_actor

DUE = "2026-06-16"


def run(client: TestClient, tenant: TenantFixture, status: int = 201, **body: Any) -> Any:
    return call(client, tenant, "POST", "/dunning-runs", body, status=status)


def first_level_fee(db: Database, tenant: TenantFixture, fee: str, percentage: str) -> None:
    """Give the first default level a fee (levels have no /v2 write endpoint yet)."""
    d = dunning_levels.c
    with db.transaction() as session:
        session.execute(
            update(dunning_levels)
            .where(d.tenant_id == tenant.id, d.previous_level_id.is_(None))
            .values(fixed_fee=Decimal(fee), fee_percentage=Decimal(percentage))
        )


def trial_balance(db: Database, tenant: TenantFixture) -> Decimal:
    b = ledger_balances.c
    with db.reader() as session:
        debit, credit = session.execute(
            select(func.coalesce(func.sum(b.debit), 0), func.coalesce(func.sum(b.credit), 0)).where(
                b.tenant_id == tenant.id, b.currency == "EUR"
            )
        ).one()
    return Decimal(debit) - Decimal(credit)


def rows(db: Database, tenant: TenantFixture) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
            for table in (
                dunning_runs,
                dunning_notices,
                dunning_notice_items,
                ledger_journals,
                audit_entries,
            )
        )


def document_id(client: TestClient, tenant: TenantFixture, number: str) -> str:
    """The /v2 id of an /api/1.1 document (whose ``id`` is its number)."""
    items = call(client, tenant, "GET", "/open-items?size=100")["items"]
    (found,) = [i["id"] for i in items if i["documentNumber"] == number]
    return str(found)


class Ledger:
    """Open items = the ledger's receivable balance, per customer and in total."""

    def __init__(self, client: TestClient, db: Database, tenant: TenantFixture) -> None:
        self.client, self.db, self.tenant = client, db, tenant
        self.a = customer(client, tenant, "Alpha GmbH", personal=True)
        self.b = customer(client, tenant, "Beta GmbH", personal=False)

    def check(self, a: str, b: str) -> None:
        client, db, tenant = self.client, self.db, self.tenant
        accounts = {"a": [str(self.a["contraAccount"])], "b": ["1400"]}
        ledger = {k: ledger_balance(db, tenant, v) for k, v in accounts.items()}
        items = {
            "a": remaining(client, tenant, customer=self.a["id"]),
            "b": remaining(client, tenant, customer=self.b["id"]),
        }
        views = {
            "a": account_balance(client, tenant, self.a["id"]),
            "b": account_balance(client, tenant, self.b["id"]),
        }
        assert ledger == items == views == {"a": Decimal(a), "b": Decimal(b)}, (ledger, items)
        assert remaining(client, tenant) == Decimal(a) + Decimal(b)
        assert trial_balance(db, tenant) == 0


def test_levels_fees_ledger_and_open_items(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    books = Ledger(client, db, tenant)
    a, b = books.a["id"], books.b["id"]
    first_level_fee(db, tenant, "2.50", "1")
    freeze(client, tenant, "2026-06-10")
    first = invoice(client, tenant, a, "100.00", "19.00", dueDate=DUE)
    second = invoice(client, tenant, b, "200.00", "38.00", dueDate=DUE)
    books.check("119.00", "238.00")
    freeze(client, tenant, "2026-06-29")
    assert run(client, tenant)["noticeCount"] == 0  # 13 days overdue: not yet
    freeze(client, tenant, "2026-06-30")
    done = run(client, tenant)
    assert done["asOf"] == "2026-06-30" and done["itemCount"] == 2
    fees = {n["customerId"]: (n["number"], n["level"], n["fee"]) for n in done["notices"]}
    # 2.50 + 1 % of 119.00 = 3.69; 2.50 + 1 % of 238.00 = 4.88
    assert {number for number, _, _ in fees.values()} == {"M2026-1", "M2026-2"}  # gapless
    assert (fees[a][1:], fees[b][1:]) == ((1, "3.69"), (1, "4.88"))
    books.check("122.69", "242.88")
    assert run(client, tenant)["noticeCount"] == 0  # the same day again: nothing new
    assert call(client, tenant, "GET", f"/dunning-runs/{done['id']}") == done
    items = call(client, tenant, "GET", f"/open-items?customer={a}")["items"]
    dunned = {i["documentType"]: (i["dunningDate"], i["dunningLevel"]) for i in items}
    assert dunned == {"INVOICE": ("2026-06-30", 1), "DUNNING_NOTICE": (None, None)}
    level1 = done["notices"][0]["levelId"]
    shown = client.get(f"/api/1.1/invoices/{first['id']}", headers=tenant.headers).json()
    assert (shown["dunningDate"], shown["lastDunningLevel"]) == ("2026-06-30", level1)
    pay(client, tenant, f"/invoices/{second['id']}", "2026-07-01", amount="238.00")
    books.check("122.69", "4.88")
    freeze(client, tenant, "2026-07-13")
    assert run(client, tenant)["noticeCount"] == 0  # level 2 is 14 days after the notice
    freeze(client, tenant, "2026-07-14")
    (notice,) = run(client, tenant)["notices"]  # the paid invoice of B stops
    assert (notice["customerId"], notice["level"], notice["fee"]) == (a, 2, "5.00")
    assert notice["number"] == "M2026-3"
    assert [i["documentNumber"] for i in notice["items"]] == [first["id"]]
    books.check("127.69", "4.88")
    pdf = client.get(f"/v2/dunning-notices/{notice['id']}/pdf", headers=tenant.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="M2026-3.pdf"'
    listed = call(client, tenant, "GET", f"/dunning-notices?customer={a}")
    assert [n["number"] for n in listed] == ["M2026-3", fees[a][0]]
    shown = client.get(f"/api/1.1/invoices/{first['id']}", headers=tenant.headers).json()
    assert (shown["dunningDate"], shown["lastDunningLevel"]) == ("2026-07-14", notice["levelId"])


def test_blocks_skip_and_release_resumes(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    books = Ledger(client, db, tenant)
    a, b = books.a["id"], books.b["id"]
    freeze(client, tenant, "2026-06-10")
    invoice(client, tenant, a, "100.00", "19.00", dueDate=DUE)
    second = invoice(client, tenant, b, "200.00", "38.00", dueDate=DUE)
    block = {"reason": "Reklamation offen"}
    call(client, tenant, "POST", f"/customers/{a}/dunning-block", block, status=204)
    blocked = document_id(client, tenant, second["id"])
    call(client, tenant, "POST", f"/documents/{blocked}/dunning-block", block, status=204)
    freeze(client, tenant, "2026-07-01")
    assert run(client, tenant)["noticeCount"] == 0
    call(client, tenant, "DELETE", f"/customers/{a}/dunning-block", status=204)
    (notice,) = run(client, tenant)["notices"]
    assert notice["customerId"] == a
    call(client, tenant, "DELETE", f"/documents/{blocked}/dunning-block", status=204)
    (notice,) = run(client, tenant)["notices"]
    assert notice["customerId"] == b
    call(client, tenant, "DELETE", f"/customers/{a}/dunning-block", status=404)
    books.check("119.00", "238.00")  # the default first level has no fee


def test_deposit_invoices_only_when_included(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    who = customer(client, tenant, "Bau AG", personal=False)["id"]
    freeze(client, tenant, "2026-06-10")
    order = post11(
        client,
        tenant,
        "/order_confirmations",
        {**document(who, "1000.00", "190.00", "2026-06-02"), "deposits": [{"amount": "595.00"}]},
    )
    deposit = invoice(client, tenant, who, "500.00", "95.00", dueDate=DUE, depositFor=order["id"])
    assert deposit["typeCode"] == "386"
    freeze(client, tenant, "2026-07-01")
    assert run(client, tenant, dryRun=True)["noticeCount"] == 0
    bad = {"automated": False, "includeDepositInvoices": True}
    problem = call(client, tenant, "PUT", "/dunning-settings", bad, status=400)
    assert "includeDepositInvoices" in str(problem)
    on = {"automated": True, "includeDepositInvoices": True}
    assert call(client, tenant, "PUT", "/dunning-settings", on) == on
    (notice,) = run(client, tenant)["notices"]
    assert notice["items"][0]["documentNumber"] == deposit["id"]


def test_dry_run_writes_nothing_and_bad_input_names_the_field(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    first_level_fee(db, tenant, "3.00", "0")
    who = customer(client, tenant, "Gamma GmbH", personal=True)["id"]
    freeze(client, tenant, "2026-06-10")
    invoice(client, tenant, who, "100.00", "19.00", dueDate=DUE)
    freeze(client, tenant, "2026-07-01")
    before = rows(db, tenant)
    planned = run(client, tenant, dryRun=True)
    assert planned["id"] is None and planned["dryRun"] is True
    assert [(n["level"], n["fee"], n["number"]) for n in planned["notices"]] == [(1, "3.00", None)]
    assert rows(db, tenant) == before
    for body, field in (
        ({"asOf": "2026-07-02"}, "asOf"),  # the future
        ({"asOf": "2025-01-01"}, "asOf"),  # more than a year back
        ({"firstLevel": "00000000-0000-0000-0000-000000000001"}, "firstLevel"),
    ):
        problem = run(client, tenant, status=400, **body)
        assert field in str(problem), problem
    assert rows(db, tenant) == before
    done = run(client, tenant)
    assert done["notices"][0]["fee"] == "3.00"
    assert rows(db, tenant)[:4] == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)


def test_items_in_an_active_collection_wait_until_it_has_settled(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    freeze(client, tenant, "2026-12-24")
    sepa = _ready(client, tenant)
    _mandate(client, tenant, sepa)
    _issue(db, tenant, sepa, 1)
    (item,) = call(client, tenant, "GET", "/open-items")["items"]
    assert date.fromisoformat(item["dueDate"]) + timedelta(days=14) <= date(2026, 12, 31)
    batch = call(client, tenant, "POST", "/direct-debit-batches", {}, status=201)
    assert batch["items"][0]["collectionDate"] == "2026-12-28"
    freeze(client, tenant, "2026-12-31")
    assert run(client, tenant)["noticeCount"] == 0  # collecting: no reminder meanwhile
    freeze(client, tenant, "2027-01-04")  # five days after the collection nothing came in
    (notice,) = run(client, tenant)["notices"]
    assert notice["items"][0]["documentId"] == item["id"]


def test_concurrent_runs_dun_each_item_once(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    who = customer(client, tenant, "Delta GmbH", personal=False)["id"]
    freeze(client, tenant, "2026-06-10")
    for _ in range(3):
        invoice(client, tenant, who, "100.00", "19.00", dueDate=DUE)
    freeze(client, tenant, "2026-07-01")

    def once(_: int) -> int:
        done = run_dunning(
            db=db,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            as_of=None,
            dry_run=False,
            first_level=None,
            clock=SystemClock(),
        )
        return sum(len(p.items) for p in done.notices)

    with ThreadPoolExecutor(4) as pool:
        dunned = sorted(pool.map(once, range(4)))
    assert dunned == [0, 0, 0, 3]
    assert rows(db, tenant)[:3] == (4, 1, 3)  # four runs, one notice, three items


def test_other_tenants_see_nothing_and_every_change_is_audited(
    client: TestClient, db: Database, billing_tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    who = customer(client, tenant, "Epsilon GmbH", personal=False)["id"]
    freeze(client, tenant, "2026-06-10")
    invoice(client, tenant, who, "100.00", "19.00", dueDate=DUE)
    call(client, tenant, "POST", f"/customers/{who}/dunning-block", {"reason": "x"}, status=204)
    call(client, tenant, "DELETE", f"/customers/{who}/dunning-block", status=204)
    freeze(client, tenant, "2026-07-01")
    done = run(client, tenant)
    notice = done["notices"][0]["id"]
    call(client, other_tenant, "GET", f"/dunning-runs/{done['id']}", status=404)
    assert call(client, other_tenant, "GET", f"/dunning-notices?customer={who}") == []
    call(client, other_tenant, "GET", f"/dunning-notices/{notice}/pdf", status=404)
    block = {"reason": "fremd"}
    call(client, other_tenant, "POST", f"/customers/{who}/dunning-block", block, status=404)
    assert run(client, other_tenant)["noticeCount"] == 0
    a = audit_entries.c
    with db.reader() as session:
        kinds = session.execute(
            select(a.entity_type, a.action).where(
                a.tenant_id == tenant.id, a.entity_type.like("Dunning%")
            )
        ).all()
        documents = session.execute(
            select(func.count()).where(
                a.tenant_id == tenant.id, a.entity_type == "SalesDocument", a.action == "UPDATE"
            )
        ).scalar_one()
    assert sorted((k, str(v)) for k, v in kinds) == [
        ("DunningBlock", "CREATE"),
        ("DunningBlock", "DELETE"),
        ("DunningNotice", "CREATE"),
        ("DunningRun", "CREATE"),
    ]
    assert documents >= 1


def test_a_retried_run_with_its_idempotency_key_returns_the_first_answer(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    who = customer(client, tenant, "Zeta GmbH", personal=False)["id"]
    freeze(client, tenant, "2026-06-10")
    invoice(client, tenant, who, "100.00", "19.00", dueDate=DUE)
    freeze(client, tenant, "2026-07-01")
    headers = {**tenant.headers, "Idempotency-Key": "dunning-2026-07-01"}
    first = client.post("/v2/dunning-runs", json={}, headers=headers)
    again = client.post("/v2/dunning-runs", json={}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and first.json()["noticeCount"] == 1
    assert rows(db, tenant)[:3] == (1, 1, 1)
