"""Bank statement rules without a database: file names, duplicates by transaction id and the
validation of a line (seed 003 §3.8, §3.10, §7 item 36), and whether a statement adds up."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.banking.statements import (
    LineInput,
    StatementHeader,
    balance_mismatch,
    sanitize_file_name,
    statement_line,
    without_duplicates,
)
from beleg.domain.errors import ValidationFailed
from beleg.money import Currency

DAY = date(2020, 10, 31)
EUR = Currency.of("EUR")
HEADER = StatementHeader(uuid.uuid4(), uuid.uuid4(), "API", DAY, datetime(2020, 10, 31, tzinfo=UTC))


def line(amount: str = "10", transaction_id: str | None = None, **texts: str) -> LineInput:
    return LineInput(DAY, DAY, Decimal(amount), transaction_id=transaction_id, texts=texts)


def test_file_names_lose_special_characters_and_whitespace() -> None:
    assert sanitize_file_name("  Auszug  März/2020 (1).csv ") == "Auszug_März2020_1.csv"
    with pytest.raises(ValidationFailed, match="fileName is empty") as refused:
        sanitize_file_name("/()")
    assert refused.value.field == "fileName"


def test_duplicates_are_skipped_by_transaction_id_stored_or_repeated() -> None:
    lines = [
        line(transaction_id="a"),
        line(),
        line(transaction_id="b"),
        line(),
        line(transaction_id="b"),
    ]
    split = without_duplicates(lines, {"a"})
    assert [index for index, _ in split.added] == [1, 2, 3]  # lines without an id always count
    assert split.duplicate_ids == ("a", "b") and split.duplicates == 2
    again = without_duplicates([line(transaction_id="a"), line(transaction_id="a")], {"a"})
    assert again.added == () and again.duplicate_ids == ("a",) and again.duplicates == 2


def test_a_line_is_checked_and_keeps_only_the_seed_text_fields() -> None:
    stored = statement_line(HEADER, line("-20.5", "t", note="n", colour="red"), main=EUR, index=0)
    assert (stored.line_no, stored.amount, stored.remaining_amount) == (
        0,
        Decimal("-20.5"),
        Decimal("-20.5"),
    )
    assert stored.currency == EUR and stored.texts == {"note": "n"}
    assert stored.statement_id == HEADER.id and stored.bank_account_id == HEADER.bank_account_id
    with pytest.raises(ValidationFailed) as refused:
        statement_line(HEADER, line("1.23456"), main=EUR, index=2)
    assert refused.value.field == "bankStatementLines[2].amount"
    foreign = LineInput(DAY, DAY, Decimal(1), currency="XXY")
    with pytest.raises(ValidationFailed, match="'XXY' is not an ISO 4217 code") as unknown:
        statement_line(HEADER, foreign, main=EUR, index=1)
    assert unknown.value.field == "bankStatementLines[1].currencyCode"


_cents = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@given(opening=_cents, amounts=st.lists(_cents, max_size=20), off=_cents)
def test_a_statement_adds_up_exactly_or_its_mismatch_is_the_missing_amount(
    opening: Decimal, amounts: list[Decimal], off: Decimal
) -> None:
    closing = opening + sum(amounts, Decimal(0)) + off
    found = balance_mismatch("S1", opening, amounts, closing)
    if off == 0:
        assert found is None
    else:
        assert found is not None and found.difference == off
    assert balance_mismatch("S1", None, amounts, closing) is None  # no balances given
