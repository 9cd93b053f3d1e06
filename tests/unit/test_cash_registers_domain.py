"""Cash register rules (RKSV), the register, receipt and closing records, and the RKSV
signature format."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.ledger.tax import AmountType
from beleg.domain.pos.closings import DailyClosing
from beleg.domain.pos.receipts import (
    NO_TURNOVER,
    NewReceipt,
    Receipt,
    ReceiptLine,
    ReceiptParty,
    buckets_of,
    cancellation,
    untaxed_line,
)
from beleg.domain.pos.registers import (
    ClosingPlan,
    ClosingState,
    LastClosing,
    ReceiptType,
    Register,
    RegisterSettings,
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


AT = datetime(2026, 3, 10, 12, 0, 0)


def sale_line(total: str, rate: str | None, line_no: int = 1) -> ReceiptLine:
    gross = D(total)
    return ReceiptLine(
        line_no=line_no,
        net_price=gross,
        tax_price=D("0.00"),
        total_price=gross,
        amount=D(1),
        account="4000",
        tax_class_entry="020",
        tax_rate=D(rate) if rate is not None else None,
    )


def stored(receipt: NewReceipt, number: str = "2026.0002") -> Receipt:
    return receipt.stored(
        register_no=1, number=number, position=2, sequence=2, created_at=AT, jws="j", qr_code="q"
    )


def test_a_receipt_moves_the_balance_by_its_kind() -> None:
    income = NewReceipt(ReceiptType.INCOME, AT, AT.date(), D("12.00"))
    cash_in = NewReceipt(ReceiptType.REBOOK, AT, AT.date(), D("5.00"), from_account="2800")
    cash_out = NewReceipt(ReceiptType.REBOOK, AT, AT.date(), D("5.00"), to_account="2800")
    system = NewReceipt(ReceiptType.MONTHLY, AT, AT.date(), D("0.00"))
    assert [r.cash for r in (income, cash_in, cash_out, system)] == [
        D("12.00"),
        D("5.00"),
        D("-5.00"),
        D("0.00"),
    ]
    for original, undone in ((income, D("-12.00")), (cash_in, D("-5.00")), (cash_out, D("5.00"))):
        assert cancellation(stored(original), at=AT, journal_id=None).cash == undone


def test_a_cancellation_negates_amounts_and_buckets_and_keeps_the_rest() -> None:
    party = ReceiptParty(customer_name="Kunde GmbH", reference_text="R 2026 1")
    journal, document = uuid.uuid4(), uuid.uuid4()
    lines = (sale_line("120.00", "20"), sale_line("11.00", "10", line_no=2))
    original = stored(
        NewReceipt(
            ReceiptType.INCOME,
            AT,
            AT.date(),
            D("131.00"),
            buckets_of(lines),
            lines,
            party,
            document_id=document,
        )
    )
    later = datetime(2026, 3, 11, 9, 30)
    undone = cancellation(original, at=later, journal_id=journal)
    assert (undone.total, undone.cancels, undone.party, undone.closing_day) == (
        D("-131.00"),
        "2026.0002",
        party,
        date(2026, 3, 11),
    )
    assert (undone.journal_id, undone.document_id, undone.date_time) == (journal, document, later)
    assert [(ln.total_price, ln.amount, ln.item_price) for ln in undone.lines] == [
        (D("-120.00"), D(-1), None),
        (D("-11.00"), D(-1), None),
    ]
    assert undone.buckets == (D("-120.00"), D("-11.00"), D("0.00"), D("0.00"), D("0.00"))
    assert [rksv.amount_text(b) for b in undone.buckets] == [
        "-120,00",
        "-11,00",
        "0,00",
        "0,00",
        "0,00",
    ]


def test_lines_without_a_rate_count_as_zero_percent() -> None:
    line = untaxed_line("Bargeld-Einlage", account="2800", total=D("50.00"))
    assert (line.line_no, line.item_price_type, line.tax_class_entry, line.tax_rate) == (
        1,
        AmountType.TOTAL,
        "000",
        None,
    )
    assert (line.net_price, line.tax_price, line.total_price, line.amount) == (
        D("50.00"),
        D("0.00"),
        D("50.00"),
        D(1),
    )
    paid = untaxed_line("Zahlung", account="2000", total=D("-7.00"), tax_rate=D(0))
    assert buckets_of([line, paid]) == (D("0.00"), D("0.00"), D("0.00"), D("43.00"), D("0.00"))
    assert buckets_of([]) == NO_TURNOVER


def test_a_stored_receipt_keeps_what_the_new_one_records() -> None:
    new = NewReceipt(
        ReceiptType.REBOOK,
        AT,
        AT.date(),
        D("5.00"),
        lines=(untaxed_line("Bargeld-Entnahme", account="2800", total=D("5.00")),),
        to_account="2800",
        description="Bank",
    )
    receipt = stored(new, "U2026.0001")
    assert (receipt.number, receipt.position, receipt.sequence, receipt.jws) == (
        "U2026.0001",
        2,
        2,
        "j",
    )
    assert (receipt.lines, receipt.to_account, receipt.description, receipt.cancelled_by) == (
        new.lines,
        "2800",
        "Bank",
        None,
    )


def test_closing_and_register_records() -> None:
    closing = DailyClosing(
        1,
        date(2026, 3, 10),
        ClosingState.FINALIZED,
        D("0.00"),
        D("130.00"),
        AT,
        income_count=2,
        rebook_count=1,
        other_count=1,
        monthly=True,
    )
    assert closing.total_count == 4
    assert closing.as_last() == LastClosing(date(2026, 3, 10), ClosingState.FINALIZED, True, False)
    settings = RegisterSettings("Theke", None, uuid.uuid4(), "2700", False, False, False, {})
    assert Register(uuid.uuid4(), 1, RegisterState.NEW, settings).cash_account == "2700"
    test = RegisterSettings("Testkassa", None, None, None, False, False, False, {})
    with pytest.raises(ValueError, match="no cash account"):
        _ = Register(uuid.uuid4(), 0, RegisterState.TEST, test).cash_account
