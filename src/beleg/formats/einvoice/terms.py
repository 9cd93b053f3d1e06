"""An issued sales document as the business terms of EN 16931 (the semantic model): the
keyed dictionary factur-x renders into CII and UBL (``syntax.py``), and the problems that
keep a document from being an e-invoice at all (a seller term missing, a line the model
cannot carry). Business terms are named by their EN 16931 ids (``BT-1`` invoice number,
``BG-4`` seller, ...); every amount is the document's, in its currency, to the currency's
places, and the VAT breakdown is per category and rate (BG-23, BR-CO-17: the category's tax
is the sum the document booked for it, which the document rounded once per VAT group or per
line, within EN 16931's tolerance).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.domain.documents.model import LineType
from beleg.domain.documents.records import DocumentLine, SalesDocument
from beleg.domain.tenancy.company import CompanyData, missing_for_einvoice
from beleg.money import Currency, round_to_places

# EN 16931 BT-24 specification identifiers and BT-23 business process (XRechnung 3.0 and
# Peppol BIS Billing 3.0 name the process; EN 16931 alone needs none).
EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CREDIT_TRANSFER = "58"  # UNTDID 4461: SEPA credit transfer
DIRECT_DEBIT = "59"  # UNTDID 4461: SEPA direct debit
DEFAULT_UNIT = "C62"  # UN/ECE Rec. 20 "one": a line without a unit of measure
STANDARD_RATED = "S"  # UNTDID 5305 VAT categories: standard rate (any rate above 0 % here),
REVERSE_CHARGE = "AE"  # reverse charge (UStG §13b),
INTRA_COMMUNITY = "K"  # intra-community supply (UStG §4 Nr. 1b, §6a)
ISSUED_CATEGORIES = frozenset({STANDARD_RATED, "E", REVERSE_CHARGE, INTRA_COMMUNITY, "G", "Z"})
PRICE_PLACES = 4  # factur-x writes item prices to 4 places (Factur-X 1.0 §4.4.1)


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer (BG-7) as the document's customer gives it; country ISO 3166-1 alpha-2.
    ``reference`` is the buyer reference (BT-10, the Leitweg-ID of a German public buyer)."""

    name: str
    country: str | None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    vat_id: str | None = None
    email: str | None = None
    reference: str | None = None
    electronic_address: str | None = None
    electronic_address_scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Preceding:
    """The invoice a credit note or corrected invoice refers to (BG-3: BT-25, BT-26)."""

    number: str
    issued: date


@dataclass(frozen=True, slots=True)
class Attachment:
    """An additional supporting document carried in the e-invoice (BG-24): the invoice's own
    PDF in an XRechnung (the e-invoicing issue, item 1: "attachments (the PDF in XRechnung)").
    ``reference`` is BT-122, ``description`` BT-123, ``content`` BT-125 (written as base64)."""

    reference: str
    description: str
    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class DirectDebit:
    """The SEPA direct debit an invoice is collected by (BG-19): the mandate reference
    (BT-89), the seller's creditor identifier (BT-90; None when the seller has none yet,
    which keeps the e-invoice from being made) and the debited account (BT-91)."""

    mandate_reference: str
    creditor_id: str | None
    debited_iban: str


