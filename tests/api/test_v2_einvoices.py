"""E-invoices of issued documents over the API (e-invoicing issue): a billing-run invoice
as ZUGFeRD (the PDF/A-3 with the CII inside, valid in every layer, carrying the seller, the
buyer, the service period and the totals), a reverse-charge line in its own VAT group, and
what keeps a document from being an e-invoice named: the seller's missing terms, the buyer
reference XRechnung needs, a draft, an unknown id, an unknown format."""

from __future__ import annotations

import base64
import uuid
from dataclasses import replace
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.documents.files import stored_pdf
from beleg.db.tables import audit_entries
from beleg.domain.documents.einvoices import EInvoiceState
from beleg.formats.einvoice.syntax import Syntax
from beleg.formats.einvoice.validation import validate
from beleg.formats.einvoice.zugferd import extracted
from beleg.jobs.worker import work_pending
from beleg.services.documents.create import create_document
from beleg.services.documents.einvoice_workflow import prepare_einvoice
from tests.api.test_v2_catalogue import call, start_plan
from tests.api.test_v2_company import FULL
from tests.api.test_v2_contracts import contract, freeze
from tests.cli.test_commands import _invoice
from tests.conftest import TenantFixture, system_actor

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS = {"ram": RAM}
REVERSE = {
    "code": "CONSULTING",
    "name": "Beratung",
    "type": "RECURRING",
    "taxExemption": {
        "category": "AE",
        "reason": "Steuerschuldnerschaft des Leistungsempfängers",
        "vatexCode": "VATEX-EU-AE",
    },
}
BUYER_NUMBER = "K-4711"
BASE = {"code": "BASE", "name": "Grundgebühr", "type": "RECURRING", "taxRate": "19"}


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def buyer(client: TestClient, tenant: TenantFixture) -> str:
    body = {
        "type": "B2B",
        "customerNumber": BUYER_NUMBER,
        "companyName": "Käufer AG",
        "vatId": "DE812345608",
        "country": "DE",
        "invoiceAddress": {
            "street": "Hafenstraße 9",
            "zipCode": "20457",
            "city": "Hamburg",
            "country": "DE",
            "email": "eingang@kaeufer.example",
        },
    }
    return str(call(client, tenant, "POST", "/customers", body, status=201)["id"])


def billed_invoice(client: TestClient, tenant: TenantFixture, *items: dict[str, Any]) -> str:
    """The id of the invoice a run issues for May 2026 of a contract with ``items`` (for
    the customer ``BUYER_NUMBER``)."""
    freeze(client, tenant, "2026-05-01")
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/options", REVERSE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(items=list(items)), status=201)
    made = contract(client, tenant, buyer(client, tenant), "2026-05-01")
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-05-01"}, status=201)
    (document,) = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    return str(document["id"])


def einvoice(client: TestClient, tenant: TenantFixture, doc_id: str, kind: str) -> Any:
    return client.get(f"/v2/documents/{doc_id}/einvoice?format={kind}", headers=tenant.headers)


FLAT = {"option": "BASE", "quantity": "1", "price": {"model": "FLAT", "amount": "29.00"}}
ADVICE = {
    "option": "CONSULTING",
    "quantity": "2",
    "price": {"model": "PER_UNIT", "unitPrice": "150"},
}


