"""Receipt mails (seed 003 §4.19.14 ``customerMail``, §4.19.16 ``send_mail``; ADR 0025),
against a real SMTP server (aiosmtpd on 127.0.0.1): the mail is queued with the receipt,
the worker sends it with the receipt's PDF, and ``customerMailSent`` turns true only once the
server accepted it; a refusal leaves it false, with the server's answer on the mail."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.pos.printing import print_facts
from beleg.db.tables import cash_receipts, layout_setups, mails
from beleg.services.delivery.mail_sending import Mailer
from beleg.services.delivery.work import deliver_due
from tests.api.test_cash_registers import INCOME, get, open_register
from tests.api.test_documents import post
from tests.api.test_v2_mails import REFUSED
from tests.conftest import TenantFixture
from tests.smtp import Recorder

RECEIPTS = "/cash_registers/1/receipts"


@pytest.fixture
def register(client: TestClient, tenant: TenantFixture) -> TenantFixture:
    open_register(client, tenant)
    return tenant


def deliver(db: Database, tenant: TenantFixture, mailer: Mailer) -> int:
    return deliver_due(db=db, tenant_id=tenant.id, clock=SystemClock(), mailer=mailer).mails


def v2_mails(client: TestClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    response = client.get("/v2/mails", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return [
        client.get(f"/v2/mails/{m['id']}", headers=tenant.headers).json()
        for m in response.json()["items"]
    ]


def seller(db: Database, tenant: TenantFixture, number: str) -> str:
    with db.reader() as session:
        return print_facts(session, tenant.id, 1, number).seller_name


def count(db: Database, table: Any, tenant: TenantFixture) -> int:
    with db.reader() as session:
        return int(
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
        )


def test_a_receipt_with_customer_mail_is_mailed_with_its_pdf(
    client: TestClient,
    register: TenantFixture,
    other_tenant: TenantFixture,
    db: Database,
    smtp: tuple[Recorder, Mailer],
) -> None:
    recorder, mailer = smtp
    receipt = post(client, register, RECEIPTS, {**INCOME, "customerMail": "kunde@example.at"})
    number = receipt["id"]
    assert (receipt["customerMail"], receipt["customerMailSent"]) == ("kunde@example.at", False)
    (queued,) = v2_mails(client, register)
    assert queued["kind"] == "receipt" and queued["status"] == "QUEUED"
    assert queued["receipt"] == {"cashRegister": 1, "number": number}
    assert queued["recipients"] == ["kunde@example.at"]
    assert get(client, register, f"{RECEIPTS}/{number}")["customerMailSent"] is False
    assert deliver(db, other_tenant, mailer) == 0  # another tenant's round sends nothing
    assert deliver(db, register, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == ["kunde@example.at"] and message["To"] == "kunde@example.at"
    assert message["Subject"] == f"Ihr Beleg {number} von {seller(db, register, number)}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert f"Beleg {number} vom " in body.get_content() and "120,00" in body.get_content()
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == f"Beleg-{number}.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content()[:5] == b"%PDF-"
    shown = get(client, register, f"{RECEIPTS}/{number}")
    assert shown["customerMailSent"] is True
    assert shown == {**receipt, "customerMailSent": True}
    listed = {r["id"]: r for r in get(client, register, RECEIPTS)}
    assert listed[number]["customerMailSent"] is True
    assert all("customerMailSent" not in r for n, r in listed.items() if n != number)
    (sent,) = v2_mails(client, register)
    assert sent["status"] == "SENT"
    assert sent["attachments"][0]["name"] == f"Beleg-{number}.pdf"
    assert deliver(db, register, mailer) == 0 and len(recorder.received) == 1  # sent once


def test_send_mail_queues_one_mail_per_idempotency_key(
    client: TestClient, register: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    receipt = post(client, register, RECEIPTS, INCOME)
    number = receipt["id"]
    headers = {**register.headers, "Idempotency-Key": str(uuid.uuid4())}
    path = f"/api/1.1{RECEIPTS}/{number}/send_mail"
    first = client.post(path, json={"address": "gast@example.at"}, headers=headers)
    again = client.post(path, json={"address": "gast@example.at"}, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["id"] == number and "customerMailSent" not in first.json()
    assert count(db, mails, register) == 1
    assert deliver(db, register, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == ["gast@example.at"]
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == f"Beleg-{number}.pdf" and pdf.get_content()[:5] == b"%PDF-"
    # without a key, each call is a mail of its own
    post(client, register, f"{RECEIPTS}/{number}/send_mail", {"address": "gast@example.at"})
    assert count(db, mails, register) == 2


def test_send_mail_to_the_customer_mail_address_counts_as_sent(
    client: TestClient, register: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    receipt = post(client, register, RECEIPTS, {**INCOME, "customerMail": REFUSED})
    number = receipt["id"]
    other = post(client, register, f"{RECEIPTS}/{number}/send_mail", {"address": "x@example.at"})
    assert other["customerMailSent"] is False
    assert deliver(db, register, mailer) == 2
    assert get(client, register, f"{RECEIPTS}/{number}")["customerMailSent"] is False
    again = post(client, register, f"{RECEIPTS}/{number}/send_mail", {"address": REFUSED.upper()})
    recorder.refused.clear()
    assert again["customerMailSent"] is False  # queued, not yet sent
    assert deliver(db, register, mailer) == 1
    assert get(client, register, f"{RECEIPTS}/{number}")["customerMailSent"] is True


def test_a_refused_receipt_mail_leaves_customer_mail_sent_false(
    client: TestClient, register: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    receipt = post(client, register, RECEIPTS, {**INCOME, "customerMail": REFUSED})
    assert receipt["customerMailSent"] is False
    assert deliver(db, register, mailer) == 1
    assert recorder.received == []
    (mail,) = v2_mails(client, register)
    assert mail["status"] == "QUEUED" and mail["attempts"] == 1  # retried later
    assert "550" in mail["lastError"] and "User unknown" in mail["lastError"]
    shown = get(client, register, f"{RECEIPTS}/{receipt['id']}")
    assert shown["customerMailSent"] is False
    listed = {r["id"]: r for r in get(client, register, RECEIPTS)}
    assert listed[receipt["id"]]["customerMailSent"] is False
    # three days of refusals later the mail gives up: FAILED, and still not sent
    with db.transaction() as session:
        session.execute(
            update(mails)
            .where(mails.c.tenant_id == register.id)
            .values(
                first_attempt_at=datetime.now(UTC) - timedelta(days=4),
                next_attempt_at=datetime.now(UTC) - timedelta(seconds=1),
            )
        )
    assert deliver(db, register, mailer) == 1
    (failed,) = v2_mails(client, register)
    assert failed["status"] == "FAILED" and failed["attempts"] == 2
    assert "550" in failed["lastError"]
    assert get(client, register, f"{RECEIPTS}/{receipt['id']}")["customerMailSent"] is False


def test_addresses_are_checked_and_the_field_named(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    receipts = count(db, cash_receipts, register)
    bad = post(client, register, RECEIPTS, {**INCOME, "customerMail": "kein-mail"}, status=400)
    assert "customerMail" in bad["message"], bad
    assert count(db, cash_receipts, register) == receipts  # nothing written
    assert count(db, mails, register) == 0
    empty = post(client, register, RECEIPTS, {**INCOME, "customerMail": ""})
    assert "customerMailSent" not in empty and count(db, mails, register) == 0
    number = empty["id"]
    send = f"{RECEIPTS}/{number}/send_mail"
    for body in (
        {},
        {"address": None},
        {"address": " "},
        {"address": "a@b"},
        {"address": "x y@z.at"},
    ):
        refused = post(client, register, send, body, status=400)
        assert "address" in refused["message"], (body, refused)
    post(client, register, f"{RECEIPTS}/2099.9999/send_mail", {"address": "a@b.at"}, status=404)
    post(client, register, "/cash_registers/7/receipts/2026.0001/send_mail",
         {"address": "a@b.at"}, status=404)  # fmt: skip
    assert count(db, mails, register) == 0


def test_the_receipt_template_is_the_tenants_own_once_set(
    client: TestClient, register: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    template = {
        "subject": "Beleg {{ receipt_number }} ({{ register_name }}, Kassa {{ register }})",
        "body": "{{ company_name }}: {{ total }} am {{ receipt_date }} in {{ currency }}\n",
    }
    saved = client.put("/v2/mail-templates/receipt/de", json=template, headers=register.headers)
    assert saved.status_code == 200, saved.text
    wrong = client.put(
        "/v2/mail-templates/receipt/de",
        json={**template, "subject": "{{ document_number }}"},
        headers=register.headers,
    )
    assert wrong.status_code == 400 and "subject" in wrong.text
    receipt = post(client, register, RECEIPTS, {**INCOME, "customerMail": "kunde@example.at"})
    assert deliver(db, register, mailer) == 1
    ((_, message),) = recorder.received
    assert message["Subject"] == f"Beleg {receipt['id']} (Kassa 1, Kassa 1)"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    day = receipt["dateTime"][:10].split("-")
    expected = f"{seller(db, register, receipt['id'])}: 120,00\xa0€ am {'.'.join(reversed(day))}"
    assert body.get_content().rstrip() == f"{expected} in EUR"


def test_an_english_tenant_mails_in_english_and_a_failed_receipt_mails_nothing(
    client: TestClient, register: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    with db.transaction() as session:  # the default layout setup prints in English
        session.execute(
            update(layout_setups)
            .where(layout_setups.c.tenant_id == register.id)
            .values(language="en", company_name="Muster Shop")
        )
    wrong = {**INCOME, "customerMail": "kunde@example.at", "totalAmount": 121}
    post(client, register, RECEIPTS, wrong, status=400)
    assert count(db, mails, register) == 0  # the receipt's transaction took its mail with it
    receipt = post(client, register, RECEIPTS, {**INCOME, "customerMail": "kunde@example.at"})
    assert deliver(db, register, mailer) == 1
    ((_, message),) = recorder.received
    assert message["Subject"] == f"Your receipt {receipt['id']} from Muster Shop"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "€120.00" in body.get_content()
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == f"Receipt-{receipt['id']}.pdf"


def test_listing_receipts_reads_their_mails_in_one_query(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    def statements_of_list() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        engines = {db.engine, db.read_engine}
        for engine in engines:
            sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert get(client, register, RECEIPTS)
        finally:
            for engine in engines:
                sa_event.remove(engine, "before_cursor_execute", count)
        return len([s for s in seen if "FROM mails" in s])

    mailed = {**INCOME, "customerMail": "kunde@example.at"}
    post(client, register, RECEIPTS, mailed)
    few = statements_of_list()
    for _ in range(4):
        post(client, register, RECEIPTS, mailed)
    assert few == statements_of_list() == 1