@dataclass(frozen=True, slots=True)
class EInvoiceSource:
    """What an e-invoice of ``document`` is made from. ``accounting_currency`` is the
    tenant's main currency; a document in another currency states its VAT in it too
    (BT-6, BT-111) at the document's rate (main-currency units per document unit)."""

    document: SalesDocument
    seller: CompanyData
    buyer: Buyer
    accounting_currency: str
    preceding: Preceding | None = None
    attachments: tuple[Attachment, ...] = ()
    direct_debit: DirectDebit | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a document cannot become this e-invoice: ``code`` is the message, ``field`` names
    the missing or unsupported term as the API knows it (``seller.vatId``, ``lines[2].type``)."""

    code: str
    field: str


def problems_of(source: EInvoiceSource, *, xrechnung: bool) -> list[Problem]:
    """Everything missing before the terms can be built; empty when they can."""
    found = [
        Problem("einvoice.seller_term_missing", field=f"seller.{name}")
        for name in missing_for_einvoice(source.seller, xrechnung=xrechnung)
    ]
    if not source.buyer.country:
        found.append(Problem("einvoice.buyer_term_missing", field="buyer.country"))  # BR-11
    if xrechnung and not source.buyer.reference:
        found.append(Problem("einvoice.buyer_term_missing", field="buyer.reference"))  # BR-DE-15
    if xrechnung and not source.buyer.electronic_address:
        found.append(Problem("einvoice.buyer_term_missing", field="buyer.electronicAddress"))
    if source.direct_debit is not None and not source.direct_debit.creditor_id:
        found.append(Problem("einvoice.seller_term_missing", field="seller.creditorId"))  # BR-DE-30
    for index, line in enumerate(source.document.lines):
        if line.line_type not in (LineType.LINE, *ALLOWANCE_OR_CHARGE):
            found.append(Problem("einvoice.line_type_unsupported", field=f"lines[{index}].type"))
        else:
            found += _category_problems(index, line, source)
    return found


def _category_problems(index: int, line: DocumentLine, source: EInvoiceSource) -> list[Problem]:
    """A 0 % line needs its exemption category; reverse charge and intra-community supply
    need both VAT IDs (BR-AE-02, BR-IC-02); "not subject to VAT" (O) is not issued, since
    it excludes every VAT ID and every other category from the invoice (BR-O-02, BR-O-11)."""
    category = category_of(line)
    field = f"lines[{index}].taxExemption"
    if category is None:
        return [Problem("einvoice.exemption_missing", field=field)]
    if category not in ISSUED_CATEGORIES:
        return [Problem("einvoice.category_unsupported", field=field)]
    if category in (REVERSE_CHARGE, INTRA_COMMUNITY) and not source.buyer.vat_id:
        return [Problem("einvoice.buyer_term_missing", field="buyer.vatId")]
    return []


ALLOWANCE_OR_CHARGE = (LineType.TOTAL_DISCOUNT, LineType.TOTAL_SURCHARGE)


def terms_of(source: EInvoiceSource, *, xrechnung: bool) -> dict[str, Any]:
    """The EN 16931 terms of ``source`` (``problems_of`` must be empty) as factur-x's
    data dictionary; BT-24 says EN 16931 or XRechnung 3.0."""
    doc = source.document
    places = doc.currency.minor_units
    lines = [ln for ln in doc.lines if ln.line_type is LineType.LINE]
    terms: dict[str, Any] = {
        "BT-1": doc.number,
        "BT-2": doc.doc_date,
        "BT-3": doc.type_code.value,
        "BT-5": doc.currency.code,
        "BT-24": XRECHNUNG if xrechnung else EN16931,
        "BG-4": _seller(source.seller),
        "BG-7": _buyer(source.buyer),
        "BG-25": [_line(n, ln, places) for n, ln in enumerate(lines, start=1)],
        **_header_dates(doc, source.buyer),
        **_payment(source.seller, doc, source.direct_debit),
        **_allowances_and_charges(doc, places),
        **_totals(source, places),
    }
    if xrechnung:
        terms["BT-23"] = PEPPOL_BILLING
    if source.buyer.reference:
        terms["BT-10"] = source.buyer.reference
    if source.preceding is not None:
        terms["BG-3"] = [{"BT-25": source.preceding.number, "BT-26": source.preceding.issued}]
    if source.attachments:
        terms["BG-24"] = [_attachment(a) for a in source.attachments]
    return terms


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "BT-122": attachment.reference,
        "BT-123": attachment.description,
        "BT-125": attachment.content,
        "BT-125-1": attachment.media_type,
        "BT-125-2": attachment.file_name,
    }


def category_of(line: DocumentLine) -> str | None:
    """The line's VAT category: standard above 0 %, else the category of its tax exemption
    (``texts["taxExemption"]``: ``{category, reason, vatexCode}``); None when unknown."""
    if line.tax_rate > 0:
        return STANDARD_RATED
    exemption = line.texts.get("taxExemption") or {}
    category = exemption.get("category")
    return str(category) if category else None


def _exemption(line: DocumentLine) -> dict[str, str]:
    """The exemption reason (BT-120) and VATEX code (BT-121) of a 0 % line's category."""
    exemption = line.texts.get("taxExemption") or {}
    given = {"BT-120": exemption.get("reason"), "BT-121": exemption.get("vatexCode")}
    return {key: str(value) for key, value in given.items() if value}