def test_a_billing_run_invoice_as_zugferd_is_valid_in_every_layer(
    client: TestClient, tenant: TenantFixture
) -> None:
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    doc_id = billed_invoice(client, tenant, FLAT, ADVICE)
    response = einvoice(client, tenant, doc_id, "zugferd")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    found = extracted(response.content)
    assert found is not None
    name, xml = found
    assert name == "factur-x.xml"
    assert [f for f in validate(xml, Syntax.CII) if f.fatal] == []
    root = etree.fromstring(xml)

    def text(path: str) -> list[str]:
        return [str(t) for t in root.xpath(f"{path}/text()", namespaces=NS)]

    assert text("//ram:SellerTradeParty/ram:Name") == ["Muster GmbH"]
    assert text("//ram:BuyerTradeParty/ram:Name") == ["Käufer AG"]
    assert text("//ram:BuyerTradeParty//ram:ID[@schemeID='VA']") == ["DE812345608"]
    # May 2026 in advance: 29.00 at 19 % (5.51) and 2 x 150.00 reverse charge (0.00)
    assert text(
        "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount"
    ) == ["329.00"]
    assert text("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") == [
        "334.51"
    ]
    groups = root.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    )
    assert sorted(
        (g.findtext(f"{{{RAM}}}CategoryCode"), g.findtext(f"{{{RAM}}}CalculatedAmount"))
        for g in groups
    ) == [("AE", "0.00"), ("S", "5.51")]
    assert text("//ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    assert text("//ram:BillingSpecifiedPeriod/ram:StartDateTime/*") == ["20260501"] * 3


def test_xrechnung_takes_the_customers_buyer_reference(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    doc_id = billed_invoice(client, tenant, FLAT)
    for kind in ("xrechnung-cii", "xrechnung-ubl"):
        response = einvoice(client, tenant, doc_id, kind)
        assert response.status_code == 400, response.text
        body = response.json()
        assert [e["field"] for e in body["errors"]] == ["buyer.reference"]
        assert body["detail"] == f"an e-invoice in the format {kind} still needs: buyer.reference"
    (customer,) = call(client, tenant, "GET", f"/customers?filter=customerNumber=={BUYER_NUMBER}")[
        "items"
    ]
    parameters = {"format": "xrechnung-ubl", "buyerReference": "04011000-12345-34"}
    changed = call(
        client, tenant, "PATCH", f"/customers/{customer['id']}", {"eInvoicing": parameters}
    )
    assert changed["eInvoicing"] == {
        **parameters,
        "electronicAddress": None,
        "electronicAddressScheme": None,
    }
    for kind, syntax, reference in (
        ("xrechnung-cii", Syntax.CII, b"<ram:BuyerReference>04011000-12345-34<"),
        ("xrechnung-ubl", Syntax.UBL, b"<cbc:BuyerReference>04011000-12345-34<"),
    ):
        response = einvoice(client, tenant, doc_id, kind)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/xml"
        assert [f for f in validate(response.content, syntax) if f.fatal] == []
        assert reference in response.content
        assert b"urn:xeinkauf.de:kosit:xrechnung_3.0" in response.content
        assert b"eingang@kaeufer.example" in response.content  # the e-mail as BT-49
        assert attached_pdf(response.content) == pdf_of(db, tenant, doc_id)  # BG-24


def attached_pdf(xml: bytes) -> bytes:
    """The one PDF an XRechnung carries as supporting document (BG-24), decoded."""
    (binary,) = etree.fromstring(xml).xpath(
        "//*[local-name()='AttachmentBinaryObject' or local-name()='EmbeddedDocumentBinaryObject']"
    )
    assert binary.get("mimeCode") == "application/pdf"
    assert binary.get("filename", "").endswith(".pdf")
    return base64.b64decode(binary.text)


def pdf_of(db: Database, tenant: TenantFixture, doc_id: str) -> bytes:
    """The document's stored PDF."""
    with db.reader() as session:
        pdf = stored_pdf(session, tenant.id, uuid.UUID(doc_id))
    assert pdf is not None and pdf.startswith(b"%PDF")
    return pdf


def test_bad_einvoicing_parameters_are_named(client: TestClient, tenant: TenantFixture) -> None:
    customer_id = buyer(client, tenant)
    for parameters, field in (
        ({"electronicAddress": "x@y.example"}, "eInvoicing.electronicAddressScheme"),
        (
            {"electronicAddress": "1", "electronicAddressScheme": "XX"},
            "eInvoicing.electronicAddressScheme",
        ),
        ({"buyerReference": "x" * 101}, "eInvoicing.buyerReference"),
        ({"format": "pdf"}, "eInvoicing.format"),
    ):
        response = client.patch(
            f"/v2/customers/{customer_id}", json={"eInvoicing": parameters}, headers=tenant.headers
        )
        assert response.status_code == 400, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text


def test_missing_seller_terms_are_named(client: TestClient, tenant: TenantFixture) -> None:
    doc_id = billed_invoice(client, tenant, FLAT)
    response = einvoice(client, tenant, doc_id, "zugferd")
    assert response.status_code == 400, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["seller.legalName"]
    assert body["detail"] == (
        "an e-invoice in the format zugferd still needs: seller.legalName, seller.city,"
        " seller.postcode, seller.country, seller.vatId"
    )


def test_bad_requests_are_named(client: TestClient, tenant: TenantFixture) -> None:
    doc_id = billed_invoice(client, tenant, FLAT)
    unknown = einvoice(client, tenant, str(uuid.uuid4()), "zugferd")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "id"
    wrong = einvoice(client, tenant, doc_id, "edifact-d96a")
    assert wrong.status_code == 400, wrong.text
    assert [e["field"] for e in wrong.json()["errors"]] == ["format"]


def test_a_draft_has_no_einvoice(
    client: TestClient, other_tenant: TenantFixture, db: Database
) -> None:
    tenant = other_tenant  # Austrian: the draft's line is booked on the EKR's accounts
    clock = SystemClock()
    draft = replace(_invoice(clock.now().date()), state="STAGING")
    doc_id = create_document(
        db=db, actor=system_actor(tenant.id), tenant_id=tenant.id, data=draft, clock=clock
    )
    response = einvoice(client, tenant, str(doc_id), "zugferd")
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == (
        "an e-invoice exists only for an issued invoice or credit note (this document is STAGING)"
    )


def test_the_worker_makes_the_customers_einvoice_after_the_pdf(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    """The workflow: ERROR with what is missing, set aside (audited); VALIDATED once the
    data is there, and downloadable as stored."""
    doc_id = billed_invoice(client, tenant, FLAT)
    (customer,) = call(client, tenant, "GET", f"/customers?filter=customerNumber=={BUYER_NUMBER}")[
        "items"
    ]
    wanted = {"eInvoicing": {"format": "xrechnung-cii"}}
    call(client, tenant, "PATCH", f"/customers/{customer['id']}", wanted)
    status = f"/documents/{doc_id}/einvoice-status"
    assert client.get(f"/v2{status}", headers=tenant.headers).status_code == 404
    assert work_pending(db=db, tenant_id=tenant.id, clock=SystemClock(), limit=20) >= 1
    failed = call(client, tenant, "GET", status)
    assert (failed["format"], failed["state"]) == ("xrechnung-cii", "ERROR")
    assert {"field": "buyer.reference", "rule": "einvoice.buyer_term_missing",
            "message": "missing for the customer"} in failed["problems"]  # fmt: skip
    assert {p["field"] for p in failed["problems"]} >= {"seller.legalName", "seller.iban"}
    aside = call(client, tenant, "POST", f"{status}/ignore")
    assert aside["state"] == "IGNORED" and aside["problems"] == failed["problems"]
    assert call(client, tenant, "POST", f"{status}/ignore")["state"] == "IGNORED"
    with db.reader() as session:
        audited = session.execute(
            select(audit_entries.c.action).where(
                audit_entries.c.tenant_id == tenant.id, audit_entries.c.entity_type == "EInvoice"
            )
        ).scalars()
        assert list(audited) == ["UPDATE"]
    # with the data in place, the worker's next attempt validates it (an ignored e-invoice
    # of the same format is kept as it is: a new format is a new one)
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    wanted = {"eInvoicing": {"format": "xrechnung-ubl", "buyerReference": "991-12345-06"}}
    call(client, tenant, "PATCH", f"/customers/{customer['id']}", wanted)
    made = prepare_einvoice(
        db=db, tenant_id=tenant.id, doc_id=uuid.UUID(doc_id), clock=SystemClock()
    )
    assert made is not None and made.state is EInvoiceState.VALIDATED
    assert call(client, tenant, "GET", status)["problems"] == []
    stored = client.get(f"/v2/documents/{doc_id}/einvoice", headers=tenant.headers)
    assert stored.status_code == 200 and b"<cbc:BuyerReference>991-12345-06<" in stored.content
    assert [f for f in validate(stored.content, Syntax.UBL) if f.fatal] == []


def test_an_invoice_collected_by_direct_debit_says_so_under_its_mandate(
    client: TestClient, tenant: TenantFixture
) -> None:
    """BG-16/BG-19: payment means 59 with the mandate reference (BT-89), the seller's
    creditor id (BT-90) and the debited IBAN (BT-91), valid XRechnung (BR-DE-30/31); a
    customer paying by transfer gets the seller's account (58) as before."""
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    doc_id = billed_invoice(client, tenant, FLAT)
    (customer,) = call(client, tenant, "GET", f"/customers?filter=customerNumber=={BUYER_NUMBER}")[
        "items"
    ]
    parameters = {"format": "xrechnung-ubl", "buyerReference": "04011000-12345-34"}
    path = f"/customers/{customer['id']}"
    call(client, tenant, "PATCH", path, {"eInvoicing": parameters})
    transfer = einvoice(client, tenant, doc_id, "xrechnung-cii")
    assert b"<ram:TypeCode>58<" in transfer.content
    debtor = "DE02120300000000202051"
    account = {"iban": debtor, "accountHolder": "Käufer AG"}
    added = call(client, tenant, "POST", f"{path}/payment-accounts", account, status=201)
    call(client, tenant, "PATCH", path, {"paymentMethod": "SEPA_DIRECT_DEBIT"})
    mandate = {
        "customerId": customer["id"],
        "paymentAccountId": added["id"],
        "reference": "MANDAT-4711",
        "signedOn": "2026-04-01",
    }
    call(client, tenant, "POST", "/mandates", mandate, status=201)
    for kind, syntax, expected in (
        (
            "xrechnung-cii",
            Syntax.CII,
            [
                b"<ram:TypeCode>59<",
                b"<ram:DirectDebitMandateID>MANDAT-4711<",
                f"<ram:CreditorReferenceID>{FULL['creditorId']}<".encode(),
                f"<ram:IBANID>{debtor}<".encode(),
            ],
        ),
        (
            "xrechnung-ubl",
            Syntax.UBL,
            [
                b"<cbc:PaymentMeansCode>59<",
                b"<cbc:ID>MANDAT-4711<",
                f'schemeID="SEPA">{FULL["creditorId"]}<'.encode(),
                f"<cbc:ID>{debtor}<".encode(),
            ],
        ),
    ):
        response = einvoice(client, tenant, doc_id, kind)
        assert response.status_code == 200, response.text
        assert [f for f in validate(response.content, syntax) if f.fatal] == []
        for fragment in expected:
            assert fragment in response.content, (kind, fragment)
        assert str(FULL["iban"]).encode() not in response.content  # no transfer account
    without = {k: v for k, v in FULL.items() if k != "creditorId"}
    call(client, tenant, "PUT", "/tenant-config/company", without)
    refused = einvoice(client, tenant, doc_id, "xrechnung-ubl")
    assert refused.status_code == 400, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["seller.creditorId"]


EB = {"eb": "http://www.ebinterface.at/schema/6p1/"}


def test_an_invoice_as_ebinterface_is_valid_and_carries_the_same_terms(
    client: TestClient, tenant: TenantFixture
) -> None:
    """ebInterface 6.1 from the EN 16931 terms: valid against its XSD, with the biller, the
    recipient and its order reference (BT-10), the service period, the lines, one tax item
    per VAT group and the totals of the ZUGFeRD file of the same invoice."""
    call(client, tenant, "PUT", "/tenant-config/company", FULL)
    doc_id = billed_invoice(client, tenant, FLAT, ADVICE)
    (customer,) = call(client, tenant, "GET", f"/customers?filter=customerNumber=={BUYER_NUMBER}")[
        "items"
    ]
    parameters = {"format": "ebinterface", "buyerReference": "AUFTRAG-77"}
    call(client, tenant, "PATCH", f"/customers/{customer['id']}", {"eInvoicing": parameters})
    response = einvoice(client, tenant, doc_id, "ebinterface")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    assert validate(response.content, Syntax.EBINTERFACE) == []
    root = etree.fromstring(response.content)

    def text(path: str) -> list[str]:
        return [str(t) for t in root.xpath(f"{path}/text()", namespaces=EB)]

    assert root.get("DocumentType") == "Invoice" and root.get("InvoiceCurrency") == "EUR"
    assert text("eb:Biller/eb:VATIdentificationNumber") == [FULL["vatId"]]
    assert text("eb:Biller/eb:Address/eb:Name") == ["Muster GmbH"]
    assert text("eb:InvoiceRecipient/eb:VATIdentificationNumber") == ["DE812345608"]
    assert text("eb:InvoiceRecipient/eb:OrderReference/eb:OrderID") == ["AUFTRAG-77"]
    assert text("eb:Delivery/eb:Period/eb:FromDate") == ["2026-05-01"]
    assert sorted(text("eb:Details/eb:ItemList/eb:ListLineItem/eb:LineItemAmount")) == [
        "29.00",
        "300.00",
    ]
    taxes = root.xpath("eb:Tax/eb:TaxItem", namespaces=EB)
    assert sorted(
        (
            t.find("eb:TaxPercent", EB).get("TaxCategoryCode"),
            t.findtext("eb:TaxableAmount", namespaces=EB),
            t.findtext("eb:TaxAmount", namespaces=EB),
        )
        for t in taxes
    ) == [("AE", "300.00", "0.00"), ("S", "29.00", "5.51")]
    assert text("eb:TotalGrossAmount") == text("eb:PayableAmount") == ["334.51"]
    assert text("eb:PaymentMethod/eb:UniversalBankTransaction/eb:BeneficiaryAccount/eb:IBAN") == [
        FULL["iban"]
    ]
    broken = response.content.replace(b"<PayableAmount>334.51<", b"<PayableAmount>334.511<")
    assert [f.rule for f in validate(broken, Syntax.EBINTERFACE)] == ["XSD"]
