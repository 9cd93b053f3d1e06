"""/v2/bank-statements/{id}/reconcile (ADR 0026): a camt.053 built from a real sample pays
three invoices with one transfer, one partly, one over, collects one by direct debit and
leaves an ambiguous transfer to a user; the ledger, the open items and the lines agree after
it, and a second run assigns nothing. On PostgreSQL two concurrent runs never assign one line
twice."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import bank_line_assignments, sales_documents
from beleg.queries.ledger.reports import trial_balance
from beleg.services.identity.api_keys import create_api_key
from tests.api.test_v2_bank_statements import CAMT_IBAN, upload, with_iban
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_direct_debits import _freeze, _issue, _mandate, _ready
from tests.api.test_v2_open_items import customer, invoice, remaining
from tests.conftest import TenantFixture, make_tenant, system_actor
from tests.samples import sample


def entry(amount: str, text: str, ref: str, *, e2e: str = "NOTPROVIDED") -> str:
    """The sample's first entry with its amount, references and remittance edited."""
    xml = sample("camt053", "valid_example.xml").decode()
    found = xml[xml.index("<Ntry>") : xml.index("</Ntry>") + len("</Ntry>")]
    for old, new in (
        ('<Amt Ccy="EUR">2.00</Amt>', f'<Amt Ccy="EUR">{amount}</Amt>'),
        ("<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>CRDT</CdtDbtInd>"),
        ("2013122710583450000", ref),
        ("<AcctSvcrRef>BankReference</AcctSvcrRef>", f"<AcctSvcrRef>{ref}-TX</AcctSvcrRef>"),
        ("EndToEndReference", e2e),
        ("TEST BERWEISUNG MITTELS BLZUND KONTONUMMER - DTA", text),
    ):
        assert old in found, old
        found = found.replace(old, new)
    return re.sub(r"<Dt>2013-12-27</Dt>", "<Dt>2026-12-28</Dt>", found)


def statement(entries: list[str]) -> bytes:
    """The sample's statement with ``entries`` in place of its own."""
    xml = sample("camt053", "valid_example.xml").decode()
    head, tail = xml[: xml.index("<Ntry>")], xml[xml.rindex("</Ntry>") + len("</Ntry>") :]
    return (head + "".join(entries) + tail).encode()


class Scene:
    """Invoices of three customers (SKR03, bank 1200, receivables 1400) and a SEPA customer
    whose invoice was collected in a direct-debit batch."""

    def __init__(self, client: TestClient, db: Database, tenant: TenantFixture) -> None:
        self.client, self.db, self.tenant = client, db, tenant
        with_iban(db, tenant, CAMT_IBAN, "1200")
        _freeze(client, tenant, "2026-12-24")
        sepa = _ready(client, tenant)
        _mandate(client, tenant, sepa, reference="ABO-9")
        _issue(db, tenant, sepa, 1)
        batch = call(client, tenant, "POST", "/direct-debit-batches", {}, status=201)
        (self.collected,) = batch["items"]
        a = customer(client, tenant, "Alpha GmbH", personal=False)
        b = customer(client, tenant, "Beta GmbH", personal=False)
        self.b_number = b["customerNumber"]
        self.three = [self._invoice(a["id"], n) for n in ("100.00", "50.00", "10.00")]
        self.part = self._invoice(a["id"], "200.00")
        self.over = self._invoice(a["id"], "30.00")
        self.twins = [self._invoice(b["id"], "10.00") for _ in range(2)]

    def _invoice(self, who: str, net: str) -> dict[str, Any]:
        tax = str((Decimal(net) * Decimal("0.19")).quantize(Decimal("0.01")))
        return invoice(self.client, self.tenant, who, net, tax)  # type: ignore[no-any-return]

    def file(self) -> bytes:
        n = [i["id"] for i in self.three]
        return statement(
            [
                entry("190.40", f"Rechnungen {n[0]}, {n[1]} und {n[2]}", "R-1"),
                entry("100.00", f"Teilzahlung {self.part['id']}", "R-2"),
                entry("40.00", f"RE {self.over['id']} danke", "R-3"),
                entry("11.90", f"Kundennr {self.b_number}", "R-4"),
                entry(
                    self.collected["amount"],
                    "SEPA-Lastschrift",
                    "R-5",
                    e2e=self.collected["endToEndId"],
                ),
            ]
        )

    def open(self, doc: dict[str, Any]) -> Decimal:
        found = call(
            self.client,
            self.tenant,
            "GET",
            "/open-items?search=" + quote(f'documentNumber=="{doc["id"]}"'),
        )
        (item,) = [i for i in found["items"] if i["documentType"] == "INVOICE"]
        return Decimal(item["remainingAmount"])

    def check_books(self) -> None:
        """Trial balance zero; the open items equal the receivable accounts' balance."""
        rows = trial_balance(
            db=self.db,
            tenant_id=self.tenant.id,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 12, 31),
        )
        assert sum((r.balance for r in rows), Decimal(0)) == 0
        d = sales_documents.c
        with self.db.reader() as session:
            accounts = set(
                session.execute(
                    select(d.unpaid_account).where(d.tenant_id == self.tenant.id).distinct()
                ).scalars()
            ) | {"1400"}
        receivable = sum((r.balance for r in rows if r.account in accounts), Decimal(0))
        assert remaining(self.client, self.tenant) == receivable


