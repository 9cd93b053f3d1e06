"""Open items and the customer account view (receivables issue, item 1; ADR 0024)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import ledger_balances
from tests.api.test_conformance_cash_invoices import post as post11
from tests.api.test_v2_catalogue import BASE, call, start_plan
from tests.api.test_v2_contracts import contract, freeze
from tests.conftest import TenantFixture, app_at, make_tenant

SKR03 = ("8400", "019", "1200")  # revenue 19 %, tax class entry, bank (the billing tenant)
EKR = ("4000", "020", "2800")  # the Austrian chart's: revenue 20 %, entry, bank
LINE_OUT = {"account": "4000", "amount": 12, "amountType": "N"}  # cash-based, 14.40 gross
LINE_IN = {"account": "7200", "amount": 12, "amountType": "N"}


def line(net: str, tax: str, *, credit: bool = False, chart: tuple = SKR03) -> dict[str, Any]:
    total = str(Decimal(net) + Decimal(tax))
    return {
        "name": "Beratung",
        "itemPrice": net,
        "itemPriceType": "N",
        "account": chart[0],
        "taxClassEntry": chart[1],
        "amount": 1,
        "netPrice": net,
        "taxPrice": tax,
        "totalPrice": total,
        **({"type": "CREDIT_MEMO"} if credit else {}),
    }


def document(
    customer: str, net: str, tax: str, day: str, *, credit: bool = False, chart: tuple = SKR03
) -> Any:
    total = str(Decimal(net) + Decimal(tax))
    return {
        "state": "FINALIZED",
        "date": day,
        "customer": customer,
        "netAmount": net,
        "taxAmount": tax,
        "totalAmount": total,
        "lines": [line(net, tax, credit=credit, chart=chart)],
    }


def customer(client: TestClient, tenant: TenantFixture, name: str, *, personal: bool) -> Any:
    body = {
        "companyName": name,
        "customerNumber": f"K-{uuid.uuid4().hex[:6]}",
        **({"createContraAccount": True} if personal else {}),
    }
    response = client.post("/api/1.1/customers", json=body, headers=tenant.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def invoice(
    client: TestClient,
    tenant: TenantFixture,
    who: str,
    net: str,
    tax: str,
    *,
    chart: tuple = SKR03,
    **extra: Any,
) -> Any:
    body = {**document(who, net, tax, "2026-06-02", chart=chart), **extra}
    return post11(client, tenant, "/invoices", body)


def credit_memo(
    client: TestClient, tenant: TenantFixture, who: str, net: str, tax: str, *, chart: tuple = SKR03
) -> Any:
    body = document(who, net, tax, "2026-06-03", credit=True, chart=chart)
    return post11(client, tenant, "/credit_memos", body)


def pay(
    client: TestClient, tenant: TenantFixture, path: str, day: str, bank: str = "1200", **body: Any
) -> Any:
    return post11(client, tenant, f"{path}/payments", {"date": day, "payingAccount": bank, **body})


def ledger_balance(db: Database, tenant: TenantFixture, accounts: list[str]) -> Decimal:
    """Debit minus credit of ``accounts`` from the maintained ledger balances (EUR)."""
    b = ledger_balances.c
    with db.reader() as session:
        found = session.execute(
            select(func.coalesce(func.sum(b.debit), 0), func.coalesce(func.sum(b.credit), 0)).where(
                b.tenant_id == tenant.id, b.account_code.in_(accounts), b.currency == "EUR"
            )
        ).one()
    return Decimal(found[0]) - Decimal(found[1])


def remaining(client: TestClient, tenant: TenantFixture, **query: str) -> Decimal:
    """The sum of the open items' remaining amounts, paged through as a client would."""
    total, page = Decimal(0), 1
    while True:
        params = "&".join(f"{k}={v}" for k, v in {**query, "page": str(page), "size": "2"}.items())
        found = call(client, tenant, "GET", f"/open-items?{params}")
        total += sum((Decimal(i["remainingAmount"]) for i in found["items"]), Decimal(0))
        if page * 2 >= found["total"]:
            return total
        page += 1


