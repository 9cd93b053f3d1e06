"""pain.008.001.08 files (formats/sepa) and the collection-date and file-split rules of SEPA
direct debit (domain/banking/collection): XSD-valid files with exact NbOfTxs and CtrlSum,
800 transactions per file, TARGET2 closing days skipped."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from beleg.domain.banking.collection import (
    FILE_ITEMS,
    add_target2_days,
    collection_date,
    is_target2_day,
    split_files,
)
from beleg.formats.sepa import pain001, pain008

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
CREDITOR = pain008.Creditor("Muster GmbH", "DE89370400440532013000", None, "DE98ZZZ09999999999")


def _debit(n: int, amount: str = "10.01") -> pain008.Debit:
    return pain008.Debit(
        end_to_end_id=f"R 2026 {n}",
        amount=Decimal(amount),
        debtor_name="Kundin Müller",
        iban="DE02120300000000202051",
        bic=None,
        mandate_reference="M-2026/1",
        mandate_signed_on=date(2026, 1, 15),
        remittance=f"R 2026 {n}",
    )


def _file(debits: tuple[pain008.Debit, ...], sequence: str = "FRST") -> pain008.DebitFile:
    return pain008.DebitFile(
        message_id="B1-1",
        created_at=datetime(2026, 12, 4, 9, 30),
        creditor=CREDITOR,
        collection_date=date(2026, 12, 28),
        sequence_type=sequence,
        instrument="CORE",
        debits=debits,
    )


def _text(xml: bytes, path: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(xml).iterfind(path, NS)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),
        (date(2026, 12, 26), False),
        (date(2027, 1, 1), False),
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 1), False),
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 7), True),
    ],
)
def test_target2_closing_days(day: date, expected: bool) -> None:
    assert is_target2_day(day) is expected


def test_collection_dates_keep_the_lead_time_and_skip_closing_days() -> None:
    # D-1: Thursday 24 December, the next TARGET2 day is Monday 28 December.
    assert add_target2_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert collection_date(today=date(2026, 12, 24), requested=None) == date(2026, 12, 28)
    assert collection_date(today=date(2026, 12, 1), requested=date(2027, 1, 1)) == date(2027, 1, 4)
    # Good Friday 2027 (26 March) and Easter Monday (29 March) are closed.
    assert collection_date(today=date(2027, 3, 1), requested=date(2027, 3, 26)) == date(2027, 3, 30)
    # A due date later than the request wins; a requested date in the past does not.
    assert collection_date(
        today=date(2026, 12, 1), requested=date(2026, 12, 2), due=date(2026, 12, 15)
    ) == date(2026, 12, 2)
    assert collection_date(today=date(2026, 12, 1), requested=None, due=date(2026, 11, 1)) == (
        date(2026, 12, 2)
    )


def test_split_is_per_key_and_at_most_800() -> None:
    items = [("RCUR", n) for n in range(801)] + [("FRST", n) for n in range(3)]
    parts = split_files(items, key=lambda i: i[0])
    assert [(k, len(m)) for k, m in parts] == [("FRST", 3), ("RCUR", 800), ("RCUR", 1)]
    assert FILE_ITEMS == 800
    assert parts[2][1] == [("RCUR", 800)]


def test_a_file_is_xsd_valid_with_exact_counts_and_control_sum() -> None:
    debits = (_debit(1, "29.90"), _debit(2, "0.01"), _debit(3, "1234.56"))
    xml = pain008.render(_file(debits))
    pain008.validate(xml)
    assert _text(xml, ".//p:GrpHdr/p:NbOfTxs") == ["3"]
    assert _text(xml, ".//p:GrpHdr/p:CtrlSum") == ["1264.47"]
    assert _text(xml, ".//p:PmtInf/p:CtrlSum") == ["1264.47"]
    assert _text(xml, ".//p:GrpHdr/p:MsgId") == ["B1-1"]
    assert _text(xml, ".//p:GrpHdr/p:CreDtTm") == ["2026-12-04T09:30:00"]
    assert _text(xml, ".//p:SeqTp") == ["FRST"]
    assert _text(xml, ".//p:ReqdColltnDt") == ["2026-12-28"]
    assert _text(xml, ".//p:CdtrSchmeId//p:Othr/p:Id") == ["DE98ZZZ09999999999"]
    assert _text(xml, ".//p:EndToEndId") == ["R 2026 1", "R 2026 2", "R 2026 3"]
    assert _text(xml, ".//p:MndtId") == ["M-2026/1"] * 3
    assert _text(xml, ".//p:InstdAmt") == ["29.90", "0.01", "1234.56"]


def test_800_transactions_sum_exactly() -> None:
    debits = tuple(_debit(n, "0.10") for n in range(800))
    xml = pain008.render(_file(debits, "RCUR"))
    assert _text(xml, ".//p:GrpHdr/p:NbOfTxs") == ["800"]
    assert _text(xml, ".//p:GrpHdr/p:CtrlSum") == ["80.00"]


def test_a_tampered_file_fails_the_xsd() -> None:
    xml = pain008.render(_file((_debit(1),)))
    with pytest.raises(pain008.InvalidSepaFile):
        pain008.validate(xml.replace(b"<SeqTp>FRST</SeqTp>", b"<SeqTp>NEXT</SeqTp>"))


def test_amounts_must_be_positive_cents() -> None:
    with pytest.raises(ValueError):
        pain008.render(_file((_debit(1, "0.001"),)))
    with pytest.raises(ValueError):
        pain008.render(_file((_debit(1, "0.00"),)))


def test_a_refund_file_is_xsd_valid_pain_001_001_09() -> None:
    refunds = tuple(
        pain001.Transfer(
            f"G 2026 {n}",
            Decimal(a),
            "Kundin Müller",
            "DE02120300000000202051",
            None,
            f"G 2026 {n}",
        )
        for n, a in ((1, "19.99"), (2, "0.01"))
    )
    xml = pain001.render(
        pain001.TransferFile(
            message_id="P1-1",
            created_at=datetime(2026, 12, 4, 9, 30),
            debtor=pain001.Debtor("Muster GmbH", "DE89370400440532013000", "COBADEFFXXX"),
            execution_date=date(2026, 12, 7),
            transfers=refunds,
        )
    )
    pain001.validate(xml)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    root = etree.fromstring(xml)
    assert [e.text for e in root.iterfind(".//p:GrpHdr/p:NbOfTxs", ns)] == ["2"]
    assert [e.text for e in root.iterfind(".//p:GrpHdr/p:CtrlSum", ns)] == ["20.00"]
    assert [e.text for e in root.iterfind(".//p:EndToEndId", ns)] == ["G 2026 1", "G 2026 2"]
    with pytest.raises(pain001.InvalidSepaFile):
        pain001.validate(xml.replace(b"<CtrlSum>20.00</CtrlSum>", b"<CtrlSum>x</CtrlSum>", 1))