def reconcile(client: TestClient, tenant: TenantFixture, statement_id: str) -> Any:
    return call(client, tenant, "POST", f"/bank-statements/{statement_id}/reconcile")


def test_a_statement_is_reconciled_once_with_the_books_in_balance(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    scene = Scene(client, db, t)
    imported = upload(client, t, scene.file())
    assert imported["imported"] == 5
    sid = imported["statements"][0]["id"]
    done = reconcile(client, t, sid)
    assert [(x["line"], x["rule"]) for x in done["assigned"]] == [
        (1, "DOCUMENT_NUMBERS"),
        (5, "END_TO_END_ID"),
    ]
    assert [a["amount"] for a in done["assigned"][0]["assignments"]] == ["119.00", "59.50", "11.90"]
    assert [(x["line"], x["assignments"][0]["amount"]) for x in done["partial"]] == [(2, "100.00")]
    (over,) = done["overpaid"]
    assert (over["assignments"][0]["amount"], over["assignments"][0]["onAccount"]) == (
        "35.70",
        "4.30",
    )
    (ambiguous,) = done["suggested"]
    assert ambiguous["line"] == 4 and not ambiguous["assignments"]
    assert {s["number"] for s in ambiguous["suggestions"]} == {i["id"] for i in scene.twins}
    assert {s["reason"] for s in ambiguous["suggestions"]} == {"REFERENCE"}
    assert [scene.open(i) for i in scene.three] == [Decimal(0)] * 3
    assert scene.open(scene.part) == Decimal("138.00")
    assert scene.open(scene.over) == Decimal("-4.30")  # kept on the customer's account
    assert [scene.open(i) for i in scene.twins] == [Decimal("11.90")] * 2
    scene.check_books()
    detail = call(client, t, "GET", f"/bank-statements/{sid}")
    assert [x["reconciled"] for x in detail["transactions"]] == [True, True, True, False, True]
    assert len(detail["transactions"][0]["assignments"]) == 3
    lines11 = client.get(f"/api/1.1/bank_statements/{sid}/lines", headers=t.headers).json()
    assert [Decimal(str(ln["remainingAmount"])) for ln in lines11] == [0, 0, 0, Decimal("11.90"), 0]
    again = reconcile(client, t, sid)
    assert (again["assigned"], again["partial"], again["overpaid"]) == ([], [], [])
    assert [x["line"] for x in again["suggested"]] == [4]
    scene.check_books()


def test_a_user_assigns_the_ambiguous_line(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    t = billing_tenant
    scene = Scene(client, db, t)
    sid = upload(client, t, scene.file())["statements"][0]["id"]
    reconcile(client, t, sid)
    path = f"/bank-statements/{sid}/transactions/4"
    hints = call(client, t, "GET", f"{path}/suggestions")
    assert (hints["reconciled"], hints["outcome"]) == (False, "SUGGESTED")
    chosen = scene.twins[1]
    doc = next(s["document"] for s in hints["suggestions"] if s["number"] == chosen["id"])
    too_much = {"documents": [{"document": doc, "amount": "12.00"}]}
    refused = client.post(f"/v2{path}/assign", json=too_much, headers=t.headers)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == "documents[0].amount"
    body = {"documents": [{"document": doc, "amount": "11.90"}]}
    done = call(client, t, "POST", f"{path}/assign", body)
    assert (done["outcome"], done["rule"]) == ("FULL", "MANUAL")
    assert scene.open(chosen) == 0 and scene.open(scene.twins[0]) == Decimal("11.90")
    twice = client.post(f"/v2{path}/assign", json=body, headers=t.headers)
    assert twice.status_code == 409, twice.text
    taken = client.post(
        f"/v2/bank-statements/{sid}/transactions/1/assign", json=body, headers=t.headers
    )
    assert taken.status_code == 409
    scene.check_books()


def test_concurrent_reconciliations_never_assign_a_line_twice(
    client: TestClient, db: Database, billing_tenant: TenantFixture, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writes one transaction at a time: there is no concurrent run to race")
    t = billing_tenant
    scene = Scene(client, db, t)
    sid = upload(client, t, scene.file())["statements"][0]["id"]
    start = threading.Barrier(2)
    answers: list[Any] = []

    def run() -> None:
        start.wait()
        answers.append(client.post(f"/v2/bank-statements/{sid}/reconcile", headers=t.headers))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assigned = sorted(len(a.json()["assigned"]) for a in answers)
    assert assigned == [0, 2]
    a = bank_line_assignments.c
    with db.reader() as session:
        rows = session.execute(
            select(a.line_no, func.count())
            .where(a.tenant_id == t.id)
            .group_by(a.line_no, a.document_id)
        ).all()
    assert all(count == 1 for _, count in rows) and len(rows) == 6
    scene.check_books()


def test_reconciling_needs_bank_write_and_documents_write(
    client: TestClient, db: Database, billing_tenant: TenantFixture
) -> None:
    """A key that may import statements books no payments; another tenant's statement is a
    404."""
    t = billing_tenant
    scene = Scene(client, db, t)
    sid = upload(client, t, scene.file())["statements"][0]["id"]
    key = create_api_key(
        db=db,
        actor=system_actor(t.id),
        tenant_id=t.id,
        name="importer",
        scopes=["bank:write", "bank:read"],
        validity_days=7,
        clock=SystemClock(),
    ).token
    headers = {"Authorization": f"Bearer {key}"}
    denied = client.post(f"/v2/bank-statements/{sid}/reconcile", headers=headers)
    assert denied.status_code == 403 and "documents:write" in denied.text
    hints = client.get(f"/v2/bank-statements/{sid}/transactions/1/suggestions", headers=headers)
    assert hints.status_code == 403 and "open-items:read" in hints.text
    body = {"documents": [{"document": str(uuid.uuid4()), "amount": "1.00"}]}
    assigned = client.post(
        f"/v2/bank-statements/{sid}/transactions/1/assign", json=body, headers=headers
    )
    assert assigned.status_code == 403
    other = make_tenant(db)
    missing = client.post(f"/v2/bank-statements/{sid}/reconcile", headers=other.headers)
    assert missing.status_code == 404, missing.text
    assert (
        call(client, t, "GET", f"/bank-statements/{sid}")["transactions"][0]["reconciled"] is False
    )
