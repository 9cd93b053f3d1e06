"""Duplicate keys of imported transactions: the bank's reference (with the part of a split
batch), else a hash of the booking; equal keys within one file are numbered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from beleg.domain.banking.statements import numbered_keys
from beleg.formats.banking.lines import line_inputs
from beleg.formats.banking.model import Party, Transaction, booking_key

CARD = Transaction(
    booking_date=date(2026, 3, 2),
    value_date=date(2026, 3, 2),
    amount=Decimal("-4.20"),
    currency="EUR",
    counterparty=Party(name="Bäckerei"),
    remittance="KARTENZAHLUNG",
)


def test_the_reference_is_the_key_and_parts_are_told_apart() -> None:
    with_ref = replace(CARD, reference="REF1")
    part = replace(CARD, reference="REF1", part=2)
    assert booking_key("DE1", with_ref) == "REF1"
    assert booking_key("DE1", part) == "REF1/2"


def test_without_a_reference_the_key_is_a_stable_hash_of_the_booking() -> None:
    key = booking_key("DE1", CARD)
    assert key.startswith("sha256:") and len(key) == 47
    assert booking_key("DE1", CARD) == key
    assert booking_key("DE2", CARD) != key
    cheaper = replace(CARD, amount=Decimal("-4.10"))
    assert booking_key("DE1", cheaper) != key


def test_two_equal_bookings_in_one_file_are_two_lines() -> None:
    assert numbered_keys(["a", "b", "a", "a"]) == ["a", "b", "a#2", "a#3"]
    lines = line_inputs("DE1", "MT940", [CARD, CARD])
    first, second = (line.transaction_id for line in lines)
    assert second == f"{first}#2"
    assert lines[0].texts == {"partnerName": "Bäckerei", "reasonForTransfer": "KARTENZAHLUNG"}
    assert lines[0].details == {"format": "MT940"}


def test_a_reference_shared_within_a_file_is_no_key() -> None:
    """A bank that writes one reference on every booking (a placeholder) must not make the
    next day's bookings duplicates of today's: shared references fall back to the hash."""
    today = [replace(CARD, reference="SAME"), replace(CARD, reference="SAME", amount=Decimal("-1"))]
    tomorrow = [replace(t, booking_date=date(2026, 3, 3)) for t in today]
    keys_today = [line.transaction_id for line in line_inputs("DE1", "camt.053", today)]
    keys_tomorrow = [line.transaction_id for line in line_inputs("DE1", "camt.053", tomorrow)]
    assert all(key.startswith("sha256:") for key in keys_today + keys_tomorrow)
    assert not set(keys_today) & set(keys_tomorrow)
    assert keys_today == [line.transaction_id for line in line_inputs("DE1", "camt.053", today)]
    alone = line_inputs("DE1", "camt.053", [replace(CARD, reference="REF9")])
    assert [line.transaction_id for line in alone] == ["REF9"]
