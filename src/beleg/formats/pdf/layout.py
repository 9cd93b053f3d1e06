"""What a sales document prints: the input values and the view model built from them.

``build_layout`` turns plain values (Decimal amounts, dates, strings) into the view model that the
PDF template prints: every string already formatted for the document's language with babel.
Amounts arrive rounded by the domain (``beleg.money``, ROUND_HALF_UP); here they are only
formatted, never rounded. The one exception: a foreign-currency document whose caller gives no
main-currency totals gets them converted at the document's rate and rounded by ``beleg.money``.

The fields carry the mandatory invoice contents of § 14 Abs. 4 UStG and § 11 Abs. 1 UStG-AT:
full name and address of supplier and recipient; the supplier's tax number or VAT id; the
recipient's VAT id where the tax liability passes to the recipient (§ 14a Abs. 1 UStG,
§ 11 Abs. 1a UStG-AT); the date of issue; a unique number; quantity and customary description
of the goods or kind and extent of the service; the date or period of supply; the net amount per
tax rate, any reduction agreed in advance; the rate and the tax amount, or the reason of an
exemption (§ 14 Abs. 4 Nr. 8 UStG); and the note "Steuerschuldnerschaft des
Leistungsempfängers" for reverse charge (§ 14a Abs. 5 UStG, Art. 226 Nr. 11a MwStSystRL).
A document in a foreign currency also states the exchange rate and the amounts, tax included,
in the main currency (§ 16 Abs. 6 UStG, § 20 Abs. 6 UStG-AT). A correction names the document
it corrects (§ 31 Abs. 5 UStDV).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beleg.domain.foundation.units import UNITS
from beleg.domain.ledger.tax import AmountType
from beleg.formats.pdf.epc import epc_payload, format_iban
from beleg.formats.pdf.model import (
    PAYABLE_KINDS,
    ConvertedTotals,
    DocumentKind,
    DocumentLayoutInput,
    LayoutLine,
    LineKind,
    Seller,
    Totals,
)
from beleg.formats.pdf.texts import (
    AMOUNT_DUE,
    LOCALES,
    TEXTS,
    TITLES,
    Formatter,
    rich_text_html,
)
from beleg.money import Currency, round_to_currency

_UNIT_NAMES = {unit.id: {"de": unit.name_de, "en": unit.name_en} for unit in UNITS}


def build_layout(data: DocumentLayoutInput) -> dict[str, Any]:
    """The view model of a sales document: JSON-serialisable, every printed string formatted.

    German uses de_DE conventions ("1.234,56 €", "21.11.2026", "20 %"), English en_US
    ("€1,234.56", "Nov 21, 2026", "20%"). Rich text (intro, footer) is sanitised to p/b/i/br.
    """
    fmt = Formatter(LOCALES[data.language], data.currency)
    texts = TEXTS[data.language]
    title = TITLES[data.kind][data.language][0]
    seller = data.seller
    return {
        "language": data.language,
        "locale": fmt.locale,
        "kind": data.kind.value,
        "title": title,
        "number": data.number,
        "document_title": f"{title} {data.number}",
        "author": seller.name,
        "labels": _labels(data, texts),
        "sender_line": " · ".join((seller.name, *seller.address_lines)),
        "seller": {"name": seller.name, "address_lines": list(seller.address_lines)},
        "recipient": {
            "name": data.customer.name,
            "address_lines": list(data.customer.address_lines),
        },
        "info": _info(data, fmt, texts),
        "intro_html": rich_text_html(data.intro),
        "show_prices": data.kind is not DocumentKind.DELIVERY_NOTE,
        "show_discount": any(line.discount for line in data.lines),
        "lines": [_line(line, fmt, texts, data.language) for line in data.lines],
        "totals": _totals(data, fmt, texts),
        "conversion": _conversion(data, fmt, texts),
        "notes": _notes(data, fmt, texts),
        "payment": _payment(data, fmt, texts),
        "footer_html": rich_text_html(data.footer),
        "footer_columns": _footer_columns(seller, texts),
    }


def _labels(data: DocumentLayoutInput, texts: dict[str, str]) -> dict[str, str]:
    keys = (
        "page",
        "of",
        "col_position",
        "col_name",
        "col_quantity",
        "col_unit",
        "col_unit_price",
        "col_discount",
        "col_tax_rate",
    )
    labels = {key: texts[key] for key in keys}
    types = {line.price_type for line in data.lines if line.kind is not LineKind.ON_ACCT}
    amount_key = f"col_amount_{types.pop().value}" if len(types) == 1 else "col_amount"
    labels["col_amount"] = texts[amount_key]
    return labels


def _info(data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]) -> list[dict[str, str]]:
    """Number, date, date or period of supply, due date, customer number and VAT id."""
    rows = [
        (TITLES[data.kind][data.language][1], data.number),
        (texts["date"], fmt.date(data.date)),
    ]
    period = _period(data, fmt, texts)
    if period is not None:
        rows.append(period)
    if data.due_date is not None and data.kind is not DocumentKind.DELIVERY_NOTE:
        label = texts["valid_until" if data.kind is DocumentKind.OFFER else "due"]
        rows.append((label, fmt.date(data.due_date)))
    if data.customer.number:
        rows.append((texts["customer_number"], data.customer.number))
    if data.customer.vat_id:
        rows.append((texts["customer_vat_id"], data.customer.vat_id))
    return [{"label": label, "value": value} for label, value in rows]


def _period(
    data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]
) -> tuple[str, str] | None:
    start, end = data.delivery_from, data.delivery_to
    if start is None or end is None or start == end:
        single = start or end
        if single is None:
            return None
        label = "delivery_date" if data.kind is DocumentKind.DELIVERY_NOTE else "service_date"
        return texts[label], fmt.date(single)
    return texts["service_period"], f"{fmt.date(start)} – {fmt.date(end)}"


def _line(line: LayoutLine, fmt: Formatter, texts: dict[str, str], language: str) -> dict[str, str]:
    amount = line.total if line.price_type is AmountType.TOTAL else line.net
    unit = _UNIT_NAMES.get(line.unit or "", {}).get(language, line.unit or "")
    default_names = {
        LineKind.TOTAL_DISCOUNT: texts["total_discount"],
        LineKind.ON_ACCT: texts["on_account"],
    }
    return {
        "kind": line.kind.value,
        "position": "" if line.position is None else str(line.position),
        "name": line.name or default_names.get(line.kind, ""),
        "description": line.description or "",
        "marker": texts["option"] if line.kind is LineKind.OFFER_OPTION else "",
        "quantity": "" if line.quantity is None else fmt.number(line.quantity),
        "unit": unit,
        "unit_price": "" if line.unit_price is None else fmt.money(line.unit_price),
        "price_type": line.price_type.value,
        "discount": line.discount or "",
        "tax_rate": "" if line.tax_rate is None else fmt.rate(line.tax_rate),
        "net": fmt.money(line.net),
        "total": fmt.money(line.total),
        "amount": fmt.money(amount),
    }


def _totals(
    data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]
) -> list[dict[str, str]]:
    """Net, tax per rate on its base, total; then deductions and the amount due, if any."""
    totals = data.totals
    if totals is None or data.kind is DocumentKind.DELIVERY_NOTE:
        return []
    rows = [(texts["net"], fmt.money(totals.net), "net")]
    rows += [
        (
            texts["tax_group"].format(rate=fmt.rate(group.rate), base=fmt.money(group.net)),
            fmt.money(group.tax),
            "tax",
        )
        for group in totals.tax_groups
    ]
    rows.append((texts["total"], fmt.money(totals.total), "total"))
    deductions = [
        (texts[key], amount)
        for key, amount in (("already_paid", totals.already_paid), ("deposits", totals.deposits))
        if amount
    ]
    rows += [(label, fmt.money(-amount), "deduction") for label, amount in deductions]
    due = totals.amount_due
    if due is not None and (deductions or due != totals.total):
        rows.append((AMOUNT_DUE[data.kind][data.language], fmt.money(due), "due"))
    return [{"label": label, "value": value, "role": role} for label, value, role in rows]


def _conversion(
    data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]
) -> dict[str, Any] | None:
    """Exchange rate and the totals in the main currency (§ 16 Abs. 6 UStG)."""
    main, rate = data.main_currency, data.currency_rate
    if not data.is_foreign_currency or rate is None or main is None:
        return None
    converted = data.main_currency_totals or _converted(data.totals, rate, main)
    rows = (
        []
        if converted is None
        else [
            {"label": texts[key], "value": fmt.money(amount, main)}
            for key, amount in (
                ("net", converted.net),
                ("tax", converted.tax),
                ("total", converted.total),
            )
        ]
    )
    return {
        "rate": texts["exchange_rate"].format(
            currency=data.currency, rate=fmt.number(rate), main=main
        ),
        "heading": texts["amounts_in"].format(main=main),
        "rows": rows,
    }


def _converted(totals: Totals | None, rate: Decimal, main: str) -> ConvertedTotals | None:
    """Net and the tax of each rate group converted and rounded half-up (beleg.money);
    the total is their sum, so net + tax = total holds in the main currency too."""
    if totals is None:
        return None
    currency = Currency.of(main)
    net = round_to_currency(totals.net * rate, currency)
    tax = sum(
        (round_to_currency(group.tax * rate, currency) for group in totals.tax_groups), Decimal(0)
    )
    return ConvertedTotals(net=net, tax=tax, total=net + tax)


def _notes(data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]) -> list[str]:
    """Correction reference, reason, reverse-charge note and exemption reasons, in that order."""
    notes = data.notes
    out: list[str] = []
    if notes.correction is not None:
        ref = notes.correction
        title = TITLES[ref.kind][data.language][0]
        kind = title if data.language == "de" else title.lower()
        key = "cancellation_of" if data.kind is DocumentKind.CANCELLATION else "correction_of"
        out.append(texts[key].format(kind=kind, number=ref.number, date=fmt.date(ref.date)))
    if notes.reason:
        out.append(texts["reason"].format(reason=notes.reason))
    if notes.reverse_charge:
        out.append(texts["reverse_charge"])
    out.extend(notes.tax_exemptions)
    return out


def _payment(
    data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]
) -> dict[str, str] | None:
    """Payment terms and the EPC QR payload (EPC069-12) of the amount due, if any; for a
    customer paying by SEPA direct debit the pre-notification instead of the QR code."""
    terms = data.payment.terms or ""
    notice = _direct_debit_notice(data, fmt, texts)
    if notice:
        terms = f"{terms} {notice}".strip()
    payload = None
    if data.payment.epc_qr and data.kind in PAYABLE_KINDS and not notice:
        payload = _epc_payload(data)
    if not terms and payload is None:
        return None
    return {
        "heading": texts["payment"],
        "terms": terms,
        "remittance": f"{texts['remittance']}: {data.number}",
        "epc_payload": payload or "",
        "qr_caption": texts["qr_caption"] if payload else "",
    }


def _direct_debit_notice(data: DocumentLayoutInput, fmt: Formatter, texts: dict[str, str]) -> str:
    """The SEPA pre-notification (rulebook PT-03.07) of an invoice with an amount due: with
    our mandate its reference, our creditor identifier, the masked IBAN and the earliest date;
    through a payment provider (no mandate of ours) the provider's text (seed 002)."""
    debit, totals = data.payment.direct_debit, data.totals
    if debit is None or totals is None or data.kind not in PAYABLE_KINDS:
        return ""
    amount = totals.amount_due if totals.amount_due is not None else totals.total
    if amount <= 0:
        return ""
    money = fmt.money(amount)
    if debit.mandate_reference is None:
        return texts["sepa_notice_psp"].format(amount=money)
    iban = debit.iban or ""
    masked = format_iban(iban[:4] + "*" * max(len(iban) - 8, 0) + iban[-4:]) if iban else ""
    when = debit.not_before or data.date
    return texts["sepa_notice"].format(
        amount=money,
        date=fmt.date(when),
        iban=masked,
        reference=debit.mandate_reference,
        creditor=debit.creditor_id or "",
    )


def _epc_payload(data: DocumentLayoutInput) -> str | None:
    seller, totals = data.seller, data.totals
    if not seller.iban or totals is None:
        return None
    amount = totals.amount_due if totals.amount_due is not None else totals.total
    return epc_payload(
        name=seller.name,
        iban=seller.iban,
        amount=amount,
        remittance=data.number,
        bic=seller.bic,
        currency=data.currency,
    )


def _footer_columns(seller: Seller, texts: dict[str, str]) -> list[list[str]]:
    """Address; contact, VAT id, tax number and register; bank details. Empty ones dropped."""
    tax = [
        f"{texts[key]}: {value}"
        for key, value in (("vat_id", seller.vat_id), ("tax_number", seller.tax_number))
        if value
    ]
    bank = [seller.bank_name or ""] if seller.iban else []
    if seller.iban:
        bank.append(f"IBAN: {format_iban(seller.iban)}")
    if seller.iban and seller.bic:
        bank.append(f"BIC: {seller.bic}")
    columns = [
        [seller.name, *seller.address_lines],
        [*seller.contact_lines, *tax, *seller.register_lines],
        [line for line in bank if line],
    ]
    return [column for column in columns if column]