def _seller(seller: CompanyData) -> dict[str, Any]:
    party = _address(seller.street, seller.postcode, seller.city, seller.country)
    party |= {"name": seller.legal_name}
    optional = {
        "biz_name": seller.trading_name,
        "addr_l2": seller.additional_street,
        "vat_identifier": seller.vat_id,
        "tax_identifier": seller.tax_number,
        "legal_identifier": seller.registration_id,
        "einvoicing_addr": seller.electronic_address,
        "einvoicing_addr_schemeid": seller.electronic_address_scheme,
    }
    party |= {key: value for key, value in optional.items() if value}
    contact = {
        "name": seller.contact_name,
        "phone": seller.contact_phone,
        "email": seller.contact_email,
    }
    if any(contact.values()):
        party["contacts"] = [{k: v for k, v in contact.items() if v}]
    return party


def _buyer(buyer: Buyer) -> dict[str, Any]:
    party = _address(buyer.street, buyer.postcode, buyer.city, buyer.country)
    party |= {"name": buyer.name}
    optional = {
        "vat_identifier": buyer.vat_id,
        "einvoicing_addr": buyer.electronic_address,
        "einvoicing_addr_schemeid": buyer.electronic_address_scheme,
    }
    party |= {key: value for key, value in optional.items() if value}
    if buyer.email:
        party["contacts"] = [{"email": buyer.email}]
    return party


def _address(
    street: str | None, postcode: str | None, city: str | None, country: str | None
) -> dict[str, Any]:
    given = {"addr_l1": street, "postcode": postcode, "city": city, "country_code": country}
    return {key: value for key, value in given.items() if value}


def _period(texts: Any) -> tuple[date, date] | None:
    start, end = texts.get("deliveryFromDate"), texts.get("deliveryToDate")
    if not start or not end:
        return None
    return date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])


def _header_dates(doc: SalesDocument, buyer: Buyer) -> dict[str, Any]:
    """The buyer as the one delivered to (BG-13: an intra-community supply must name the
    country, BR-IC-12) and the service period (BG-14) when the document has one, else the
    delivery date (BT-72: the document date; factur-x's empty delivery fails the CII
    schema)."""
    deliver_to = _address(buyer.street, buyer.postcode, buyer.city, buyer.country)
    terms: dict[str, Any] = {"BG-13": deliver_to | {"name": buyer.name}}
    period = _period(doc.texts)
    if period is None:
        return terms | {"BT-72": doc.doc_date}
    return terms | {"BT-73": period[0], "BT-74": period[1]}


def _payment(
    seller: CompanyData, doc: SalesDocument, direct_debit: DirectDebit | None
) -> dict[str, Any]:
    """Due date (BT-9) and payment instructions: the SEPA direct debit the invoice is
    collected by (BG-16/BG-19; XRechnung BR-DE-30/31: creditor id and debited account), else
    a SEPA credit transfer to the seller's account (BG-16/BG-17) when the seller has one."""
    terms: dict[str, Any] = {}
    if doc.due_date is not None:
        terms["BT-9"] = doc.due_date
    if direct_debit is not None:
        return terms | {
            "BT-81": DIRECT_DEBIT,
            "BT-89": direct_debit.mandate_reference,
            "BT-90": direct_debit.creditor_id,
            "BT-91": direct_debit.debited_iban,
        }
    if seller.iban:
        terms |= {"BT-81": CREDIT_TRANSFER, "BT-84": seller.iban}
        if seller.account_holder:
            terms["BT-85"] = seller.account_holder
        if seller.bic:
            terms["BT-86"] = seller.bic
    return terms


