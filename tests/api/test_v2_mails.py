"""Outgoing mails against a real SMTP server (aiosmtpd on 127.0.0.1, ADR 0021): a contract's
invoice goes with its PDF to the contract's invoice recipient, else to the customer's address;
a refused recipient is an attempt with the server's answer, retried on the tenant's clock and
given up after 3 days (then queued again by hand); a rolled-back transaction sends nothing;
the tenant's sender and templates (validated, audited); /v2/mails lists and shows them."""

from __future__ import annotations

import email
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import FixedClock, SystemClock
from beleg.db.database import Database
from beleg.db.delivery.mails import lease_due
from beleg.db.outbox import enqueue
from beleg.db.tables import audit_entries, mails, outbox_events, tenants
from beleg.domain.delivery.events import DomainEvent
from beleg.domain.delivery.mails import MailKind
from beleg.formats.einvoice.zugferd import extracted
from beleg.jobs.worker import run_due_work
from beleg.services.delivery import dispatch, mail_sending
from beleg.services.delivery.mail_sending import LEASE, Mailer, send_due_mails
from beleg.services.delivery.mails import invoice_mails, queue_admin_mail, queue_mail
from beleg.services.delivery.work import deliver_due
from tests.api.test_v2_catalogue import call, start_plan
from tests.api.test_v2_company import FULL
from tests.api.test_v2_contracts import contract, freeze
from tests.conftest import TenantFixture
from tests.smtp import Recorder

BASE = {"code": "BASE", "name": "Grundgebühr", "type": "RECURRING", "taxRate": "19"}
FLAT = {"option": "BASE", "quantity": "1", "price": {"model": "FLAT", "amount": "29.00"}}
REFUSED = "unbekannt@kunde.example"
NOON = datetime(2026, 5, 1, 12, tzinfo=UTC)
TERMS = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def invoice(
    client: TestClient,
    tenant: TenantFixture,
    *,
    recipient: str | None,
    email: str | None,
    customer_extra: dict[str, Any] | None = None,
    contract_file: bytes | None = None,
) -> dict[str, Any]:
    """The invoice a run issues on 2026-05-01 for a contract (with ``recipient`` as its
    invoice recipient, and ``contract_file`` filed as AGB.pdf to be sent by mail) of a
    customer with ``email``."""
    freeze(client, tenant, "2026-05-01")
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(items=[FLAT]), status=201)
    address = {"street": "Hafenstraße 9", "zipCode": "20457", "city": "Hamburg", "country": "DE"}
    customer = {
        "type": "B2B",
        "customerNumber": f"K-{uuid.uuid4().hex[:6]}",
        "companyName": "Käufer AG",
        "country": "DE",
        "invoiceAddress": {**address, "email": email} if email else address,
        **(customer_extra or {}),
    }
    customer_id = call(client, tenant, "POST", "/customers", customer, status=201)["id"]
    extra = {"invoiceRecipientEmail": recipient} if recipient else {}
    made = contract(client, tenant, customer_id, "2026-05-01", **extra)
    if contract_file is not None:
        filed = client.post(
            f"/v2/contracts/{made['id']}/documents?fileName=AGB.pdf&sendByMail=true",
            content=contract_file,
            headers={**tenant.headers, "Content-Type": "application/pdf"},
        )
        assert filed.status_code == 201, filed.text
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-05-01"}, status=201)
    (document,) = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    return document  # type: ignore[no-any-return]


def name_of(db: Database, tenant: TenantFixture) -> str:
    with db.reader() as session:
        return str(
            session.execute(select(tenants.c.name).where(tenants.c.id == tenant.id)).scalar_one()
        )


def deliver(db: Database, tenant: TenantFixture, mailer: Mailer) -> int:
    return deliver_due(db=db, tenant_id=tenant.id, clock=SystemClock(), mailer=mailer).mails


def at(client: TestClient, tenant: TenantFixture, instant: datetime) -> None:
    call(client, tenant, "PUT", "/test-clock", {"frozenAt": instant.isoformat()})


