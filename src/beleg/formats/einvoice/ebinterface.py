"""ebInterface 6.1, the Austrian e-invoice (AUSTRIAPRO/WKÖ; what e-rechnung.gv.at takes from
suppliers of the federal government), rendered from the same EN 16931 terms as CII and UBL
(``terms.terms_of``): one semantic model, three syntaxes. Amounts are the terms' own (the
document's, to the cent; ebInterface's Decimal2), quantities and prices as the terms state
them (Decimal4, at most four places: a quantity with more fails the schema and the e-invoice
is not made).

The mapping, by EN 16931 term:

- BT-3 type code -> ``DocumentType``: 380/384 Invoice, 381 CreditMemo, 386
  InvoiceForAdvancePayment, 389 SelfBilling, 261 (self-billed credit note) CreditMemo.
- BT-25/26 preceding invoice -> ``RelatedDocument``; BT-72 or BT-73/74 -> ``Delivery``.
- BG-4 seller -> ``Biller``, BG-7 buyer -> ``InvoiceRecipient``; BT-10 buyer reference ->
  the recipient's ``OrderReference/OrderID`` (the "Auftragsreferenz" the federal government
  requires). ebInterface requires a VAT identification number of both; a party without one
  is written ``00000000``, as the standard prescribes for parties that have none.
- BG-25 lines -> ``ListLineItem``; BG-20/21 -> ``ReductionAndSurchargeDetails``; BG-23 ->
  ``Tax/TaxItem`` with the exemption reason (BT-120) as its comment.
- BT-81 58 (transfer, BG-17) -> ``UniversalBankTransaction``; 59 (BG-19) -> ``SEPADirectDebit``
  with mandate, creditor id and debited IBAN; BT-9 -> ``PaymentConditions/DueDate``.

Validation is the XSD (``validation.py``); ebInterface publishes no Schematron.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from beleg.formats.einvoice.terms import EInvoiceSource, Problem

NAMESPACE = "http://www.ebinterface.at/schema/6p1/"
GENERATING_SYSTEM = "Beleg"
NO_VAT_ID = "00000000"  # ebInterface 6.1: "00000000" for a party without a VAT ID
DOCUMENT_TYPES = {
    "380": "Invoice",
    "384": "Invoice",
    "381": "CreditMemo",
    "386": "InvoiceForAdvancePayment",
    "389": "SelfBilling",
    "261": "CreditMemo",
}
TRANSFER, DIRECT_DEBIT = "58", "59"


def ebinterface_problems(source: EInvoiceSource) -> list[Problem]:
    """What ebInterface 6.1 needs beyond EN 16931: a document in euros. Beleg writes the VAT
    in the invoice currency only, and Austrian VAT law wants it in euros too (UStG §20 (6)),
    which ebInterface carries per tax item, not as one total (BT-111)."""
    if source.document.currency.code != "EUR":
        return [Problem("einvoice.currency_not_euro", field="currency")]
    return []


def _el(parent: Any, tag: str, text: object = None, **attributes: str) -> Any:
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        child.text = str(text)
    return child


def render_ebinterface(terms: dict[str, Any], *, language: str = "de") -> bytes:
    """``terms`` (``terms.terms_of``, EN 16931) as an ebInterface 6.1 ``Invoice`` (UTF-8,
    with declaration); ``language`` is ISO 639-1."""
    root = etree.Element(
        f"{{{NAMESPACE}}}Invoice",
        {
            "GeneratingSystem": GENERATING_SYSTEM,
            "DocumentType": DOCUMENT_TYPES.get(str(terms["BT-3"]), "Invoice"),
            "InvoiceCurrency": str(terms["BT-5"]),
            "Language": language,
        },
        nsmap={None: NAMESPACE},
    )
    _el(root, "InvoiceNumber", terms["BT-1"])
    _el(root, "InvoiceDate", terms["BT-2"])
    for preceding in terms.get("BG-3", []):
        related = _el(root, "RelatedDocument")
        _el(related, "InvoiceNumber", preceding["BT-25"])
        _el(related, "InvoiceDate", preceding["BT-26"])
    _delivery(root, terms)
    _party(root, "Biller", terms["BG-4"])
    _party(root, "InvoiceRecipient", terms["BG-7"], order_id=terms.get("BT-10"))
    _details(root, terms["BG-25"])
    _reductions_and_surcharges(root, terms)
    tax = _el(root, "Tax")
    for group in terms["BG-23"]:
        item = _tax_item(tax, group["BT-116"], group["BT-118"], group["BT-119"])
        _el(item, "TaxAmount", group["BT-117"])
        if group.get("BT-120"):
            _el(item, "Comment", group["BT-120"])
    _el(root, "TotalGrossAmount", terms["BT-112"])
    _el(root, "PayableAmount", terms["BT-115"])
    _payment(root, terms)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return xml


def _delivery(root: Any, terms: dict[str, Any]) -> None:
    if terms.get("BT-73") and terms.get("BT-74"):
        period = _el(_el(root, "Delivery"), "Period")
        _el(period, "FromDate", terms["BT-73"])
        _el(period, "ToDate", terms["BT-74"])
    elif terms.get("BT-72"):
        _el(_el(root, "Delivery"), "Date", terms["BT-72"])


def _party(root: Any, tag: str, party: dict[str, Any], *, order_id: object = None) -> None:
    """A party (AbstractPartyType): VAT ID, order reference, address, contact."""
    element = _el(root, tag)
    _el(element, "VATIdentificationNumber", party.get("vat_identifier") or NO_VAT_ID)
    if order_id:
        _el(_el(element, "OrderReference"), "OrderID", order_id)
    contact = (party.get("contacts") or [{}])[0]
    if party.get("city") and party.get("postcode"):
        address = _el(element, "Address")
        _el(address, "Name", party["name"])
        if party.get("biz_name"):
            _el(address, "TradingName", party["biz_name"])
        street = " ".join(str(p) for p in (party.get("addr_l1"), party.get("addr_l2")) if p)
        if street:
            _el(address, "Street", street)
        _el(address, "Town", party["city"])
        _el(address, "ZIP", party["postcode"])
        country = str(party.get("country_code") or "")
        _el(address, "Country", country, CountryCode=country)
        if contact.get("email"):
            _el(address, "Email", contact["email"])
    if contact.get("name"):
        person = _el(element, "Contact")
        _el(person, "Name", contact["name"])
        for key, tag_name in (("phone", "Phone"), ("email", "Email")):
            if contact.get(key):
                _el(person, tag_name, contact[key])


def _details(root: Any, lines: list[dict[str, Any]]) -> None:
    items = _el(_el(root, "Details"), "ItemList")
    for line in lines:
        item = _el(items, "ListLineItem")
        _el(item, "PositionNumber", line["BT-126"])
        _el(item, "Description", line["BT-153"])
        if line.get("BT-154"):
            _el(item, "Description", line["BT-154"])
        _el(item, "Quantity", line["BT-129"], Unit=str(line["BT-130"]))
        if line.get("BT-149"):
            _el(item, "UnitPrice", line["BT-146"], BaseQuantity=str(line["BT-149"]))
        else:
            _el(item, "UnitPrice", line["BT-146"])
        if line.get("BT-134") and line.get("BT-135"):
            period = _el(_el(item, "Delivery"), "Period")
            _el(period, "FromDate", line["BT-134"])
            _el(period, "ToDate", line["BT-135"])
        _tax_item(item, line["BT-131"], line["BT-151"], line["BT-152"])
        _el(item, "LineItemAmount", line["BT-131"])


def _reductions_and_surcharges(root: Any, terms: dict[str, Any]) -> None:
    """Document allowances (BG-20) as reductions and charges (BG-21) as surcharges of the
    lines' sum (BT-106), each in its VAT category and rate."""
    given = [("Reduction", a) for a in terms.get("BG-20", [])]
    given += [("Surcharge", c) for c in terms.get("BG-21", [])]
    if not given:
        return
    details = _el(root, "ReductionAndSurchargeDetails")
    for tag, entry in given:
        element = _el(details, tag)
        _el(element, "BaseAmount", terms["BT-106"])
        _el(element, "Amount", entry["amount"])
        _el(element, "Comment", entry["reason"])
        _tax_item(element, entry["amount"], entry["vat_category_code"], entry["vat_rate"])


def _tax_item(parent: Any, taxable: object, category: object, rate: object) -> Any:
    item = _el(parent, "TaxItem")
    _el(item, "TaxableAmount", taxable)
    _el(item, "TaxPercent", rate, TaxCategoryCode=str(category))
    return item


def _payment(root: Any, terms: dict[str, Any]) -> None:
    means = terms.get("BT-81")
    if means == TRANSFER:
        transfer = _el(_el(root, "PaymentMethod"), "UniversalBankTransaction")
        account = _el(transfer, "BeneficiaryAccount")
        if terms.get("BT-86"):
            _el(account, "BIC", terms["BT-86"])
        _el(account, "IBAN", terms["BT-84"])
        if terms.get("BT-85"):
            _el(account, "BankAccountOwner", terms["BT-85"])
    elif means == DIRECT_DEBIT:
        debit = _el(_el(root, "PaymentMethod"), "SEPADirectDebit")
        _el(debit, "IBAN", terms["BT-91"])
        _el(debit, "CreditorID", terms["BT-90"])
        _el(debit, "MandateReference", terms["BT-89"])
    if terms.get("BT-9"):
        _el(_el(root, "PaymentConditions"), "DueDate", terms["BT-9"])
