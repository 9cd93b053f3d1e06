"""A cash receipt for print: the view model of the PDF (seed 003 §4.19.9) and the segments of a
Star receipt printer (``StarPrintReceipt``, §4.19.10).

What a receipt must show (§ 132a Abs. 3 BAO, RKSV § 9): the seller, a consecutive number, the
date and time, quantity and kind of what was sold, the amount, and the machine-readable code
(printed as a QR code). The register's layout (CashRegisterLayoutDto) decides the subject,
header, texts around the lines, footer and whether lines show net (N) or total (T) amounts.
Amounts are formatted for Austria (``1.234,56``); nothing is rounded here.

``receipt_dto`` shapes a stored receipt as seed 003 ReceiptDto: the API answers it and the
print starts from it (``printed``), so the PDF the worker mails (ADR 0025) and the one
``GET …/receipts/{receipt}/document`` answers are the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from beleg import messages

LOCALE = "de_AT"
LANGUAGE = "de"  # what the receipt's labels are printed in (Austrian receipts)
PAPER = {"SMALL_BON": "TWO_INCH", "APP_SMALL_BON": "TWO_INCH"}
STAR_WIDTH = {"TWO_INCH": 32, "THREE_INCH": 48}
LINE_AMOUNTS = ("itemPrice", "netPrice", "taxPrice", "totalPrice", "discount", "amount")


@dataclass(frozen=True, slots=True)
class ReceiptPrintInput:
    seller_name: str
    seller_lines: tuple[str, ...]
    seller_vat_id: str | None
    register: int
    receipt: Mapping[str, Any]  # ReceiptDto with Decimal amounts
    tax_rates: Sequence[Decimal]  # per line, in line order
    layout: Mapping[str, Any]


class PrintSource(Protocol):
    """A stored receipt with what its print needs (``db/pos/printing.py``)."""

    @property
    def register(self) -> int: ...
    @property
    def layout(self) -> Mapping[str, Any]: ...
    @property
    def row(self) -> Any: ...
    @property
    def seller_name(self) -> str: ...
    @property
    def seller_lines(self) -> tuple[str, ...]: ...
    @property
    def seller_vat_id(self) -> str | None: ...
    @property
    def zone(self) -> ZoneInfo: ...


def receipt_dto(row: Any, zone: ZoneInfo) -> dict[str, Any]:
    """A stored receipt (a ``cash_receipts`` row) as seed 003 ReceiptDto, with Decimal amounts
    and its times in the tenant's ``zone``; ``customerMailSent`` is the mails' to add."""
    party = dict(row.party)
    lines = [
        {k: Decimal(v) if k in LINE_AMOUNTS else v for k, v in line.items() if k != "taxRate"}
        for line in row.lines
    ]
    out: dict[str, Any] = {
        "id": row.number,
        "type": row.receipt_type,
        "dateTime": row.date_time,
        "creationDateTime": row.created_at.astimezone(zone).replace(tzinfo=None),
        **{
            k: party[k]
            for k in (
                "customer",
                "customerName",
                "customerMail",
                "additionalAddress",
                "referenceDate",
                "referenceText",
            )
            if k in party
        },
        "totalAmount": row.total,
        "cancelReceipt": row.cancelled_by,
        "originalReceipt": row.cancels,
        "toAccount": row.to_account,
        "fromAccount": row.from_account,
        "description": row.description,
        "qrCode": row.qr_code,
        "lines": lines,
    }
    if row.receipt_type == "INCOME":
        out["addressInfo"] = party.get("addressInfo", {})
    if party.get("textAfterLines"):
        out["textAfterLines"] = party["textAfterLines"]
    return {k: v for k, v in out.items() if v is not None}


def printed(source: PrintSource) -> dict[str, Any]:
    """The view model of a stored receipt (``receipt_view``)."""
    rates = [Decimal(line.get("taxRate", "0")) for line in source.row.lines]
    return receipt_view(
        ReceiptPrintInput(
            source.seller_name,
            source.seller_lines,
            source.seller_vat_id,
            source.register,
            receipt_dto(source.row, source.zone),
            rates,
            source.layout,
        )
    )


def money(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.00", locale=LOCALE)


def receipt_view(data: ReceiptPrintInput) -> dict[str, Any]:
    """Everything the receipt prints, as text."""
    receipt, layout = data.receipt, data.layout
    show_net = layout.get("amountType") == "N"
    lines = [
        {
            "name": _line_name(line),
            "quantity": format_decimal(line["amount"], locale=LOCALE),
            "amount": money(line["netPrice"] if show_net else line["totalPrice"]),
        }
        for line in receipt.get("lines", [])
    ]
    taxes: dict[Decimal, list[Decimal]] = {}
    for line, rate in zip(receipt.get("lines", []), data.tax_rates, strict=True):
        net_tax = taxes.setdefault(rate, [Decimal(0), Decimal(0)])
        net_tax[0] += line["netPrice"]
        net_tax[1] += line["taxPrice"]
    subject = (
        layout.get("cancelDisplaySubject")
        if receipt.get("originalReceipt")
        else layout.get("displaySubject")
    )
    return {
        "seller": [data.seller_name, *data.seller_lines],
        "vat_id": data.seller_vat_id,
        "subject": subject or messages.text("pos.layout_subject", LANGUAGE),
        "header": layout.get("header"),
        "pre_lines": layout.get("preLinesText"),
        "post_lines": layout.get("postLinesText"),
        "footer": layout.get("footer"),
        "number": receipt["id"],
        "register": data.register,
        "date_time": receipt["dateTime"].strftime("%d.%m.%Y %H:%M:%S"),
        "customer": receipt.get("customerName"),
        "reference": receipt.get("referenceText"),
        "original": receipt.get("originalReceipt"),
        "lines": lines,
        "taxes": [
            {"rate": format_decimal(rate, locale=LOCALE), "net": money(v[0]), "tax": money(v[1])}
            for rate, v in sorted(taxes.items())
            if v[1] or rate
        ],
        "total": money(receipt["totalAmount"]),
        "text_after": receipt.get("textAfterLines"),
        "qr": receipt.get("qrCode"),
        "paper": layout.get("layoutPrintType", "STANDARD_BON"),
    }


def _line_name(line: Mapping[str, Any]) -> str:
    return line.get("itemName") or line.get("itemNumber") or line.get("account", "")


def star_receipt(view: Mapping[str, Any], width: int | None) -> dict[str, Any]:
    """Seed StarPrintReceipt: printer config and text/QR segments, ``width`` characters wide
    for the fixed-size parts (default by paper size)."""
    paper = PAPER.get(view["paper"], "THREE_INCH")
    columns = width if width and width > 10 else STAR_WIDTH[paper]
    bon: list[dict[str, Any]] = []
    for text in (*view["seller"], view["header"]):
        if text:
            bon.append(_text(text, "Center"))
    bon.append(_text(f"{view['subject']} {view['number']}", "Center"))
    stamp = messages.text(
        "pos.print_register", LANGUAGE, date_time=view["date_time"], register=view["register"]
    )
    bon.append(_text(stamp, "Left"))
    for text in (view["customer"], view["pre_lines"]):
        if text:
            bon.append(_text(text, "Left"))
    bon.append(_text("-" * columns, "Left"))
    for line in view["lines"]:
        bon.append(
            _text(_columns(f"{line['quantity']} x {line['name']}", line["amount"], columns), "Left")
        )
    bon.append(_text("-" * columns, "Left"))
    bon.append(
        _text(_columns(messages.text("pos.print_total", LANGUAGE), view["total"], columns), "Left")
    )
    for tax in view["taxes"]:
        label = messages.text("pos.print_tax", LANGUAGE, rate=tax["rate"], net=tax["net"])
        bon.append(_text(_columns(label, tax["tax"], columns), "Left"))
    for text in (view["post_lines"], view["text_after"], view["footer"]):
        if text:
            bon.append(_text(text, "Center"))
    if view["qr"]:
        bon.append({"type": "qr", "alignment": "Center", "data": view["qr"]})
    return {
        "printerConfig": {"printPaperSize": paper, "encoding": "UTF-8", "language": "German"},
        "bon": bon,
    }


def _text(data: str, alignment: str) -> dict[str, Any]:
    return {"type": "text", "alignment": alignment, "data": data}


def _columns(left: str, right: str, width: int) -> str:
    room = max(width - len(right) - 1, 1)
    return f"{left[:room]:<{room}} {right}"
