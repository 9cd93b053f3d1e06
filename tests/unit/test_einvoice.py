"""E-invoices of issued documents (e-invoicing issue): a matrix of documents rendered as
CII and UBL, as plain EN 16931 and as XRechnung 3.0, passes all three official layers
(XSD, EN 16931, KoSIT) without a fatal assertion; a copy with one required term removed is
caught with that term's rule; what a document lacks is named before anything is rendered.
The expected totals are worked by hand from the lines (net x rate, rounded per line)."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader
from weasyprint import HTML

from beleg.domain.documents.model import DiscountMode, LineType, State, TypeCode
from beleg.domain.documents.records import DocumentLine, SalesDocument
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.tenancy.company import CompanyData
from beleg.formats.einvoice.ebinterface import ebinterface_problems
from beleg.formats.einvoice.syntax import Syntax, render
from beleg.formats.einvoice.terms import (
    XRECHNUNG,
    Buyer,
    DirectDebit,
    EInvoiceSource,
    Preceding,
    Problem,
    problems_of,
    terms_of,
)
from beleg.formats.einvoice.validation import Layer, validate
from beleg.formats.einvoice.zugferd import ATTACHMENT, embedded, extracted
from beleg.money import Currency

SELLER = CompanyData(
    legal_name="Beleg Demo GmbH",
    street="Invalidenstraße 1",
    postcode="10115",
    city="Berlin",
    country="DE",
    vat_id="DE123456789",
    registration_id="HRB 12345, Amtsgericht Charlottenburg",
    contact_name="Buchhaltung",
    contact_phone="+49 30 1234567",
    contact_email="buchhaltung@beleg.example",
    electronic_address="rechnung@beleg.example",
    electronic_address_scheme="EM",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    account_holder="Beleg Demo GmbH",
)
BUYER = Buyer(
    name="Muster AG",
    country="DE",
    street="Hauptstraße 2",
    postcode="20095",
    city="Hamburg",
    vat_id="DE987654321",
    reference="04011000-12345-34",
    electronic_address="eingang@muster.example",
    electronic_address_scheme="EM",
)
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
PERIOD = {"deliveryFromDate": "2026-10-01", "deliveryToDate": "2026-10-31"}


def line(
    no: int,
    quantity: str,
    price: str,
    rate: str,
    *,
    kind: LineType = LineType.LINE,
    name: str | None = None,
    period: bool = False,
    exemption: dict[str, str] | None = None,
) -> DocumentLine:
    net = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    tax = (net * Decimal(rate) / 100).quantize(Decimal("0.01"))
    return DocumentLine(
        line_no=no,
        line_type=kind,
        item_id=None,
        quantity=Decimal(quantity),
        item_price=Decimal(price),
        item_price_type=None,
        discount=Decimal(0),
        discount_mode=DiscountMode.RATE,
        account="8400",
        tax_entry="USt19",
        tax_rate=Decimal(rate),
        net=net,
        tax=tax,
        total=net + tax,
        remaining=net + tax,
        texts={
            "name": name or f"Position {no}",
            **(PERIOD if period else {}),
            **({"taxExemption": exemption} if exemption else {}),
        },
    )


def document(
    *lines: DocumentLine,
    type_code: TypeCode = TypeCode.INVOICE,
    currency: str = "EUR",
    rate: str = "1",
    period: bool = False,
) -> SalesDocument:
    signs = {LineType.TOTAL_DISCOUNT: -1}
    net = sum((signs.get(ln.line_type, 1) * ln.net for ln in lines), Decimal(0))
    tax = sum((signs.get(ln.line_type, 1) * ln.tax for ln in lines), Decimal(0))
    credit = type_code in (TypeCode.CREDIT_NOTE, TypeCode.SELF_BILLED_CREDIT_NOTE)
    return SalesDocument(
        id=uuid.uuid4(),
        doc_type=DocumentType.CREDIT_MEMO if credit else DocumentType.INVOICE,
        state=State.FINALIZED,
        number="RE-2026-1000",
        type_code=type_code,
        sign=-1 if credit else 1,
        doc_date=date(2026, 11, 1),
        due_date=date(2026, 11, 15),
        dunning_date=None,
        paid_date=None,
        customer_id=uuid.uuid4(),
        customer_name=BUYER.name,
        currency=Currency.of(currency),
        currency_rate=Decimal(rate),
        net=net,
        tax=tax,
        total=net + tax,
        remaining=net + tax,
        payment_term_id=None,
        layout_setup_id=None,
        sequence_group_id=None,
        unpaid_account="1400",
        journal_id=None,
        completion_state=None,
        completion_date=None,
        cancelled_date=None,
        related_id=None,
        source_id=None,
        deposit_settled_by=None,
        texts=PERIOD if period else {},
        created_at=NOW,
        updated_at=NOW,
        lines=lines,
    )


PRECEDING = Preceding("RE-2026-0999", date(2026, 10, 1))
REVERSE_CHARGE = {
    "category": "AE",
    "reason": "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)",
    "vatexCode": "VATEX-EU-AE",
}
INTRA_EU = {
    "category": "K",
    "reason": "Innergemeinschaftliche Lieferung",
    "vatexCode": "VATEX-EU-IC",
}
EXEMPT = {
    "category": "E",
    "reason": "Steuerfrei nach § 4 Nr. 14 UStG",
    "vatexCode": "VATEX-EU-132-1C",
}
EXPORT = {"category": "G", "reason": "Steuerfreie Ausfuhrlieferung", "vatexCode": "VATEX-EU-G"}
MATRIX: dict[str, tuple[SalesDocument, Preceding | None]] = {
    "domestic 19 %": (document(line(1, "3", "12.50", "19")), None),
    "reduced 7 %": (document(line(1, "2", "9.99", "7")), None),
    "mixed rates": (document(line(1, "1", "100", "19"), line(2, "4", "2.35", "7")), None),
    "credit note": (document(line(1, "1", "29", "19"), type_code=TypeCode.CREDIT_NOTE), PRECEDING),
    "self-billed invoice": (
        document(line(1, "5", "10", "19"), type_code=TypeCode.SELF_BILLED_INVOICE),
        None,
    ),
    "self-billed credit note": (
        document(line(1, "1", "10", "19"), type_code=TypeCode.SELF_BILLED_CREDIT_NOTE),
        PRECEDING,
    ),
    "deposit invoice": (
        document(line(1, "1", "500", "19"), type_code=TypeCode.PREPAYMENT_INVOICE),
        None,
    ),
    "foreign currency": (document(line(1, "7", "13.13", "19"), currency="USD", rate="0.92"), None),
    "allowance and charge": (
        document(
            line(1, "10", "10", "19"),
            line(2, "1", "5", "19", kind=LineType.TOTAL_DISCOUNT, name="Rabatt"),
            line(3, "1", "2.50", "19", kind=LineType.TOTAL_SURCHARGE, name="Versand"),
        ),
        None,
    ),
    "reverse charge": (
        document(line(1, "8", "95", "0", exemption=REVERSE_CHARGE), line(2, "1", "10", "19")),
        None,
    ),
    "intra-EU supply": (document(line(1, "2", "480", "0", exemption=INTRA_EU)), None),
    "tax exempt with VATEX": (document(line(1, "1", "250", "0", exemption=EXEMPT)), None),
    "export outside the EU": (document(line(1, "3", "40", "0", exemption=EXPORT)), None),
    "billing run with service periods": (
        document(
            line(1, "1", "15.90", "19", period=True),
            line(2, "1", "0.333333", "19", period=True),  # a usage line: net 0.33
            period=True,
        ),
        None,
    ),
}


def source(doc: SalesDocument, preceding: Preceding | None = None, **seller: Any) -> EInvoiceSource:
    return EInvoiceSource(doc, replace(SELLER, **seller), BUYER, "EUR", preceding)


def fatal(xml: bytes, syntax: Syntax) -> list[tuple[str, str, str]]:
    return [(str(f.layer), f.rule, f.text) for f in validate(xml, syntax) if f.fatal]


@pytest.mark.parametrize("syntax", list(Syntax))
@pytest.mark.parametrize("xrechnung", [True, False], ids=["xrechnung", "en16931"])
@pytest.mark.parametrize("case", list(MATRIX))
def test_the_matrix_passes_every_layer(case: str, xrechnung: bool, syntax: Syntax) -> None:
    doc, preceding = MATRIX[case]
    given = source(doc, preceding)
    assert problems_of(given, xrechnung=xrechnung) == []
    xml = render(terms_of(given, xrechnung=xrechnung), syntax)
    assert fatal(xml, syntax) == []
    if syntax is not Syntax.EBINTERFACE:  # ebInterface has no specification identifier
        assert (XRECHNUNG.encode() in xml) is xrechnung


def test_the_terms_carry_the_totals_worked_by_hand() -> None:
    doc, _ = MATRIX["mixed rates"]
    terms = terms_of(source(doc), xrechnung=True)
    # 100.00 at 19 % (tax 19.00) and 4 x 2.35 = 9.40 at 7 % (tax 0.658 -> 0.66)
    assert (terms["BT-106"], terms["BT-109"], terms["BT-110"], terms["BT-112"]) == (
        "109.40",
        "109.40",
        "19.66",
        "129.06",
    )
    assert [(g["BT-119"], g["BT-116"], g["BT-117"]) for g in terms["BG-23"]] == [
        ("7", "9.40", "0.66"),
        ("19", "100.00", "19.00"),
    ]
    assert terms["BT-10"] == "04011000-12345-34" and terms["BT-81"] == "58"


def test_a_reverse_charge_line_has_its_own_vat_group_with_reason_and_code() -> None:
    doc, _ = MATRIX["reverse charge"]
    terms = terms_of(source(doc), xrechnung=False)
    assert [(g["BT-118"], g["BT-119"], g["BT-116"], g["BT-117"]) for g in terms["BG-23"]] == [
        ("AE", "0", "760.00", "0.00"),
        ("S", "19", "10.00", "1.90"),
    ]
    assert (terms["BG-23"][0]["BT-120"], terms["BG-23"][0]["BT-121"]) == (
        REVERSE_CHARGE["reason"],
        "VATEX-EU-AE",
    )
    assert [ln["BT-151"] for ln in terms["BG-25"]] == ["AE", "S"]
    without_vat_id = EInvoiceSource(doc, SELLER, replace(BUYER, vat_id=None), "EUR")
    assert problems_of(without_vat_id, xrechnung=False) == [
        Problem("einvoice.buyer_term_missing", field="buyer.vatId")
    ]


def test_a_foreign_currency_states_its_vat_in_the_accounting_currency() -> None:
    doc, _ = MATRIX["foreign currency"]
    terms = terms_of(source(doc), xrechnung=False)
    # 7 x 13.13 = 91.91 USD, tax 17.46 USD; at 0.92 EUR per USD: 16.0632 -> 16.06 EUR
    assert (terms["BT-5"], terms["BT-6"], terms["BT-110"], terms["BT-111"]) == (
        "USD",
        "EUR",
        "17.46",
        "16.06",
    )


def test_a_price_with_more_places_is_stated_for_the_whole_quantity() -> None:
    doc = document(line(1, "3", "0.111111", "19"))  # net 0.33: 0.11 x 3 would be 0.33 too
    (priced,) = terms_of(source(doc), xrechnung=False)["BG-25"]
    assert (priced["BT-129"], priced["BT-146"], priced["BT-131"]) == ("3", "0.11", "0.33")
    odd = document(line(1, "3", "0.3334", "19"))  # net 1.00: 1/3 has no 4-place price
    (priced,) = terms_of(source(odd), xrechnung=False)["BG-25"]
    assert (priced["BT-129"], priced["BT-146"], priced["BT-149"], priced["BT-131"]) == (
        "3",
        "1",
        "3",
        "1.00",
    )


def _without(xml: bytes, path: str, namespaces: dict[str, str]) -> bytes:
    root = etree.fromstring(xml)
    (element,) = root.xpath(path, namespaces=namespaces)
    element.getparent().remove(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
MUTATIONS = {
    # the seller's name (BT-27, BR-06), the buyer reference (BT-10, BR-DE-15)
    (Syntax.CII, "BR-06"): "//ram:SellerTradeParty/ram:Name",
    (Syntax.CII, "BR-DE-15"): "//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference",
    (
        Syntax.UBL,
        "BR-06",
    ): "//cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:RegistrationName",
    (Syntax.UBL, "BR-DE-15"): "/*/cbc:BuyerReference",
}


@pytest.mark.parametrize(("syntax", "rule"), list(MUTATIONS))
@pytest.mark.parametrize("case", ["domestic 19 %", "credit note", "allowance and charge"])
def test_a_copy_without_a_required_term_is_caught_by_its_rule(
    case: str, syntax: Syntax, rule: str
) -> None:
    doc, preceding = MATRIX[case]
    xml = render(terms_of(source(doc, preceding), xrechnung=True), syntax)
    namespaces = CII_NS if syntax is Syntax.CII else UBL_NS
    broken = _without(xml, MUTATIONS[(syntax, rule)], namespaces)
    failed = [f for f in validate(broken, syntax) if f.fatal]
    assert rule in {f.rule for f in failed}, failed
    layer = Layer.XRECHNUNG if rule.startswith("BR-DE") else Layer.EN16931
    assert {f.layer for f in failed} == {layer}


def test_a_broken_schema_stops_before_the_business_rules() -> None:
    doc, _ = MATRIX["domestic 19 %"]
    xml = render(terms_of(source(doc), xrechnung=False), Syntax.UBL)
    broken = _without(xml, "/*/cbc:IssueDate", UBL_NS)  # required by the UBL schema
    failed = validate(broken, Syntax.UBL)
    assert failed and {f.layer for f in failed} == {Layer.XSD}
    assert "IssueDate" in failed[0].text or "DueDate" in failed[0].text


def test_what_a_document_lacks_is_named_before_anything_is_rendered() -> None:
    doc = document(line(1, "1", "10", "0"), line(2, "1", "1", "19", kind=LineType.DUNNING_FEE))
    bare = EInvoiceSource(doc, CompanyData(legal_name="X"), Buyer("Y", None), "EUR")
    assert problems_of(bare, xrechnung=True) == [
        Problem("einvoice.seller_term_missing", field="seller.city"),
        Problem("einvoice.seller_term_missing", field="seller.postcode"),
        Problem("einvoice.seller_term_missing", field="seller.country"),
        Problem("einvoice.seller_term_missing", field="seller.contactName"),
        Problem("einvoice.seller_term_missing", field="seller.contactPhone"),
        Problem("einvoice.seller_term_missing", field="seller.contactEmail"),
        Problem("einvoice.seller_term_missing", field="seller.electronicAddress"),
        Problem("einvoice.seller_term_missing", field="seller.iban"),
        Problem("einvoice.seller_term_missing", field="seller.vatId"),
        Problem("einvoice.buyer_term_missing", field="buyer.country"),
        Problem("einvoice.buyer_term_missing", field="buyer.reference"),
        Problem("einvoice.buyer_term_missing", field="buyer.electronicAddress"),
        Problem("einvoice.exemption_missing", field="lines[0].taxExemption"),
        Problem("einvoice.line_type_unsupported", field="lines[1].type"),
    ]
    assert [p.field for p in problems_of(bare, xrechnung=False)] == [
        "seller.city",
        "seller.postcode",
        "seller.country",
        "seller.vatId",
        "buyer.country",
        "lines[0].taxExemption",
        "lines[1].type",
    ]


def test_zugferd_embeds_the_cii_in_the_pdf_a_3() -> None:
    """The hybrid invoice: the validated CII inside the document's PDF/A-3 as factur-x.xml
    (AFRelationship Data, XMP conformance level EN 16931), extracted back byte for byte."""
    doc, _ = MATRIX["domestic 19 %"]
    cii = render(terms_of(source(doc), xrechnung=False), Syntax.CII)
    pdf = HTML(string="<p>Rechnung RE-2026-1000</p>").write_pdf(pdf_variant="pdf/a-3b")
    hybrid = embedded(pdf, cii, language="de-DE")
    assert extracted(hybrid) == (ATTACHMENT, cii)
    catalogue: Any = PdfReader(io.BytesIO(hybrid)).trailer["/Root"]
    (attached,) = catalogue["/AF"]
    assert (attached.get_object()["/F"], attached.get_object()["/AFRelationship"]) == (
        ATTACHMENT,
        "/Data",
    )
    xmp = catalogue["/Metadata"].get_object().get_data()
    assert b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert extracted(pdf) is None


EB = {"eb": "http://www.ebinterface.at/schema/6p1/"}


def _ebinterface(given: EInvoiceSource) -> Any:
    xml = render(terms_of(given, xrechnung=False), Syntax.EBINTERFACE)
    assert fatal(xml, Syntax.EBINTERFACE) == []
    return etree.fromstring(xml)


def test_ebinterface_names_credit_notes_allowances_and_direct_debits_its_way() -> None:
    doc, preceding = MATRIX["credit note"]
    credit = _ebinterface(source(doc, preceding))
    assert credit.get("DocumentType") == "CreditMemo"
    assert credit.xpath("eb:RelatedDocument/eb:InvoiceNumber/text()", namespaces=EB) == [
        "RE-2026-0999"
    ]
    doc, _ = MATRIX["allowance and charge"]
    adjusted = _ebinterface(source(doc))
    details = adjusted.find("eb:ReductionAndSurchargeDetails", EB)
    assert [
        (etree.QName(e).localname, e.findtext("eb:Amount", namespaces=EB)) for e in details
    ] == [
        ("Reduction", "5.00"),
        ("Surcharge", "2.50"),
    ]
    debit = DirectDebit("MANDAT-1", "DE98ZZZ09999999999", "DE02120300000000202051")
    collected = _ebinterface(replace(source(MATRIX["domestic 19 %"][0]), direct_debit=debit))
    assert [e.text for e in collected.find("eb:PaymentMethod/eb:SEPADirectDebit", EB)] == [
        "DE02120300000000202051",
        "DE98ZZZ09999999999",
        "MANDAT-1",
    ]


def test_ebinterface_is_issued_in_euros_only() -> None:
    doc, _ = MATRIX["foreign currency"]
    assert [p.field for p in ebinterface_problems(source(doc))] == ["currency"]
    assert ebinterface_problems(source(MATRIX["domestic 19 %"][0])) == []
