"""MT940 import: every sample in shared/samples/mt940 with its transaction count and sum
(counted from the ``:61:`` lines and added by hand; where a file's balances agree, opening
plus the sum is its closing balance), German SEPA fields, returns and batch postings, and
fuzzed input refused only with StatementRefused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beleg.formats.banking import mt940
from beleg.formats.banking.detect import parse_statement_file
from beleg.formats.banking.model import MT940, StatementRefused
from tests.samples import sample

# file: (statements, transactions, signed sum)
EXPECTED = {
    "0708271685_09022020_164516.940.txt": (31, 8, Decimal("56.94")),
    "abnamro.txt": (2, 10, Decimal("-345.93")),
    "deutschebank.txt": (1, 1, Decimal("-12.35")),
    "mBank_mt940.sta": (1, 3, Decimal("0.03")),
    "rabobank.txt": (4, 5, Decimal("-1589.09")),
    "raiffeisen-cmi.sta": (1, 7, Decimal("-1012213.50")),
    "raiffeisen-kaernten.txt": (1, 1, Decimal("1.00")),
    "sepa_mt9401.sta": (26, 97, Decimal("-9269135.90")),
    "sparkasse.txt": (2, 2, Decimal("-40.00")),
    "volksbankenraiffeisenbanken.txt": (8, 12, Decimal("745.00")),
}
BALANCED = [
    "0708271685_09022020_164516.940.txt",
    "mBank_mt940.sta",
    "raiffeisen-kaernten.txt",
    "sepa_mt9401.sta",
    "sparkasse.txt",
    "volksbankenraiffeisenbanken.txt",
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_has_its_count_and_sum(name: str) -> None:
    parsed = parse_statement_file(sample("mt940", name))
    statements, count, total = EXPECTED[name]
    assert parsed.format == MT940
    assert (len(parsed.statements), parsed.transaction_count, parsed.total) == (
        statements,
        count,
        total,
    )


@pytest.mark.parametrize("name", BALANCED)
def test_opening_plus_transactions_is_closing(name: str) -> None:
    """Reversals (RC/RD) are signed by their effect: with them the German SEPA file's 26
    statements all balance."""
    for statement in mt940.parse(sample("mt940", name)).statements:
        moved = sum((t.amount for t in statement.transactions), Decimal(0))
        assert statement.opening_balance is not None
        assert statement.opening_balance + moved == statement.closing_balance


def test_german_accounts_become_ibans() -> None:
    assert mt940.parse(sample("mt940", "sparkasse.txt")).statements[0].account == (
        "DE95870520000123456789"
    )
    assert mt940.parse(sample("mt940", "raiffeisen-kaernten.txt")).statements[0].account == (
        "AT323936412345678912"
    )
    assert mt940.iban_of("NL81ASNB9999999999") == "NL81ASNB9999999999"  # not a valid IBAN


def test_the_deutsche_bank_return_keeps_its_sepa_fields() -> None:
    (t,) = mt940.parse(sample("mt940", "deutschebank.txt")).statements[0].transactions
    assert t.amount == Decimal("-12.35")
    assert (t.booking_date, t.value_date) == (date(2020, 6, 8), date(2020, 6, 8))
    assert t.counterparty.name == "TESTEREL"
    assert t.counterparty.iban == "DE50712345600200691329"
    assert t.counterparty.bic == "CSDBDE71XXX"
    assert t.end_to_end_id == "A1.200080779.400143254.4961336"
    assert t.mandate_id == "20852HW2723821"
    assert t.creditor_id == "DE41EON00000129793"
    assert t.code.gvc == "109"
    assert t.code.text == "SEPA-LASTSCHR. RETOURE CORE"
    assert t.reference == "2016021783252833"


def test_sepa_returns_and_batch_postings() -> None:
    transactions = [
        t
        for s in mt940.parse(sample("mt940", "sepa_mt9401.sta")).statements
        for t in s.transactions
    ]
    returns = [t for t in transactions if t.code.gvc == "159"]
    assert len(returns) == 17  # the 17 RETOURE postings
    assert sorted({t.return_reason for t in returns if t.return_reason}) == ["901", "903", "914"]
    assert sum(1 for t in transactions if t.from_batch) == 5  # the 5 SAMMLER postings


def test_a_card_payment_is_no_return() -> None:
    first = mt940.parse(sample("mt940", "sparkasse.txt")).statements[0].transactions[0]
    assert first.return_reason is None
    assert first.code.proprietary == "N037+106"
    assert first.remittance == "2019-02-15T20.10 Debitk.4 2019-12"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b":20:X\n:25:DE1/2\n:28C:1\n:60F:C200101EUR1,00\n:61:bad\n:62F:C200101EUR1,00\n", 5),
        (b"\n\n:20:X\n:25:A\n:60F:C201301EUR1,00\n:62F:C200101EUR1,00\n", 5),
    ],
)
def test_a_bad_tag_is_refused_naming_its_line(data: bytes, where: int) -> None:
    with pytest.raises(StatementRefused) as refused:
        parse_statement_file(data)
    assert refused.value.where == f"line {where}"
    assert refused.value.rule


def test_an_amount_beleg_cannot_store_is_refused_naming_the_statement() -> None:
    data = sample("mt940", "sparkasse.txt").replace(b"DR20,00N037", b"DR20000000000,00N037")
    with pytest.raises(StatementRefused) as refused:
        mt940.parse(data)
    assert refused.value.where == "line 1"
    assert refused.value.rule == ":61: amount out of range: -20000000000.00"


def test_text_that_is_no_statement_is_refused() -> None:
    with pytest.raises(StatementRefused) as refused:
        parse_statement_file(b"hello\nworld\n")
    assert (refused.value.where, refused.value.rule) == ("line 1", "neither camt.053 XML nor MT940")


SAMPLES = sorted(EXPECTED)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(SAMPLES),
    cut=st.floats(min_value=0, max_value=1),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from([b":", b"\n", b"C", b"D", b",", b"9", b"?"])),
        max_size=5,
    ),
    noise=st.binary(max_size=6),
)
def test_truncated_or_mutated_files_are_refused_or_read(
    name: str, cut: float, edits: list[tuple[float, bytes]], noise: bytes
) -> None:
    data = bytearray(sample("mt940", name))
    data = data[: max(1, int(len(data) * (1 - cut / 2)))] if cut > 0.5 else data
    for at, chunk in [*edits, (0.5, noise)]:
        i = int(at * (len(data) - 1))
        data[i : i + len(chunk)] = chunk
    try:
        parsed = parse_statement_file(bytes(data))
    except StatementRefused as refused:
        assert refused.where.startswith(("line ", "/"))
        assert refused.rule
        return
    for statement in parsed.statements:
        assert all(len(t.currency) == 3 for t in statement.transactions)
