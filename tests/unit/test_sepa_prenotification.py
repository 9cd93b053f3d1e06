"""The SEPA pre-notification on invoices (formats/pdf/layout, rulebook PT-03.07): amount,
earliest date, masked IBAN, mandate reference and creditor identifier with our own mandate;
the payment provider's own text without one (seed 002); no transfer QR code in either case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from beleg.formats.pdf.layout import build_layout
from beleg.formats.pdf.model import DirectDebitNotice, DocumentKind, Payment
from tests.unit.test_pdf_layout import NBSP, invoice_input

OURS = DirectDebitNotice("M-2026/1", "DE98ZZZ09999999999", "DE02120300000000202051", None)


def test_our_mandate_is_announced_with_its_reference_and_creditor_id() -> None:
    data = invoice_input()
    notice = replace(OURS, not_before=date(2026, 12, 5))
    vm = build_layout(replace(data, payment=Payment(epc_qr=True, direct_debit=notice)))
    assert vm["payment"]["terms"] == (
        f"Den Rechnungsbetrag von 1.153,85{NBSP}€ ziehen wir frühestens am 05.12.2026 per "
        "SEPA-Lastschrift von Ihrem Konto DE02 **** **** **** **20 51 ein (Mandatsreferenz "
        "M-2026/1, Gläubiger-ID DE98ZZZ09999999999). Bitte sorgen Sie für ausreichende Deckung."
    )
    assert vm["payment"]["epc_payload"] == ""


def test_without_our_mandate_the_provider_text_is_printed_in_english_too() -> None:
    data = replace(invoice_input(), language="en")
    psp = DirectDebitNotice(None, None, None, None)
    vm = build_layout(replace(data, payment=Payment(terms="Due now.", direct_debit=psp)))
    assert vm["payment"]["terms"] == (
        "Due now. The invoice amount of €1,153.85 will be collected by direct debit by our "
        "payment service provider, who will tell you the date of the collection."
    )


def test_a_credit_note_gets_no_pre_notification() -> None:
    data = replace(invoice_input(), kind=DocumentKind.CREDIT_MEMO)
    vm = build_layout(replace(data, payment=Payment(direct_debit=OURS)))
    assert vm["payment"] is None