def summary(client: TestClient, tenant: TenantFixture, **query: str) -> list[dict[str, Any]]:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return call(client, tenant, "GET", f"/open-items/summary?{params}")["totals"]  # type: ignore[no-any-return]


def account_balance(client: TestClient, tenant: TenantFixture, customer_id: str) -> Decimal:
    view = call(client, tenant, "GET", f"/customers/{customer_id}/account")
    balances = {b["currency"]: Decimal(b["balance"]) for b in view["balances"]}
    if view["transactions"]:
        assert Decimal(view["transactions"][-1]["balance"]) == balances["EUR"]
    return balances.get("EUR", Decimal(0))


class Books:
    """Customer A books on its personal account, B on the receivables account 1400."""

    def __init__(self, client: TestClient, db: Database, tenant: TenantFixture) -> None:
        self.client, self.db, self.tenant = client, db, tenant
        self.a = customer(client, tenant, "Alpha GmbH", personal=True)
        self.b = customer(client, tenant, "Beta GmbH", personal=False)
        assert self.a["contraAccount"] and not self.b.get("contraAccount")

    def check(self, a: str, b: str) -> None:
        """Open items = ledger, per customer and in total, and = the account views."""
        client, tenant = self.client, self.tenant
        expected = {"a": Decimal(a), "b": Decimal(b)}
        ledger = {
            "a": ledger_balance(self.db, tenant, [str(self.a["contraAccount"])]),
            "b": ledger_balance(self.db, tenant, ["1400"]),
        }
        items = {k: remaining(client, tenant, customer=c["id"]) for k, c in self._who()}
        views = {k: account_balance(client, tenant, c["id"]) for k, c in self._who()}
        assert ledger == expected, ledger
        assert items == expected, items
        assert views == expected, views
        total = expected["a"] + expected["b"]
        assert remaining(client, tenant) == total
        assert ledger_balance(self.db, tenant, ["1400", str(self.a["contraAccount"])]) == total
        (eur,) = summary(client, tenant)
        assert (eur["currency"], Decimal(eur["remainingAmount"])) == ("EUR", total)
        per = {
            t["customerId"]: Decimal(t["remainingAmount"])
            for t in summary(client, tenant, perCustomer="true")
        }
        assert set(per) <= {self.a["id"], self.b["id"]}
        assert per.get(self.a["id"], Decimal(0)) == expected["a"]
        assert per.get(self.b["id"], Decimal(0)) == expected["b"]

    def _who(self) -> list[tuple[str, Any]]:
        return [("a", self.a), ("b", self.b)]


def ended_credit(items: list[dict[str, Any]], *, exclude: tuple[str, ...]) -> str:
    """The number of the one credit memo among ``items`` that is none of ``exclude``."""
    (found,) = [
        i["documentNumber"]
        for i in items
        if i["documentType"] == "CREDIT_MEMO" and i["documentNumber"] not in exclude
    ]
    return str(found)


def billed_invoice(client: TestClient, tenant: TenantFixture, customer_id: str) -> Any:
    """A billing-run invoice (/v2) of 53.43 for ``customer_id`` dated 2026-06-01, and the
    credit note of 17.26 (14.50 + 19 %) its contract's extraordinary end on 15.06 makes."""
    freeze(client, tenant, "2026-05-15")
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    made = contract(client, tenant, customer_id, "2026-05-15")
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    call(
        client,
        tenant,
        "POST",
        f"/contracts/{made['id']}/service-cycle",
        {"nextPeriodStart": "2026-06-01"},
    )
    freeze(client, tenant, "2026-06-01")
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-06-01"}, status=201)
    (billed,) = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    assert billed["totalAmount"] == "53.43"
    freeze(client, tenant, "2026-06-10")
    body = {"type": "EXTRAORDINARY", "date": "2026-06-15"}
    ended = call(client, tenant, "POST", f"/contracts/{made['id']}/terminate", body)
    assert ended["correction"]["created"] is True
    freeze(client, tenant, "2026-06-20")
    return billed


