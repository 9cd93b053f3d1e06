"""camt.053 import: every sample in shared/samples/camt053 with its transaction count and sum
(worked out from the files with XPath and by hand: entries, their TxDtls and amounts), batch
bookings split, and fuzzed input refused only with StatementRefused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beleg.formats.banking import camt053
from beleg.formats.banking.detect import parse_statement_file
from beleg.formats.banking.model import CAMT053, StatementRefused
from tests.samples import sample

# file: (statements, transactions, signed sum). FI: 10 entries, two batches split (3 and 2
# details) = 13; valid_example: 4 entries, the 6.00 batch split into 3.50 + 2.50 = 5;
# valid_example_v4: 13 entries, batches of 10, 8, 3 and 2 split = 32.
EXPECTED = {
    "FI_camt_053_sample.xml.xml": (1, 13, Decimal("13644.83")),
    "camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml": (
        1,
        5,
        Decimal("4656.02"),
    ),
    "camt053.v2.five.decimals.xml": (1, 1, Decimal("8.850")),
    "camt053.v2.multi.statement.xml": (2, 2, Decimal("1.85")),
    "valid_example.xml": (1, 5, Decimal("-10.00")),
    "valid_example_stuzza.xml": (1, 3, Decimal("400.00")),
    "valid_example_v4.xml": (1, 32, Decimal("537.61")),
    "valid_example_v8.xml": (1, 3, Decimal("542.28")),
    "valid_example_with_batch.xml": (1, 3, Decimal("2934.26")),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_has_its_count_and_sum(name: str) -> None:
    parsed = parse_statement_file(sample("camt053", name))
    statements, count, total = EXPECTED[name]
    assert parsed.format == CAMT053
    assert len(parsed.statements) == statements
    assert parsed.transaction_count == count
    assert parsed.total == total
    assert str(parsed.total) == str(total)  # the file's scale is kept


def test_the_camt052_report_is_refused_as_not_a_statement() -> None:
    with pytest.raises(StatementRefused) as refused:
        camt053.parse(sample("camt053", "test-camt-ruecklastschrift.xml"))
    assert refused.value.where == "/Document"
    assert "camt.052.001.02" in refused.value.rule


def test_a_batch_is_split_into_its_transactions_with_their_details() -> None:
    statement = camt053.parse(sample("camt053", "valid_example.xml")).statements[0]
    batch = [t for t in statement.transactions if t.from_batch]
    assert [t.amount for t in batch] == [Decimal("-3.50"), Decimal("-2.50")]
    assert [t.part for t in batch] == [1, 2]
    assert all(t.booking_date == date(2013, 12, 27) for t in batch)
    assert statement.opening_balance == Decimal("33.06")
    assert statement.closing_balance == Decimal("23.06")
    assert statement.account == "DE14740618130000033626"


def test_v4_returns_carry_their_reason_and_v4_batches_add_up() -> None:
    statement = camt053.parse(sample("camt053", "valid_example_v4.xml")).statements[0]
    returned = [
        (t.amount, t.return_reason, t.reversal) for t in statement.transactions if t.return_reason
    ]
    assert returned == [
        (Decimal("20.00"), "NARR", False),
        (Decimal("40.00"), "NARR", False),
        (Decimal("50.00"), "NARR", False),
        (Decimal("-6.00"), "MD06", True),
        (Decimal("-15.53"), "MD06", True),
    ]
    split = [t for t in statement.transactions if t.part]
    assert len(split) == 23  # 10 + 8 + 3 + 2
    assert sum((t.amount for t in split), Decimal(0)) == Decimal("1754.00")


def test_v8_reads_structured_reference_and_party_under_pty() -> None:
    statement = camt053.parse(sample("camt053", "valid_example_v8.xml")).statements[0]
    first, second, third = statement.transactions
    assert (first.amount, first.currency, first.remittance) == (
        Decimal("474.4"),
        "CHF",
        "INVOICE R77561",
    )
    assert (first.code.domain, first.code.family, first.code.subfamily) == (
        "PMNT",
        "RCDT",
        "AUTT",
    )
    assert second.structured_reference == "RF38000000000000000000552"
    assert second.counterparty.name == "Finanz AG"
    assert third.counterparty.iban == "CH2222222222222222222"
    assert third.reference == "0123171DN6095310"
    assert statement.opening_balance == Decimal("82721.95")


def test_german_sample_carries_mandate_and_codes() -> None:
    statement = camt053.parse(sample("camt053", "valid_example.xml")).statements[0]
    debit = statement.transactions[0]
    assert debit.amount == Decimal("-2.00")
    assert debit.code.proprietary == "NTRF+020"
    assert (debit.mandate_id, debit.end_to_end_id, debit.reference) == (
        "MandateReference",
        "EndToEndReference",
        "BankReference",
    )
    assert debit.counterparty.iban == "DE09300606010012345671"
    assert debit.counterparty.bic == "DAAEDEDDXXX"


def test_the_austrian_namespace_reads_like_iso() -> None:
    statement = camt053.parse(sample("camt053", "valid_example_stuzza.xml")).statements[0]
    assert statement.account == "AT021200000703447144"
    assert [t.amount for t in statement.transactions] == [
        Decimal("50.00"),
        Decimal("100.00"),
        Decimal("250.00"),
    ]


@pytest.mark.parametrize(
    ("data", "where", "rule"),
    [
        (b"<Document", "line 1", "not well-formed XML"),
        (b"<Foo/>", "/", "the root element is not Document"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><X/></Document>',
            "/Document",
            "not a camt.053 statement (X)",
        ),
    ],
)
def test_malformed_files_are_refused_naming_where(data: bytes, where: str, rule: str) -> None:
    with pytest.raises(StatementRefused) as refused:
        camt053.parse(data)
    assert refused.value.where == where
    assert refused.value.rule.startswith(rule)


def test_a_bad_amount_names_its_element_path() -> None:
    data = sample("camt053", "valid_example.xml").replace(
        b'<Amt Ccy="EUR">3.00</Amt>', b'<Amt Ccy="EUR">3,00</Amt>', 1
    )
    with pytest.raises(StatementRefused) as refused:
        camt053.parse(data)
    assert refused.value.where == "/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt"
    assert refused.value.rule == "not an amount: '3,00'"
    assert refused.value.code == "banking.statement_file_invalid"


@pytest.mark.parametrize("text", ["3.00001", "10000000000.00"])
def test_an_amount_beleg_cannot_store_exactly_is_refused(text: str) -> None:
    data = sample("camt053", "valid_example.xml").replace(
        b'<Amt Ccy="EUR">3.00</Amt>', f'<Amt Ccy="EUR">{text}</Amt>'.encode(), 1
    )
    with pytest.raises(StatementRefused) as refused:
        camt053.parse(data)
    assert refused.value.where == "/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt"
    assert refused.value.rule == f"amount out of range: {text}"


def test_a_doctype_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document>&x;</Document>'
    with pytest.raises(StatementRefused) as refused:
        camt053.parse(data)
    assert refused.value.rule == "a DOCTYPE is not allowed"


SAMPLES = sorted(EXPECTED)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(SAMPLES),
    cut=st.floats(min_value=0, max_value=1),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=8)), max_size=4),
)
def test_truncated_or_mutated_files_are_refused_or_read(
    name: str, cut: float, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray(sample("camt053", name))
    data = data[: max(1, int(len(data) * (1 - cut / 2)))] if cut > 0.5 else data
    for at, chunk in edits:
        i = int(at * (len(data) - 1))
        data[i : i + len(chunk)] = chunk
    try:
        parsed = parse_statement_file(bytes(data))
    except StatementRefused as refused:
        assert refused.where
        assert refused.rule
        return
    assert parsed.transaction_count >= 0


def test_an_entry_reference_that_is_the_placeholder_is_no_reference() -> None:
    """ISO 20022's NOTPROVIDED means "no reference", at the entry as in the details."""
    data = sample("camt053", "valid_example.xml").replace(
        b"<AcctSvcrRef>2013122711085260000</AcctSvcrRef>",
        b"<AcctSvcrRef>NOTPROVIDED</AcctSvcrRef>",
    )
    references = [t.reference for s in camt053.parse(data).statements for t in s.transactions]
    assert "NOTPROVIDED" not in references
    assert references.count(None) == 1