def _line(number: int, line: DocumentLine, places: int) -> dict[str, Any]:
    """A line (BG-25) with its net (BT-131) as booked. Its price (BT-146) is the net per
    unit; when that has more places than a price carries, the price is stated for the whole
    quantity (BT-149 price base quantity), so that quantity x price / base = net holds
    exactly (PEPPOL-EN16931-R120)."""
    quantity = abs(line.quantity) or Decimal(1)
    net = round_to_places(abs(line.net), places)
    price = net / quantity
    terms: dict[str, Any] = {
        "BT-126": str(number),
        "BT-129": _text(quantity),
        "BT-130": line.texts.get("unitOfMeasure") or DEFAULT_UNIT,
        "BT-131": _money(net, places),
        "BT-151": category_of(line),
        "BT-152": _text(line.tax_rate),
        "BT-153": str(line.texts.get("name") or line.texts.get("description") or "-"),
    }
    if round_to_places(price, PRICE_PLACES) == price:
        terms["BT-146"] = _text(price)
    else:
        terms |= {"BT-146": _text(net), "BT-149": _text(quantity)}
    if description := line.texts.get("description"):
        terms["BT-154"] = str(description)
    period = _period(line.texts)
    if period is not None:
        terms |= {"BT-134": period[0], "BT-135": period[1]}
    return terms


def _allowances_and_charges(doc: SalesDocument, places: int) -> dict[str, Any]:
    """Total discounts as document allowances (BG-20), total surcharges as charges (BG-21),
    each in the VAT category and rate it was booked with (BT-95/BT-96, BT-102/BT-103)."""
    groups = {LineType.TOTAL_DISCOUNT: "BG-20", LineType.TOTAL_SURCHARGE: "BG-21"}
    terms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in doc.lines:
        if line.line_type in groups:
            terms[groups[line.line_type]].append(
                {
                    "amount": _money(abs(line.net), places),
                    "vat_category_code": category_of(line),
                    "vat_rate": _text(line.tax_rate),
                    "reason": str(line.texts.get("name") or "-"),
                }
            )
    return dict(terms)


def _totals(source: EInvoiceSource, places: int) -> dict[str, Any]:
    """The document totals (BG-22) and the VAT breakdown (BG-23)."""
    doc = source.document
    groups: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    reasons: dict[tuple[str, Decimal], dict[str, str]] = {}
    sums = {kind: Decimal(0) for kind in (LineType.LINE, *ALLOWANCE_OR_CHARGE)}
    for line in doc.lines:
        sign = -1 if line.line_type is LineType.TOTAL_DISCOUNT else 1
        sums[line.line_type] += abs(line.net)
        key = (category_of(line) or STANDARD_RATED, line.tax_rate)
        groups[key][0] += sign * abs(line.net)
        groups[key][1] += sign * abs(line.tax)
        reasons.setdefault(key, _exemption(line))
    net, tax = abs(doc.net), abs(doc.tax)
    terms: dict[str, Any] = {
        "BT-106": _money(sums[LineType.LINE], places),
        "BT-109": _money(net, places),
        "BT-110": _money(tax, places),
        "BT-112": _money(net + tax, places),
        "BT-115": _money(net + tax, places),
        "BG-23": [
            {
                "BT-116": _money(basis, places),
                "BT-117": _money(vat, places),
                "BT-118": category,
                "BT-119": _text(rate),
                **reasons[(category, rate)],
            }
            for (category, rate), (basis, vat) in sorted(groups.items(), key=_by_rate)
        ],
    }
    if sums[LineType.TOTAL_DISCOUNT]:
        terms["BT-107"] = _money(sums[LineType.TOTAL_DISCOUNT], places)
    if sums[LineType.TOTAL_SURCHARGE]:
        terms["BT-108"] = _money(sums[LineType.TOTAL_SURCHARGE], places)
    if doc.currency.code != source.accounting_currency:
        terms["BT-6"] = source.accounting_currency
        main_places = Currency.of(source.accounting_currency).minor_units
        terms["BT-111"] = _money(tax * doc.currency_rate, main_places)
    return terms


def _by_rate(group: tuple[tuple[str, Decimal], Any]) -> tuple[Decimal, str]:
    (category, rate), _ = group
    return rate, category


def _money(value: Decimal, places: int) -> str:
    return f"{round_to_places(value, places):.{places}f}"


def _text(value: Decimal) -> str:
    """A decimal without trailing zeros (``19``, ``0.5``, ``12.3456``)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"
