"""Journals as a ledger-cli file: one transaction per journal, amounts exactly as stored."""

import io
from datetime import date
from decimal import Decimal

from beleg.formats.ledger_cli import LedgerTransaction, write_ledger


def test_transactions_in_ledger_format() -> None:
    out = io.StringIO()
    written = write_ledger(
        out,
        [
            LedgerTransaction(
                date(2026, 1, 5),
                "E2026 1",
                "AR2026 1\n  Müller",
                [
                    ("2000", Decimal("16.80")),
                    ("4000", Decimal("-14.00")),
                    ("3500", Decimal("-2.80")),
                ],
            ),
            LedgerTransaction(
                date(2026, 12, 31),
                "U2026 7",
                "",
                [("2800", Decimal("0.0100")), ("2000", Decimal("-0.0100"))],
            ),
        ],
        "EUR",
    )
    assert written == 5
    assert out.getvalue() == (
        "2026/01/05 (E2026 1) AR2026 1 Müller\n"
        "    2000  EUR 16.80\n"
        "    4000  EUR -14.00\n"
        "    3500  EUR -2.80\n"
        "\n"
        "2026/12/31 (U2026 7) -\n"
        "    2800  EUR 0.0100\n"
        "    2000  EUR -0.0100\n"
        "\n"
    )