def only_mail(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    (item,) = call(client, tenant, "GET", "/mails")["items"]
    return call(client, tenant, "GET", f"/mails/{item['id']}")  # type: ignore[no-any-return]


def test_an_invoice_goes_with_its_pdf_to_the_contracts_recipient(
    client: TestClient,
    tenant: TenantFixture,
    other_tenant: TenantFixture,
    db: Database,
    smtp: tuple[Recorder, Mailer],
) -> None:
    recorder, mailer = smtp
    doc = invoice(client, tenant, recipient="buchhaltung@kunde.example", email="info@kunde.example")
    assert deliver(db, tenant, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == ["buchhaltung@kunde.example"]
    assert message["To"] == "buchhaltung@kunde.example"
    assert message["From"] == "beleg@localhost"
    assert message["Subject"] == f"Rechnung {doc['number']} von {name_of(db, tenant)}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"unsere Rechnung {doc['number']} vom 01.05.2026 über 34,51\xa0€." in text
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    file_name = "Rechnung-" + doc["number"].replace(" ", "-") + ".pdf"  # safe in any client
    assert pdf.get_filename() == file_name
    assert pdf.get_content()[:5] == b"%PDF-"
    sent = only_mail(client, tenant)
    assert sent["status"] == "SENT" and sent["attempts"] == 1 and sent["lastError"] is None
    assert sent["recipients"] == ["buchhaltung@kunde.example"]
    assert sent["documentId"] == doc["id"] and sent["kind"] == "invoice"
    assert sent["messageId"] == message["Message-ID"]
    assert sent["sentAt"] == "2026-05-01T12:00:00Z"
    size = len(pdf.get_content())
    assert sent["attachments"] == [
        {"name": file_name, "mediaType": "application/pdf", "size": size}
    ]
    assert deliver(db, tenant, mailer) == 0  # sent once
    assert len(recorder.received) == 1
    # another tenant neither sees nor retries it
    assert call(client, other_tenant, "GET", "/mails")["items"] == []
    call(client, other_tenant, "GET", f"/mails/{sent['id']}", status=404)
    call(client, other_tenant, "POST", f"/mails/{sent['id']}/retry", status=404)


def test_without_a_contract_recipient_the_customer_gets_it(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    invoice(client, tenant, recipient=None, email="info@kunde.example")
    assert deliver(db, tenant, mailer) == 1
    ((envelope, _),) = recorder.received
    assert envelope == ["info@kunde.example"]
    listed = call(client, tenant, "GET", "/mails?search=status==SENT;kind==invoice")
    assert [m["recipients"] for m in listed["items"]] == [["info@kunde.example"]]


def test_without_any_address_the_mail_is_failed_with_the_reason(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    invoice(client, tenant, recipient=None, email=None)
    assert deliver(db, tenant, mailer) == 0
    assert recorder.received == []
    failed = only_mail(client, tenant)
    assert (failed["status"], failed["attempts"], failed["recipients"]) == ("FAILED", 0, [])
    assert failed["lastError"] == (
        "no address: no contract names an invoice recipient and the customer has no e-mail address"
    )
    refused = call(client, tenant, "POST", f"/mails/{failed['id']}/retry", status=409)
    assert refused["errors"][0]["field"] == "id"
    assert refused["detail"] == f"mail {failed['id']} has no address: it cannot be sent again"


def test_a_refused_recipient_is_retried_on_the_tenants_clock(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    invoice(client, tenant, recipient=REFUSED, email="info@kunde.example")
    assert deliver(db, tenant, mailer) == 1
    assert recorder.received == []
    waiting = only_mail(client, tenant)
    assert (waiting["status"], waiting["attempts"]) == ("QUEUED", 1)
    assert waiting["lastError"] == (
        f"550 5.1.1 <{REFUSED}>: Recipient address rejected: User unknown"
    )
    assert waiting["nextAttemptAt"] == "2026-05-01T12:00:10Z"
    assert deliver(db, tenant, mailer) == 0  # not due before the tenant's clock says so
    recorder.refused.clear()
    at(client, tenant, NOON + timedelta(seconds=10))
    assert deliver(db, tenant, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == [REFUSED]
    assert [part.get_content_type() for part in message.iter_attachments()] == ["application/pdf"]
    sent = only_mail(client, tenant)
    assert (sent["status"], sent["attempts"], sent["sentAt"]) == (
        "SENT",
        2,
        "2026-05-01T12:00:10Z",
    )


def test_after_three_days_of_refusals_the_mail_fails_and_can_be_queued_again(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    invoice(client, tenant, recipient=REFUSED, email=None)
    attempts = 0
    while True:
        attempts += deliver(db, tenant, mailer)
        mail = only_mail(client, tenant)
        if mail["status"] == "FAILED":
            break
        at(client, tenant, datetime.fromisoformat(mail["nextAttemptAt"]))
    # 12 attempts 10 s doubling (the 13th at 11.4 h), then every 6 h: the 23rd, at 71.4 h,
    # is the last before 3 days have passed
    assert attempts == mail["attempts"] == 23
    assert mail["nextAttemptAt"] is None and mail["lastError"].startswith("550 5.1.1")
    recorder.refused.clear()
    again = call(client, tenant, "POST", f"/mails/{mail['id']}/retry")
    assert (again["status"], again["attempts"]) == ("QUEUED", 23)
    assert deliver(db, tenant, mailer) == 1
    assert only_mail(client, tenant)["status"] == "SENT"
    assert len(recorder.received) == 1
    refused = call(client, tenant, "POST", f"/mails/{mail['id']}/retry", status=409)
    assert refused["errors"][0]["field"] == "id"
    with db.reader() as session:
        audited = session.execute(
            select(audit_entries.c.action).where(
                audit_entries.c.tenant_id == tenant.id, audit_entries.c.entity_type == "Mail"
            )
        ).scalars()
        assert list(audited) == ["UPDATE"]


def test_a_transaction_that_rolls_back_queues_and_sends_nothing(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    context = {
        "endpoint_id": "e-1",
        "endpoint_url": "https://hooks.example/in",
        "reason": "3 days of 503",
        "disabled_at": "01.05.2026 12:00",
    }
    call(client, tenant, "POST", "/users", {
        "username": "admin1", "password": "correct horse battery staple", "role": "ADMIN",
        "displayName": "Ada Admin", "email": "ada@tenant.example",
    }, status=201)  # fmt: skip
    with pytest.raises(RuntimeError), db.transaction() as session:
        queue_admin_mail(
            session, tenant_id=tenant.id, kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
            context=context, clock=SystemClock(),
        )  # fmt: skip
        raise RuntimeError("the cause fails after the mail was queued")
    with db.reader() as session:
        count = select(func.count()).select_from(mails).where(mails.c.tenant_id == tenant.id)
        assert session.execute(count).scalar_one() == 0
    assert deliver(db, tenant, mailer) == 0
    assert recorder.received == []
    with db.transaction() as session:  # the same, committed, is sent
        queue_admin_mail(
            session, tenant_id=tenant.id, kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
            context=context, clock=SystemClock(),
        )  # fmt: skip
    assert deliver(db, tenant, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == ["ada@tenant.example"]
    assert message["Subject"] == "Webhook-Endpunkt deaktiviert: https://hooks.example/in"
    assert list(message.iter_attachments()) == []


def test_the_tenants_sender_and_template_shape_the_mail(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    sender = {
        "senderAddress": "rechnung@muster.example",
        "senderName": "Muster GmbH",
        "replyTo": "fragen@muster.example",
    }
    assert call(client, tenant, "PUT", "/tenant-config/mail", sender) == {
        **sender,
        "invoiceMails": True,
    }
    template = {
        "subject": "Ihre Rechnung {{ document_number }}",
        "body": "{{ customer_name }}: {{ total }}"
        "{% if due_date %}, fällig {{ due_date }}{% endif %}",
    }
    saved = call(client, tenant, "PUT", "/mail-templates/invoice/de", template)
    assert (saved["custom"], saved["subject"]) == (True, template["subject"])
    doc = invoice(client, tenant, recipient="b@kunde.example", email=None)
    assert deliver(db, tenant, mailer) == 1
    ((_, message),) = recorder.received
    assert message["From"] == "Muster GmbH <rechnung@muster.example>"
    assert message["Reply-To"] == "fragen@muster.example"
    assert message["Subject"] == f"Ihre Rechnung {doc['number']}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "Käufer AG: 34,51\xa0€, fällig 15.05.2026\n"
    assert only_mail(client, tenant)["sender"] == "rechnung@muster.example"


def test_templates_round_trip_and_bad_ones_are_named(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    built_in = call(client, tenant, "GET", "/mail-templates/invoice/en")
    assert built_in["custom"] is False
    assert built_in["subject"] == "Invoice {{ document_number }} from {{ tenant_name }}"
    assert "due_date" in built_in["variables"]
    listed = call(client, tenant, "GET", "/mail-templates")
    assert {(t["kind"], t["language"]) for t in listed} == {
        (kind, language)
        for kind in ("invoice", "credit_note", "webhook_endpoint_disabled", "receipt")
        for language in ("de", "en")
    }
    mine = {"subject": "Invoice {{ document_number }}", "body": "Total: {{ total }}\n"}
    call(client, tenant, "PUT", "/mail-templates/invoice/en", mine)
    assert call(client, tenant, "GET", "/mail-templates/invoice/en")["body"] == mine["body"]
    bad = [
        ({"subject": "{{ document_number", "body": "x"}, "subject", "does not parse at line 1"),
        ({"subject": "x", "body": "{{ iban }}"}, "body", "unknown variable iban"),
        ({"subject": "x", "body": "{{ total.__class__ }}"}, "body", "not Getattr"),
        ({"subject": " ", "body": "x"}, "subject", "1 to 500 characters"),
    ]
    for body, field, text in bad:
        answer = call(client, tenant, "PUT", "/mail-templates/invoice/en", body, status=400)
        assert answer["errors"][0]["field"] == field, answer
        assert text in answer["detail"], answer
    unknown = call(client, tenant, "PUT", "/mail-templates/letter/en", mine, status=400)
    assert unknown["errors"][0]["field"] == "kind"
    french = call(client, tenant, "GET", "/mail-templates/invoice/fr", status=400)
    assert french["errors"][0]["field"] == "language"
    back = call(client, tenant, "DELETE", "/mail-templates/invoice/en")
    assert (back["custom"], back["subject"]) == (False, built_in["subject"])
    assert call(client, tenant, "GET", "/mail-templates/invoice/en") == back
    wrong = call(client, tenant, "PUT", "/tenant-config/mail", {"senderAddress": "a@b"}, status=400)
    assert wrong["errors"][0]["field"] == "senderAddress"
    with db.reader() as session:
        audited = session.execute(
            select(audit_entries.c.action, audit_entries.c.entity_id)
            .where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_type == "MailTemplate",
            )
            .order_by(audit_entries.c.seq)
        ).all()
    assert [tuple(row) for row in audited] == [("CREATE", "invoice/en"), ("DELETE", "invoice/en")]


def test_invoice_mails_switched_off_queue_nothing(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    call(client, tenant, "PUT", "/tenant-config/mail", {"invoiceMails": False})
    invoice(client, tenant, recipient="b@kunde.example", email=None)
    assert deliver(db, tenant, mailer) == 0
    assert call(client, tenant, "GET", "/mails")["items"] == []
    assert recorder.received == []


def test_queue_mail_checks_its_input(tenant: TenantFixture, db: Database) -> None:
    with db.transaction() as session:
        for kwargs, field in (
            ({"recipients": []}, "recipients"),
            ({"recipients": ["nope"]}, "recipients[0]"),
            ({"recipients": ["a@b.example"], "language": "fr"}, "language"),
            ({"recipients": ["a@b.example"], "context": {}}, "context"),
        ):
            given: dict[str, Any] = {
                "language": "en",
                "context": {"tenant_name": "T", "endpoint_id": "1", "endpoint_url": "u",
                            "reason": "r", "disabled_at": "d"},
                **kwargs,
            }  # fmt: skip
            with pytest.raises(Exception) as raised:
                queue_mail(
                    session, tenant_id=tenant.id, kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
                    clock=SystemClock(), **given,
                )  # fmt: skip
            assert getattr(raised.value, "field", None) == field


def test_the_einvoice_and_the_contracts_files_are_attached(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """A customer who receives XRechnung gets the validated XML beside the PDF; a file filed
    with the contract to be sent by mail goes with its invoices."""
    recorder, mailer = smtp
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    wanted = {"eInvoicing": {"format": "xrechnung-ubl", "buyerReference": "991-12345-06"}}
    invoice(
        client, tenant, recipient="b@kunde.example", email="eingang@kunde.example",
        customer_extra=wanted, contract_file=TERMS,
    )  # fmt: skip
    assert deliver(db, tenant, mailer) == 1
    ((_, message),) = recorder.received
    files = [(p.get_content_type(), p.get_filename()) for p in message.iter_attachments()]
    pdf, xml, terms = message.iter_attachments()
    assert [f[0] for f in files] == ["application/pdf", "application/xml", "application/pdf"]
    assert xml.get_content().startswith(b"<?xml")
    assert b"991-12345-06" in xml.get_content()
    assert (terms.get_filename(), terms.get_content()) == ("AGB.pdf", TERMS)
    assert pdf.get_content()[:5] == b"%PDF-"
    mail = only_mail(client, tenant)
    assert [a["name"] for a in mail["attachments"]] == [f[1] for f in files]
    assert einvoice_state(client, tenant, mail["documentId"]) == "SENT"  # seed 001 workflow


def einvoice_state(client: TestClient, tenant: TenantFixture, doc_id: str) -> str:
    status = call(client, tenant, "GET", f"/documents/{doc_id}/einvoice-status")
    return str(status["state"])


def test_a_zugferd_customer_gets_one_pdf_with_the_einvoice_inside(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """ZUGFeRD is the PDF: the mail carries the PDF/A-3 with the validated CII inside, not
    the plain PDF and an XML beside it."""
    recorder, mailer = smtp
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    wanted = {"eInvoicing": {"format": "zugferd"}}
    invoice(client, tenant, recipient=None, email="eingang@kunde.example", customer_extra=wanted)
    assert deliver(db, tenant, mailer) == 1
    mail = only_mail(client, tenant)
    ((_, message),) = recorder.received
    (pdf,) = message.iter_attachments()
    assert pdf.get_content_type() == "application/pdf"
    inside = extracted(pdf.get_content())
    assert inside is not None and inside[0] == "factur-x.xml"
    assert b"CrossIndustryInvoice" in inside[1]
    assert einvoice_state(client, tenant, mail["documentId"]) == "SENT"


def test_an_einvoice_in_error_holds_the_mail_back_without_an_attempt(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    wanted = {"eInvoicing": {"format": "xrechnung-cii"}}  # no buyer reference, no seller data
    doc = invoice(client, tenant, recipient="b@kunde.example", email=None, customer_extra=wanted)
    assert deliver(db, tenant, mailer) == 1
    assert recorder.received == []
    held = only_mail(client, tenant)
    assert (held["status"], held["attempts"], held["nextAttemptAt"]) == (
        "QUEUED",
        0,
        "2026-05-01T12:10:00Z",
    )
    assert held["lastError"] == (
        "waiting for the e-invoice: it is in error (fixing or ignoring it releases the mail)"
    )
    call(client, tenant, "POST", f"/documents/{doc['id']}/einvoice-status/ignore")
    at(client, tenant, NOON + timedelta(minutes=10))
    assert deliver(db, tenant, mailer) == 1
    ((_, message),) = recorder.received
    assert [p.get_content_type() for p in message.iter_attachments()] == ["application/pdf"]
    assert only_mail(client, tenant)["attempts"] == 1


def test_a_leased_mail_is_not_sent_by_another_worker(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    invoice(client, tenant, recipient="b@kunde.example", email=None)
    deliver_due(db=db, tenant_id=tenant.id, clock=SystemClock())  # queued, not sent
    now = SystemClock().now()
    with db.transaction() as session:  # another worker took it and is sending it
        (taken,) = lease_due(
            session, tenant_id=tenant.id, due_by=NOON, now=now, until=now + LEASE, limit=10
        )
    assert deliver(db, tenant, mailer) == 0
    assert recorder.received == []
    later = FixedClock(now + LEASE + timedelta(seconds=1))  # that worker died: the lease ends
    assert send_due_mails(db=db, tenant_id=tenant.id, clock=later, mailer=mailer) == 1
    assert [m["Message-ID"] for _, m in recorder.received] == [
        only_mail(client, tenant)["messageId"]
    ]
    assert taken.status.value == "QUEUED"
    # the first worker comes back with a refusal: the other's SENT stays, nothing re-queued
    mail_sending._failed(db, tenant.id, taken, later, "421 4.4.2 timeout")
    shown = only_mail(client, tenant)
    assert (shown["status"], shown["attempts"], shown["lastError"]) == ("SENT", 1, None)


def test_the_list_filters_and_answers_csv(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    doc = invoice(client, tenant, recipient=REFUSED, email=None)
    deliver(db, tenant, mailer)
    found = call(client, tenant, "GET", f"/mails?search=documentId=={doc['id']};status==QUEUED")
    assert [m["attempts"] for m in found["items"]] == [1]
    assert call(client, tenant, "GET", "/mails?search=status==SENT")["items"] == []
    bad = call(client, tenant, "GET", "/mails?search=status==LOST", status=400)
    assert bad["errors"][0]["field"] == "search"
    csv = client.get("/v2/mails?format=csv&columns=kind,status,recipients,attempts",
                     headers=tenant.headers)  # fmt: skip
    assert csv.status_code == 200, csv.text
    assert csv.text.splitlines() == [
        "kind,status,recipients,attempts",
        f"invoice,QUEUED,{REFUSED},1",
    ]


def test_a_batch_of_invoices_is_read_set_based_and_partly_refused_recipients_are_named(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """The reaction reads a batch in the same few statements whatever its size (a billing
    run's 500 events); a document of two contracts goes to both recipients, and one the
    server refuses while it accepts the other is named on the SENT mail."""
    recorder, mailer = smtp
    recorder.refused.add(REFUSED)
    freeze(client, tenant, "2026-05-01")
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(items=[FLAT]), status=201)
    recipients = [("a@kunde.example", REFUSED), ("c@kunde.example",), ("d@kunde.example",)]
    for addresses in recipients:
        customer = {"type": "B2C", "firstName": "Eva", "lastName": "Muster", "country": "DE"}
        customer_id = call(client, tenant, "POST", "/customers", customer, status=201)["id"]
        for address in addresses:
            made = contract(
                client, tenant, customer_id, "2026-05-01", invoiceRecipientEmail=address
            )
            call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-05-01"}, status=201)
    documents = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    assert len(documents) == 3
    events = [
        DomainEvent(uuid.uuid4(), tenant.id, "document.finalized",
                    {"id": d["id"], "type": "INVOICE", "number": d["number"], "state": "FINALIZED"},
                    NOON)
        for d in documents
    ]  # fmt: skip
    assert statements(db, tenant, events[:1]) == statements(db, tenant, events)
    assert deliver(db, tenant, mailer) == 3
    got = sorted(envelope for envelope, _ in recorder.received)
    assert got == [["a@kunde.example"], ["c@kunde.example"], ["d@kunde.example"]]
    assert len(set(recorder.sessions)) == 1  # one connection for the batch
    listed = call(client, tenant, "GET", "/mails")["items"]
    (pair,) = [m for m in listed if len(m["recipients"]) == 2]
    assert pair["recipients"] == ["a@kunde.example", REFUSED]
    assert pair["status"] == "SENT"
    assert pair["lastError"] == (
        f"{REFUSED}: 550 5.1.1 <{REFUSED}>: Recipient address rejected: User unknown"
    )
    assert {m["status"] for m in listed} == {"SENT"}


def statements(db: Database, tenant: TenantFixture, events: list[DomainEvent]) -> int:
    """How many statements the invoice-mail reaction runs for ``events`` (rolled back)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    with db.transaction() as session:
        connection = session.connection()
        sa_event.listen(connection, "before_cursor_execute", count)
        try:
            invoice_mails(session, tenant.id, events, SystemClock())
        finally:
            sa_event.remove(connection, "before_cursor_execute", count)
        session.rollback()
    return len(seen)


def test_the_worker_sends_with_the_settings_transport_as_eml_files(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    """Without BELEG_SMTP_URL the worker's round writes each mail as ``<id>.eml`` into
    BELEG_MAIL_DIR (the test session's temporary directory, tests/conftest.py)."""
    doc = invoice(client, tenant, recipient="b@kunde.example", email=None)
    run_due_work(db=db, clock=SystemClock())
    sent = only_mail(client, tenant)
    assert sent["status"] == "SENT"
    path = Path(os.environ["BELEG_MAIL_DIR"]) / f"{sent['id']}.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    assert (parsed["To"], parsed["Message-ID"]) == ("b@kunde.example", sent["messageId"])
    assert parsed["Subject"] == f"Rechnung {doc['number']} von {name_of(db, tenant)}"
    (pdf,) = parsed.iter_attachments()
    assert pdf.get_content()[:5] == b"%PDF-"


def test_the_sender_is_audited_and_admins_abroad_read_english(
    client: TestClient, db: Database, other_tenant: TenantFixture
) -> None:
    tenant = other_tenant  # an Austrian tenant: German
    sender = {"senderAddress": "office@firma.example", "invoiceMails": False}
    call(client, tenant, "PUT", "/tenant-config/mail", sender)
    call(client, tenant, "PUT", "/tenant-config/mail", sender)  # unchanged: not audited again
    assert call(client, tenant, "GET", "/tenant-config/mail") == {
        "senderAddress": "office@firma.example",
        "senderName": None,
        "replyTo": None,
        "invoiceMails": False,
    }
    with db.reader() as session:
        audited = session.execute(
            select(audit_entries.c.action, audit_entries.c.before, audit_entries.c.after).where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_type == "MailSettings",
            )
        ).all()
    assert [(a, b["invoiceMails"], c["senderAddress"]) for a, b, c in audited] == [
        ("UPDATE", True, "office@firma.example")
    ]
    call(client, tenant, "POST", "/users", {
        "username": "admin1", "password": "correct horse battery staple", "role": "ADMIN",
        "displayName": "Ada Admin", "email": "ada@firma.example",
    }, status=201)  # fmt: skip
    context = {"endpoint_id": "e", "endpoint_url": "https://h.example", "reason": "r",
               "disabled_at": "d"}  # fmt: skip
    for country, subject in (
        ("AT", "Webhook-Endpunkt deaktiviert"),
        ("FR", "Webhook endpoint disabled"),
    ):
        with db.transaction() as session:
            session.execute(
                tenants.update().where(tenants.c.id == tenant.id).values(country=country)
            )
            mail_id = queue_admin_mail(
                session, tenant_id=tenant.id, kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
                context=context, clock=SystemClock(),
            )  # fmt: skip
        queued = call(client, tenant, "GET", f"/mails/{mail_id}")
        assert queued["subject"] == f"{subject}: https://h.example"
        assert (queued["sender"], queued["recipients"]) == (
            "office@firma.example",
            ["ada@firma.example"],
        )


def test_concurrent_workers_never_send_a_mail_twice(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """Three workers send the same tenant's due mails at once: each mail once (the lease,
    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's single writer)."""
    recorder, mailer = smtp
    invoice(client, tenant, recipient="b@kunde.example", email=None)
    deliver_due(db=db, tenant_id=tenant.id, clock=SystemClock())  # the invoice mail, queued
    context = {"endpoint_id": "e", "endpoint_url": "https://h.example", "reason": "r",
               "disabled_at": "d", "tenant_name": "T"}  # fmt: skip
    with db.transaction() as session:
        for number in range(11):
            queue_mail(
                session, tenant_id=tenant.id, kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
                language="en", recipients=[f"admin{number}@t.example"], context=context,
                clock=SystemClock(),
            )  # fmt: skip

    def worker(_: int) -> int:
        return send_due_mails(db=db, tenant_id=tenant.id, clock=SystemClock(), mailer=mailer)

    with ThreadPoolExecutor(3) as pool:
        counts = list(pool.map(worker, range(3)))
    assert sum(counts) == 12
    ids = sorted(str(message["Message-ID"]) for _, message in recorder.received)
    assert len(ids) == len(set(ids)) == 12
    assert {m["status"] for m in call(client, tenant, "GET", "/mails?size=50")["items"]} == {"SENT"}


def test_a_termination_credit_note_is_mailed_as_a_credit_note(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    invoice(client, tenant, recipient="b@kunde.example", email=None)
    (made,) = call(client, tenant, "GET", "/contracts")["items"]
    freeze(client, tenant, "2026-05-10")
    body = {"type": "EXTRAORDINARY", "date": "2026-05-15"}
    done = call(client, tenant, "POST", f"/contracts/{made['id']}/terminate", body)
    credit_id = done["correction"]["documentId"]
    assert deliver(db, tenant, mailer) == 2
    credit = call(client, tenant, "GET", "/mails?search=kind==credit_note")["items"]
    assert [(m["documentId"], m["recipients"]) for m in credit] == [
        (credit_id, ["b@kunde.example"])
    ]
    mail = call(client, tenant, "GET", f"/mails/{credit[0]['id']}")
    assert mail["subject"].startswith("Gutschrift ")
    # 16 of 31 days of 29.00 net (14.97) with 19 % VAT, shown as the positive amount credited
    assert " vom 10.05.2026 über 17,81\xa0€." in mail["body"]
    assert [a["name"][:11] for a in mail["attachments"]] == ["Gutschrift-"]
    assert len(recorder.received) == 2


def test_an_invoice_finalised_long_before_its_dispatch_is_not_mailed_by_itself(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """Events from before mails existed (or a worker down for days) do not mail old
    invoices out of the blue: the mail is FAILED with the reason, and a retry sends it."""
    recorder, mailer = smtp
    invoice(client, tenant, recipient="b@kunde.example", email=None)
    o = outbox_events.c
    with db.transaction() as session:
        session.execute(
            outbox_events.update()
            .where(o.tenant_id == tenant.id, o.topic == "document.finalized")
            .values(created_at=NOON - timedelta(days=3, seconds=1))
        )
    assert deliver(db, tenant, mailer) == 0
    stale = only_mail(client, tenant)
    assert (stale["status"], stale["lastError"]) == (
        "FAILED",
        "finalised on 2026-04-28, more than 3 days before it was dispatched: not sent by itself"
        " (retrying sends it)",
    )
    call(client, tenant, "POST", f"/mails/{stale['id']}/retry")
    assert deliver(db, tenant, mailer) == 1
    assert [envelope for envelope, _ in recorder.received] == [["b@kunde.example"]]


@pytest.mark.parametrize("copy_type", ["BCC", "CC"])
def test_the_default_invoice_address_receives_it_with_its_copy(
    client: TestClient,
    tenant: TenantFixture,
    db: Database,
    smtp: tuple[Recorder, Mailer],
    copy_type: str,
) -> None:
    """Seed 003: an additional address that is the customer's default invoice address is
    where invoices go, and its ``copyEmailAddress`` gets a copy (``copyEmailType``)."""
    recorder, mailer = smtp
    freeze(client, tenant, "2026-05-01")
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(items=[FLAT]), status=201)
    head = {"companyName": "Muster GmbH", "customerNumber": f"K-{uuid.uuid4().hex[:6]}",
            "emailAddress": "zentrale@muster.example"}  # fmt: skip
    made = client.post("/api/1.1/customers", json=head, headers=tenant.headers)
    assert made.status_code in (200, 201), made.text
    customer_id = made.json()["id"]
    base = f"/api/1.1/customers/{customer_id}/additional_addresses"
    address = {"identifier": "Buchhaltung", "addressType": "INVOICE_ADDRESS", "city": "Wien",
               "country": "AT", "emailAddress": "rechnungen@muster.example",
               "copyEmailAddress": "archiv@muster.example", "copyEmailType": copy_type}  # fmt: skip
    added = client.post(f"{base}/", json=address, headers=tenant.headers)
    assert added.status_code in (200, 201), added.text
    default = client.post(f"{base}/{added.json()['id']}/default", headers=tenant.headers)
    assert default.status_code in (200, 204), default.text
    made_contract = contract(client, tenant, customer_id, "2026-05-01")
    call(client, tenant, "POST", f"/contracts/{made_contract['id']}/activate")
    call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-05-01"}, status=201)
    assert deliver(db, tenant, mailer) == 1
    ((envelope, message),) = recorder.received
    assert envelope == ["rechnungen@muster.example", "archiv@muster.example"]
    assert message["To"] == "rechnungen@muster.example"
    assert message["Cc"] == ("archiv@muster.example" if copy_type == "CC" else None)
    assert message["Bcc"] is None  # a blind copy is in the envelope only
    mail = only_mail(client, tenant)
    copies = {"cc": mail["cc"], "bcc": mail["bcc"]}
    assert copies == {copy_type.lower(): ["archiv@muster.example"], "cc" if copy_type == "BCC"
                      else "bcc": []}  # fmt: skip


def test_a_dispatch_that_rolls_back_sends_nothing_and_the_next_mails_once(
    client: TestClient,
    tenant: TenantFixture,
    db: Database,
    smtp: tuple[Recorder, Mailer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another reaction to the same event fails after the invoice mail was written: the
    batch's transaction rolls back, nothing is sent, the event keeps the error and waits
    (it does not hold up the tenant's other events), and a later round mails it once."""
    recorder, mailer = smtp
    doc = invoice(client, tenant, recipient="b@kunde.example", email=None)
    with db.transaction() as session:  # a later event of the tenant
        later_event = enqueue(
            session, tenant_id=tenant.id, topic="document.finalized", clock=SystemClock(),
            payload={"id": str(uuid.uuid4()), "type": "OFFER", "state": "FINALIZED"},
        )  # fmt: skip

    def broken(session: Any, tenant_id: Any, events: Any, clock: Any) -> None:
        if any(e.payload["id"] == doc["id"] for e in events):
            raise RuntimeError("a webhook reaction that fails")

    reactions = {**dispatch.REACTIONS, "document.finalized": [invoice_mails, broken]}
    monkeypatch.setattr(dispatch, "REACTIONS", reactions)
    assert deliver(db, tenant, mailer) == 0
    assert recorder.received == []
    with db.reader() as session:
        done = select(outbox_events.c.done_at).where(outbox_events.c.id == later_event)
        assert session.execute(done).scalar_one() is not None  # it flowed past the failing one
        failed = session.execute(
            select(outbox_events.c.attempts, outbox_events.c.last_error).where(
                outbox_events.c.tenant_id == tenant.id,
                outbox_events.c.topic == "document.finalized",
                outbox_events.c.done_at.is_(None),
            )
        ).one()
    assert tuple(failed) == (1, "RuntimeError: a webhook reaction that fails")
    monkeypatch.undo()
    assert deliver(db, tenant, mailer) == 0  # it waits before its next attempt
    later = FixedClock(SystemClock().now() + timedelta(seconds=20))
    assert deliver_due(db=db, tenant_id=tenant.id, clock=later, mailer=mailer).mails == 1
    assert deliver_due(db=db, tenant_id=tenant.id, clock=later, mailer=mailer).mails == 0
    assert [envelope for envelope, _ in recorder.received] == [["b@kunde.example"]]


def test_an_english_layout_mails_in_english(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    recorder, mailer = smtp
    english = {"description": "English", "language": "en", "defaultSetup": True}
    call(client, tenant, "POST", "/layout-setups", english, status=201)
    doc = invoice(client, tenant, recipient="b@kunde.example", email=None)
    assert deliver(db, tenant, mailer) == 1
    ((_, message),) = recorder.received
    assert message["Subject"] == f"Invoice {doc['number']} from {name_of(db, tenant)}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert f"our invoice {doc['number']} of May 1, 2026 for €34.51.\n" in text
    assert "Please pay the amount by May 15, 2026." in text
    (pdf,) = message.iter_attachments()
    assert pdf.get_filename() == "Invoice-" + doc["number"].replace(" ", "-") + ".pdf"
    assert only_mail(client, tenant)["language"] == "en"


def test_an_address_a_mail_cannot_take_fails_the_mail_naming_it(
    client: TestClient, tenant: TenantFixture, db: Database, smtp: tuple[Recorder, Mailer]
) -> None:
    """The customer's check lets ``<...>`` through; a mail header must not get it."""
    recorder, mailer = smtp
    invoice(client, tenant, recipient=None, email="<b@kunde.example>")
    assert deliver(db, tenant, mailer) == 0
    mail = only_mail(client, tenant)
    assert (mail["status"], mail["recipients"]) == ("FAILED", ["<b@kunde.example>"])
    assert mail["lastError"] == (
        "a recipient is not one plain address (name@domain): <b@kunde.example>; correct it on"
        " the contract or customer and retry the mail"
    )
    assert recorder.received == []
