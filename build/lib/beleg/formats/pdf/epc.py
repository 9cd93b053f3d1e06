"""EPC QR code ("GiroCode") for a SEPA credit transfer, as SVG.

The payload follows EPC069-12 "Quick Response Code: Guidelines to Enable Data Capture for the
Initiation of a SEPA Credit Transfer", version 002: twelve lines at most, separated by LF,

    BCD / 002 / 1 (UTF-8) / SCT / BIC (optional in version 002) / beneficiary name (<= 70) /
    IBAN / EUR<amount> / purpose code (empty) / structured reference (empty) /
    unstructured remittance text (<= 140)

with a total of at most 331 bytes, encoded in byte mode at error correction level M and QR
version 13 at most. Only euro amounts from 0.01 to 999999999.99 can be expressed; for anything
else there is no code (``None``), so the document is printed without one.
"""

from __future__ import annotations

import io
from decimal import Decimal

import segno

SERVICE_TAG = "BCD"
VERSION = "002"
CHARSET_UTF8 = "1"
IDENTIFICATION = "SCT"
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_PAYLOAD_BYTES = 331
MAX_QR_VERSION = 13
_CENT = Decimal("0.01")


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    remittance: str,
    bic: str | None = None,
    currency: str = "EUR",
) -> str | None:
    """The EPC069-12 v002 payload text, or ``None`` when no code can be printed.

    ``None`` when the currency is not EUR or the amount lies outside 0.01..999999999.99 (a
    credit note or a fully paid invoice has nothing to transfer). The amount must already be
    in cents: it is printed, never rounded. Over-long fields are a caller error (ValueError):
    name <= 70, IBAN 5..34, BIC 8 or 11, remittance text <= 140 characters.
    """
    if currency != "EUR" or not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        return None
    if amount != amount.quantize(_CENT):
        raise ValueError(f"EPC amount must be in whole cents, not {amount}")
    name, remittance = name.strip(), remittance.strip()
    iban = "".join(iban.split()).upper()
    bic = "".join((bic or "").split()).upper()
    _check_length("beneficiary name", name, 1, 70)
    _check_length("IBAN", iban, 5, 34)
    _check_length("remittance text", remittance, 0, 140)
    if bic and len(bic) not in (8, 11):
        raise ValueError(f"BIC must have 8 or 11 characters, not {bic!r}")
    lines = [
        SERVICE_TAG,
        VERSION,
        CHARSET_UTF8,
        IDENTIFICATION,
        bic,
        name,
        iban,
        f"EUR{amount.quantize(_CENT)}",
        "",
        "",
        remittance,
    ]
    while not lines[-1]:  # the last populated element ends the payload (no trailing LF)
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"EPC payload exceeds {MAX_PAYLOAD_BYTES} bytes")
    return payload


def epc_svg(payload: str) -> str:
    """The QR code of an EPC payload as a standalone SVG document (no size, a viewBox only).

    Byte mode, UTF-8, error correction level M without boosting (EPC069-12 §4.2), 4-module
    quiet zone. The printed size is set by the stylesheet.
    """
    qr = segno.make(payload.encode("utf-8"), error="m", mode="byte", boost_error=False, micro=False)
    if not isinstance(qr.version, int) or qr.version > MAX_QR_VERSION:  # int: micro=False
        raise ValueError(f"EPC QR code needs version {qr.version}; at most 13 is allowed")
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=4,
        svgclass="epc-qr",
        lineclass=None,
        title="EPC QR code",
    )
    return buffer.getvalue().decode("utf-8")


def _check_length(field: str, value: str, minimum: int, maximum: int) -> None:
    if not minimum <= len(value) <= maximum:
        raise ValueError(f"EPC {field} must have {minimum}..{maximum} characters: {value!r}")


def format_iban(iban: str) -> str:
    """An IBAN in groups of four for print: ``AT61 1904 3002 3457 3201``."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