def test_open_items_equal_the_ledger_after_every_step(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    tenant = billing_tenant
    books = Books(client, db, tenant)
    a, b = books.a["id"], books.b["id"]
    billed = billed_invoice(client, tenant, a)
    books.check("36.17", "0")
    first = invoice(client, tenant, a, "100.00", "19.00", dueDate="2026-06-16")
    books.check("155.17", "0")
    second = invoice(client, tenant, b, "200.00", "38.00", dueDate="2026-07-02")
    books.check("155.17", "238.00")
    memo = credit_memo(client, tenant, a, "50.00", "9.50")
    books.check("95.67", "238.00")
    partial = pay(client, tenant, f"/invoices/{first['id']}", "2026-06-05", amount="50.00")
    books.check("45.67", "238.00")
    pay(client, tenant, f"/invoices/{second['id']}", "2026-06-06", amount="38.00")
    books.check("45.67", "200.00")
    pay(client, tenant, f"/invoices/{second['id']}", "2026-06-07", amount="200.00")
    books.check("45.67", "0")
    # 60 of the 69 left, the rest written off as a discount (income and VAT corrected)
    pay(
        client,
        tenant,
        f"/invoices/{first['id']}",
        "2026-06-08",
        amount="60.00",
        restType="DISCOUNT",
    )
    books.check("-23.33", "0")
    pay(client, tenant, f"/credit_memos/{memo['id']}", "2026-06-09")  # paid out whole
    books.check("36.17", "0")
    # 60 on the billed 53.43: the excess stays on A's account as a credit (no booking moves it)
    number = billed["number"]
    pay(client, tenant, f"/invoices/{number}", "2026-06-10", amount="60.00", restType="ONACCOUNT")
    books.check("-23.83", "0")
    entry = partial[0]["id"]
    post11(
        client,
        tenant,
        f"/invoices/{first['id']}/payments/{entry}/cancel",
        {"cancelDate": "2026-06-11", "cancelReason": "Rückläufer"},
    )
    books.check("26.17", "0")
    items = call(client, tenant, "GET", f"/open-items?customer={a}")["items"]
    status = {i["documentNumber"]: (i["status"], i["remainingAmount"]) for i in items}
    assert status == {
        number: ("OVERPAID", "-6.57"),
        first["id"]: ("OPEN", "50.00"),
        memo["id"]: ("PAID", "0.00"),
        ended_credit(items, exclude=(number, first["id"], memo["id"])): ("OPEN", "-17.26"),
    }
    carried = next(i for i in items if i["documentNumber"] == number)["carriedToAccount"]
    assert carried == "-6.57"


def test_the_account_view_shows_value_and_entry_dates(
    db: Database, database_url: str, tenant: TenantFixture
) -> None:
    """Seed 002: a payment of 05.03 entered on 15.03 shows both dates (the entry date is
    when it was recorded: the server's clock, here frozen at 15.03)."""
    with app_at(db, database_url, datetime(2026, 3, 15, 9, 30, tzinfo=UTC)) as client:
        who = customer(client, tenant, "Gamma AG", personal=False)["id"]
        body = document(who, "100.00", "20.00", "2026-03-01", chart=EKR)
        made = post11(client, tenant, "/invoices", body)
        pay(client, tenant, f"/invoices/{made['id']}", "2026-03-05", bank="2800", amount="20.00")
        view = call(client, tenant, "GET", f"/customers/{who}/account")
    charge, paid = view["transactions"]
    assert (charge["type"], charge["valueDate"], charge["entryDate"], charge["amount"]) == (
        "INVOICE",
        "2026-03-01",
        "2026-03-15",
        "120.00",
    )
    assert (paid["type"], paid["valueDate"], paid["entryDate"]) == (
        "PAYMENT",
        "2026-03-05",
        "2026-03-15",
    )
    assert (paid["amount"], paid["balance"], paid["cancelled"]) == ("-20.00", "100.00", False)
    assert paid["recordedAt"].startswith("2026-03-15T09:30")
    assert view["balances"] == [{"currency": "EUR", "balance": "100.00"}]


def test_cancellations_and_write_offs_keep_the_invariant(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """Austrian chart, double entry, everything on the receivables account 2000."""
    who = customer(client, tenant, "Delta KG", personal=False)["id"]
    accounts = ["2000"]

    def check(expected: str) -> None:
        assert ledger_balance(db, tenant, accounts) == Decimal(expected)
        assert remaining(client, tenant, customer=who) == Decimal(expected)
        assert account_balance(client, tenant, who) == Decimal(expected)

    plain = invoice(client, tenant, who, "100.00", "20.00", chart=EKR)
    check("120.00")
    post11(client, tenant, f"/invoices/{plain['id']}/cancel", {"cancellationDate": "2026-06-04"})
    check("0")
    countered = invoice(client, tenant, who, "50.00", "10.00", chart=EKR)
    post11(
        client,
        tenant,
        f"/invoices/{countered['id']}/cancel",
        {"cancelType": "CANCELLATION_CREDIT_MEMO", "cancellationDate": "2026-06-05"},
    )
    check("0")
    storno = invoice(client, tenant, who, "10.00", "2.00", chart=EKR)
    post11(
        client, tenant, f"/invoices/{storno['id']}/cancel", {"cancelType": "CANCELLATION_INVOICE"}
    )
    check("0")
    bad = invoice(client, tenant, who, "80.00", "16.00", chart=EKR)
    pay(
        client,
        tenant,
        f"/invoices/{bad['id']}",
        "2026-06-06",
        bank="2800",
        amount="6.00",
        restType="UNCOLLECTABLE",
    )
    check("0")
    short = invoice(client, tenant, who, "30.00", "6.00", chart=EKR)
    pay(
        client,
        tenant,
        f"/invoices/{short['id']}",
        "2026-06-07",
        bank="2800",
        amount="30.00",
        restType="ONACCOUNT",
    )
    check("6.00")  # the rest stays on the customer's account: still open in the ledger
    (item,) = call(client, tenant, "GET", f"/open-items?customer={who}&status=OPEN")["items"]
    assert (item["documentNumber"], item["remainingAmount"], item["carriedToAccount"]) == (
        short["id"],
        "6.00",
        "6.00",
    )
    types = [
        t["type"] for t in call(client, tenant, "GET", f"/customers/{who}/account")["transactions"]
    ]
    assert types.count("CANCELLATION") == 1 and types.count("WRITE_OFF") == 1
    assert types.count("CREDIT_MEMO") == 1


def test_single_entry_books_no_receivable(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    """EA (cash basis): no receivables account moves; the open items are what the documents
    still ask for, and the account view ends at the same balance."""
    tenant = make_tenant(db, mode="EA")
    who = customer(client, tenant, "Epsilon OG", personal=False)["id"]
    first = invoice(client, tenant, who, "100.00", "20.00", chart=EKR)
    credit_memo(client, tenant, who, "10.00", "2.00", chart=EKR)
    pay(client, tenant, f"/invoices/{first['id']}", "2026-06-05", bank="2800", amount="50.00")
    assert ledger_balance(db, tenant, ["2000"]) == 0
    assert remaining(client, tenant, customer=who) == Decimal("58.00")
    assert account_balance(client, tenant, who) == Decimal("58.00")
    (eur,) = summary(client, tenant)
    assert (eur["remainingAmount"], eur["receivableAmount"], eur["creditAmount"]) == (
        "58.00",
        "70.00",
        "-12.00",
    )
    assert (eur["items"], eur["open"], eur["overpaid"]) == (2, 2, 0)
    dropped = invoice(client, tenant, who, "5.00", "1.00", chart=EKR)
    post11(client, tenant, f"/invoices/{dropped['id']}/cancel", {"cancellationDate": "2026-06-06"})
    assert remaining(client, tenant, customer=who) == Decimal("58.00")
    assert account_balance(client, tenant, who) == Decimal("58.00")  # issued, then cancelled
    cash = {"invoiceDate": "2026-06-02", "customer": who, "lines": [LINE_OUT]}
    post11(client, tenant, "/outgoing_invoices", cash)
    assert remaining(client, tenant, customer=who) == Decimal("72.40")
    assert account_balance(client, tenant, who) == Decimal("72.40")
    assert ledger_balance(db, tenant, ["2000"]) == 0


def test_reading_open_items_takes_the_open_items_scope(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    reader = make_tenant(db, scopes=frozenset({"open-items:read"}))
    other = make_tenant(db, scopes=frozenset({"documents:read", "customers:read"}))
    for path in ("/open-items", "/open-items/summary", f"/customers/{uuid.uuid4()}/account"):
        assert client.get(f"/v2{path}", headers=other.headers).status_code == 403, path
        allowed = client.get(f"/v2{path}", headers=reader.headers).status_code
        assert allowed == (404 if "account" in path else 200), path


def test_filters_paging_and_tenant_scoping(
    client: TestClient, db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    who = customer(client, tenant, "Zeta SE", personal=False)["id"]
    early = invoice(client, tenant, who, "10.00", "2.00", chart=EKR, dueDate="2026-06-10")
    late = invoice(client, tenant, who, "20.00", "4.00", chart=EKR, dueDate="2026-07-10")
    pay(client, tenant, f"/invoices/{late['id']}", "2026-06-06", bank="2800", amount="24.00")
    listed = call(client, tenant, "GET", f"/open-items?customer={who}&dueBefore=2026-07-01")
    assert [i["documentNumber"] for i in listed["items"]] == [early["id"]]
    paid = call(client, tenant, "GET", f"/open-items?customer={who}&status=PAID")["items"]
    assert [(i["documentNumber"], i["paidDate"]) for i in paid] == [(late["id"], "2026-06-06")]
    page = call(client, tenant, "GET", f"/open-items?customer={who}&size=1&page=2")
    assert (page["total"], len(page["items"]), page["page"]) == (2, 1, 2)  # before the USD one
    assert call(client, tenant, "GET", f"/open-items?customer={who}&currency=USD")["total"] == 0
    dollars = invoice(client, tenant, who, "50.00", "10.00", chart=EKR, currency="USD")
    dollars_rate = {"currencyRate": "1.25"}
    pay(
        client,
        tenant,
        f"/invoices/{dollars['id']}",
        "2026-06-06",
        bank="2800",
        amount="20.00",
        **dollars_rate,
    )
    (usd,) = call(client, tenant, "GET", f"/open-items?customer={who}&currency=usd")["items"]
    assert (usd["currency"], usd["remainingAmount"], usd["status"]) == ("USD", "40.00", "OPEN")
    per_currency = {t["currency"]: t["remainingAmount"] for t in summary(client, tenant)}
    assert per_currency == {"EUR": "12.00", "USD": "40.00"}
    b = ledger_balances.c
    with db.reader() as session:
        debit, credit = session.execute(
            select(func.sum(b.debit), func.sum(b.credit)).where(
                b.tenant_id == tenant.id, b.account_code == "2000", b.currency == "USD"
            )
        ).one()
    assert Decimal(debit) - Decimal(credit) == Decimal("40.00")  # in the journals' currency
    view = call(client, tenant, "GET", f"/customers/{who}/account")
    assert view["balances"] == [
        {"currency": "EUR", "balance": "12.00"},
        {"currency": "USD", "balance": "40.00"},
    ]  # a running balance per currency
    usd_rows = [t for t in view["transactions"] if t["currency"] == "USD"]
    assert [(t["type"], t["balance"]) for t in usd_rows] == [
        ("INVOICE", "60.00"),
        ("PAYMENT", "40.00"),
    ]
    found = call(
        client, tenant, "GET", f"/open-items?search=customerId=={who}&currency=EUR&sort=-dueDate"
    )
    assert [i["documentNumber"] for i in found["items"]] == [late["id"], early["id"]]
    csv = client.get(f"/v2/open-items?customer={who}&format=csv", headers=tenant.headers)
    assert csv.status_code == 200 and early["id"] in csv.text
    bad = client.get("/v2/open-items?status=SOMETIMES", headers=tenant.headers)
    assert bad.status_code == 400
    # another tenant sees nothing of it
    missing = client.get(f"/v2/customers/{who}/account", headers=other_tenant.headers)
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "id"
    assert call(client, other_tenant, "GET", f"/open-items?customer={who}")["total"] == 0
    assert summary(client, other_tenant) == []
    unknown = client.get(f"/v2/customers/{uuid.uuid4()}/account", headers=tenant.headers)
    assert unknown.status_code == 404


def test_cash_based_invoices_are_open_items_too(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """Seed 003 §3.3 outgoing invoices are receivables on the same account; incoming ones
    are payables, equal to the payables account's credit balance."""
    who = customer(client, tenant, "Eta GmbH", personal=False)["id"]

    def check(receivable: str, payable: str) -> None:
        assert ledger_balance(db, tenant, ["2000"]) == Decimal(receivable)
        assert ledger_balance(db, tenant, ["3300"]) == -Decimal(payable)
        assert remaining(client, tenant, customer=who) == Decimal(receivable)
        assert account_balance(client, tenant, who) == Decimal(receivable)
        assert remaining(client, tenant, kind="PAYABLE") == Decimal(payable)
        totals = {t["kind"]: Decimal(t["remainingAmount"]) for t in summary(client, tenant)}
        assert totals.get("RECEIVABLE", Decimal(0)) == Decimal(receivable)
        assert totals.get("PAYABLE", Decimal(0)) == Decimal(payable)

    invoice(client, tenant, who, "100.00", "20.00", chart=EKR)
    body = {"invoiceDate": "2026-06-02", "customer": who, "lines": [LINE_OUT]}
    cash = post11(client, tenant, "/outgoing_invoices", body)["result"]
    check("134.40", "0")
    paid = {"paymentAmount": 10, "contraAccount": "2800", "paymentDate": "2026-06-05"}
    first = post11(client, tenant, f"/outgoing_invoices/{cash['id']}/pay", paid)["result"]
    check("124.40", "0")
    rest = {"type": "DISCOUNT", "paymentDate": "2026-06-06"}
    post11(client, tenant, f"/outgoing_invoices/{cash['id']}/pay_rest", rest)
    check("120.00", "0")
    booking = first["bookings"][1]["id"]
    path = f"/outgoing_invoices/{cash['id']}/bookings/{booking}/cancel"
    post11(client, tenant, path, {"cancelReason": "falsch", "cancelDate": "2026-06-07"})
    check("130.00", "0")
    dropped = post11(client, tenant, "/outgoing_invoices", body)["result"]
    check("144.40", "0")
    undo = {"cancelReason": "doppelt", "cancelDate": "2026-06-07"}
    post11(client, tenant, f"/outgoing_invoices/{dropped['id']}/cancel", undo)
    check("130.00", "0")
    incoming = {"invoiceDate": "2026-06-02", "lines": [LINE_IN]}
    bill = post11(client, tenant, "/incoming_invoices", incoming)["result"]
    check("130.00", "14.40")
    paid = {"paymentAmount": 4.4, "contraAccount": "2800", "paymentDate": "2026-06-08"}
    post11(client, tenant, f"/incoming_invoices/{bill['id']}/pay", paid)
    check("130.00", "10.00")
    (item,) = call(client, tenant, "GET", "/open-items?kind=PAYABLE")["items"]
    assert (item["documentType"], item["status"], item["originalAmount"]) == (
        "INCOMING_CASH_INVOICE",
        "OPEN",
        "14.40",
    )
    view = call(client, tenant, "GET", f"/customers/{who}/account")["transactions"]
    cash_rows = [t["type"] for t in view if t["documentType"] == "OUTGOING_CASH_INVOICE"]
    assert cash_rows == [
        "INVOICE",
        "INVOICE",
        "PAYMENT",
        "WRITE_OFF",
        "PAYMENT_CANCELLED",
        "CANCELLATION",
    ]
