"""Cash register rules (RKSV) and the RKSV signature format."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.pos.registers import (
    ClosingPlan,
    ClosingState,
    LastClosing,
    ReceiptType,
    RegisterState,
    check_cancellable,
    check_period_closing,
    check_receipt_time,
    check_transition,
    new_balance,
    parse_receipt_type,
    plan_for_receipt,
    receipt_number,
    turnover_buckets,
)
from beleg.formats import rksv

D = Decimal
FINAL = ClosingState.FINALIZED


def closing(
    day: date, state: ClosingState = FINAL, monthly: bool = False, yearly: bool = False
) -> LastClosing:
    return LastClosing(day, state, monthly, yearly)


def test_receipt_numbers_and_series() -> None:
    assert receipt_number(ReceiptType.INCOME, 2022, 75) == "2022.0075"
    assert receipt_number(ReceiptType.REBOOK, 2017, 1) == "U2017.0001"
    assert receipt_number(ReceiptType.MONTHLY, 2026, 12345) == "2026.12345"
    assert not ReceiptType.REBOOK.signed and ReceiptType.FINAL.signed
    assert parse_receipt_type("REBOOK") is ReceiptType.REBOOK
    for value in ("INITIAL", "MONTHLY", None, "income"):
        with pytest.raises(ValidationFailed, match="type"):
            parse_receipt_type(value)


def test_turnover_buckets_by_rate() -> None:
    assert turnover_buckets(
        [
            (0, D(20), D("120.00")),
            (1, D("10.00"), D("11.00")),
            (2, D(13), D("11.30")),
            (3, D(0), D("5.00")),
            (4, D(19), D("1.19")),
            (5, D(20), D("-20.00")),
        ]
    ) == (D("100.00"), D("11.00"), D("11.30"), D("5.00"), D("1.19"))
    with pytest.raises(ValidationFailed, match=r"lines\[0\].taxClassEntry"):
        turnover_buckets([(0, D(7), D("10.70"))])


@given(
    st.lists(
        st.tuples(
            st.sampled_from([D(20), D(10), D(13), D(0), D(19)]),
            st.decimals(min_value=-(10**6), max_value=10**6, places=2),
        )
    )
)
def test_buckets_keep_every_cent(lines: list[tuple[Decimal, Decimal]]) -> None:
    buckets = turnover_buckets((i, rate, total) for i, (rate, total) in enumerate(lines))
    assert sum(buckets, D(0)) == sum((total for _, total in lines), D(0))


def test_balance_never_below_zero() -> None:
    assert new_balance(D("10.00"), D("-10.00")) == D("0.00")
    with pytest.raises(ValidationFailed, match="totalAmount"):
        new_balance(D("10.00"), D("-10.01"))


def test_plan_for_receipts() -> None:
    day = date(2026, 3, 10)
    assert plan_for_receipt(None, day) == ClosingPlan(open_new=True)
    assert plan_for_receipt(closing(day, ClosingState.OPEN), day) == ClosingPlan()
    assert plan_for_receipt(closing(date(2026, 3, 9)), day) == ClosingPlan(open_new=True)
    assert plan_for_receipt(closing(date(2026, 2, 27)), day) == ClosingPlan(
        close_month=True, open_new=True
    )
    assert plan_for_receipt(closing(date(2026, 2, 27), monthly=True), day) == ClosingPlan(
        open_new=True
    )
    assert plan_for_receipt(closing(date(2025, 12, 31)), day) == ClosingPlan(
        close_year=True, open_new=True
    )
    assert plan_for_receipt(
        closing(date(2025, 12, 31), monthly=True, yearly=True), day
    ) == ClosingPlan(open_new=True)
    with pytest.raises(Conflict, match="FINALIZED"):
        plan_for_receipt(closing(day), day)
    with pytest.raises(Conflict, match="still OPEN"):
        plan_for_receipt(closing(date(2026, 3, 9), ClosingState.OPEN), day)
    with pytest.raises(ValidationFailed, match="dateTime"):
        plan_for_receipt(closing(date(2026, 3, 11), ClosingState.OPEN), day)


def test_period_closing_rules() -> None:
    day = date(2026, 3, 10)
    check_period_closing(closing(day), yearly=False)
    check_period_closing(closing(day, monthly=True), yearly=True)
    for last, yearly in (
        (None, False),
        (closing(day, ClosingState.OPEN), False),
        (closing(day, monthly=True), False),
        (closing(day, monthly=True, yearly=True), True),
    ):
        with pytest.raises(Conflict):
            check_period_closing(last, yearly=yearly)


def test_receipt_time() -> None:
    now, last = datetime(2026, 3, 10, 12, 0, 0), datetime(2026, 3, 10, 11, 0, 0)
    assert check_receipt_time(None, now=now, last_receipt=last, allow_past=False) == now
    earlier = datetime(2026, 3, 10, 11, 30, 15, 500)
    assert check_receipt_time(
        earlier, now=now, last_receipt=last, allow_past=True
    ) == earlier.replace(microsecond=0)
    for requested, allow in (
        (earlier, False),
        (datetime(2026, 3, 10, 10), True),
        (datetime(2026, 3, 10, 12, 0, 1), True),
    ):
        with pytest.raises(ValidationFailed, match="dateTime"):
            check_receipt_time(requested, now=now, last_receipt=last, allow_past=allow)


def test_cancellation_and_state_rules() -> None:
    check_cancellable(ReceiptType.INCOME, cancelled_by=None, cancels=None)
    for kwargs in (
        {"cancelled_by": "2026.0003", "cancels": None},
        {"cancelled_by": None, "cancels": "2026.0002"},
    ):
        with pytest.raises(Conflict):
            check_cancellable(ReceiptType.REBOOK, **kwargs)
    with pytest.raises(Conflict, match="MONTHLY"):
        check_cancellable(ReceiptType.MONTHLY, cancelled_by=None, cancels=None)
    check_transition(RegisterState.NEW, RegisterState.ACTIVE)
    check_transition(RegisterState.ACTIVE, RegisterState.LOCKED)
    for current, target in (
        (RegisterState.LOCKED, RegisterState.ACTIVE),
        (RegisterState.NEW, RegisterState.LOCKED),
        (RegisterState.TEST, RegisterState.LOCKED),
    ):
        with pytest.raises(Conflict):
            check_transition(current, target)


def test_rksv_text_fields() -> None:
    assert [rksv.amount_text(v) for v in (D(1200), D("-5"), D("0.5"), D("1234567.89"))] == [
        "1200,00",
        "-5,00",
        "0,50",
        "1234567,89",
    ]
    assert rksv.STORNO == "U1RP" and rksv.TRAINING == "VFJB"
    # Sig-Voriger-Beleg of the Startbeleg: SHA-256 of the Kassen-ID, first 8 bytes, base64
    assert (
        rksv.chain_value(None, "1") == base64.b64encode(hashlib.sha256(b"1").digest()[:8]).decode()
    )
    for good in ("U:ATU12345678-K1", "S:123456789-K1", "G:1234567890123-1"):
        assert rksv.check_key_id(good, "keyId") == good
    for bad in ("ATU12345678", "U:atu1-K1", "S:12345-K1", "U:ATU1_K1"):
        with pytest.raises(ValidationFailed, match="keyId"):
            rksv.check_key_id(bad, "keyId")


@given(
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.from_regex(r"\A[0-9]{4}\.[0-9]{4}\Z")
)
def test_turnover_counter_round_trip(counter: int, receipt_no: str) -> None:
    key = base64.b64encode(bytes(range(32))).decode()
    encrypted = rksv.encrypt_turnover(counter, key, "7", receipt_no)
    assert len(base64.b64decode(encrypted)) == rksv.COUNTER_BYTES
    assert rksv.decrypt_turnover(encrypted, key, "7", receipt_no) == counter


def test_signed_receipt_verifies_and_chains() -> None:
    keys = rksv.new_key_material()
    device = rksv.SoftwareDevice(keys.private_pem, "U:ATU12345678-K1")
    data = rksv.ReceiptData(
        "1",
        "2026.0002",
        datetime(2026, 3, 10, 12, 0, 5, 999),
        (D("120.00"), D(0), D(0), D(0), D(0)),
    )
    first = rksv.sign_receipt(data, turnover="U1RP", device=device, previous_jws=None)
    payload = rksv.verify_jws(first.jws, keys.public_pem)
    assert payload == (
        "_R1-AT0_1_2026.0002_2026-03-10T12:00:05_120,00_0,00_0,00_0,00_0,00"
        f"_U1RP_U:ATU12345678-K1_{rksv.chain_value(None, '1')}"
    )
    text, signature = first.qr_code.rsplit("_", 1)
    assert text == payload and len(base64.b64decode(signature)) == 64
    second = rksv.sign_receipt(data, turnover="U1RP", device=device, previous_jws=first.jws)
    assert rksv.verify_jws(second.jws, keys.public_pem).endswith(rksv.chain_value(first.jws, "1"))
    header, body, sig = first.jws.split(".")
    forged = f"{header}.{body[:-2]}AA.{sig}"
    with pytest.raises(ValueError, match="not valid"):
        rksv.verify_jws(forged, keys.public_pem)
    other = rksv.new_key_material()
    with pytest.raises(ValueError, match="not valid"):
        rksv.verify_jws(first.jws, other.public_pem)
