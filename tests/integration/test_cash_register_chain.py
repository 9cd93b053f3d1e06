"""The RKSV chain of one register stays intact under concurrent receipts: 8 threads x 13 income
receipts (and a cash withdrawal each) against one register. Every signature verifies, every
receipt chains to the one written before it, the numbers have no gap and the decrypted
turnover counter and the balance equal the sum of the receipts (the register row lock
serialises them on PostgreSQL, the single writer on SQLite). The repositories give back the
receipts and registers they stored."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.pos import receipts as receipts_db
from beleg.db.pos import registers as registers_db
from beleg.db.tables import bank_accounts, cash_receipts, cash_registers
from beleg.domain.documents.model import DiscountMode
from beleg.domain.errors import Conflict
from beleg.domain.ledger.tax import AmountType
from beleg.domain.pos.receipts import NewReceipt, ReceiptLine, ReceiptParty
from beleg.domain.pos.registers import ReceiptType
from beleg.formats import rksv
from beleg.queries.pos.registers import dep_export, registration
from beleg.services.documents.lines import DocLineInput
from beleg.services.pos.receipts import ReceiptInput, create_receipt
from beleg.services.pos.registers import RegisterInput, activate_register, create_register
from tests.conftest import make_tenant, system_actor

THREADS, PER_THREAD = 8, 13


def _sale(cents: int) -> ReceiptInput:
    total = Decimal(cents).scaleb(-2)
    line = DocLineInput(
        amount=None,
        item_price=total,
        item_price_type="T",
        account="4000",
        tax_class_entry="020",
        total_price=total,
    )
    return ReceiptInput(receipt_type="INCOME", total_amount=total, lines=[line])


def test_concurrent_receipts_keep_one_valid_chain(
    db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db)
    actor, clock = system_actor(tenant.id), SystemClock()
    with db.reader() as session:
        bank = session.execute(
            select(bank_accounts.c.id).where(
                bank_accounts.c.tenant_id == tenant.id, bank_accounts.c.account_code == "2700"
            )
        ).scalar_one()
    create_register(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        clock=clock,
        data=RegisterInput(number=5, name="Theke", bank_account_id=str(bank)),
    )
    activate_register(
        db=db, actor=actor, tenant_id=tenant.id, number=5, key_id="U:ATU12345678-K5", clock=clock
    )

    def sell(thread: int) -> None:
        for index in range(PER_THREAD):
            create_receipt(
                db=db,
                actor=actor,
                tenant_id=tenant.id,
                register_no=5,
                data=_sale(100 + thread * PER_THREAD + index),
                clock=clock,
            )
        create_receipt(
            db=db,
            actor=actor,
            tenant_id=tenant.id,
            register_no=5,
            clock=clock,
            data=ReceiptInput(
                receipt_type="REBOOK", total_amount=Decimal("1.00"), to_account="2800"
            ),
        )

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(sell, range(THREADS)))
    expected_cents = sum(100 + i for i in range(THREADS * PER_THREAD))
    keys = registration(db=db, tenant_id=tenant.id, number=5)
    chain = dep_export(db=db, tenant_id=tenant.id, number=5)["Belege-Gruppe"]
    # The DEP7 export is JSON (``dict[str, object]``); its nesting carries no static type.
    jws_list = chain[0]["Belege-kompakt"]  # type: ignore[index]
    assert len(jws_list) == 1 + THREADS * PER_THREAD
    previous, numbers, counter = None, [], 0
    for jws in jws_list:
        fields = rksv.verify_jws(jws, keys["publicKey"]).split("_")
        assert fields[12] == rksv.chain_value(previous, "5")
        numbers.append(int(fields[3].split(".")[1]))
        counter = rksv.decrypt_turnover(fields[10], keys["aesKey"], "5", fields[3])
        previous = jws
    assert numbers == list(range(1, len(jws_list) + 1))
    assert counter == expected_cents
    with db.reader() as session:
        balance = session.execute(
            select(cash_registers.c.balance).where(
                cash_registers.c.tenant_id == tenant.id, cash_registers.c.number == 5
            )
        ).scalar_one()
        rebooks = (
            session.execute(
                select(cash_receipts.c.number).where(
                    cash_receipts.c.tenant_id == tenant.id, cash_receipts.c.series == "U"
                )
            )
            .scalars()
            .all()
        )
    assert balance == Decimal(expected_cents).scaleb(-2) - THREADS
    assert sorted(int(n.split(".")[1]) for n in rebooks) == list(range(1, THREADS + 1))


def test_receipts_and_registers_read_back_as_stored(
    db: Database, platform: dict[str, object]
) -> None:
    tenant, clock = make_tenant(db), SystemClock()
    line = ReceiptLine(
        line_no=1,
        net_price=Decimal("95.80"),
        tax_price=Decimal("19.16"),
        total_price=Decimal("114.96"),
        amount=Decimal(1),
        account="4000",
        tax_class_entry="020",
        item_name="Kasse-System",
        item_price=Decimal("114.96"),
        item_price_type=AmountType.TOTAL,
        item_number="KASHA001",
        item=uuid.uuid4(),
        item_description="Sharp XE-A217B",
        unit_of_measure="PC",
        discount=Decimal(0),
        discount_mode=DiscountMode.CONSTANT,
        tax_rate=Decimal(20),
    )
    party = ReceiptParty(
        customer=uuid.uuid4(),
        customer_name="Max Mustermann",
        customer_mail="max@example.at",
        additional_address=uuid.uuid4(),
        reference_date=date(2026, 3, 1),
        reference_text="R 2026 1",
        text_after_lines="Danke",
        address_info={"city": "Wien"},
    )
    at = datetime(2026, 3, 10, 12, 0, 5)
    receipt = NewReceipt(
        ReceiptType.INCOME,
        at,
        at.date(),
        Decimal("114.96"),
        lines=(line,),
        party=party,
        journal_id=uuid.uuid4(),
        document_id=uuid.uuid4(),
    ).stored(
        register_no=0,
        number="2026.9001",
        position=9001,
        sequence=9001,
        created_at=clock.now(),
        jws="jws",
        qr_code="qr",
    )
    with db.transaction() as session:
        receipts_db.insert_receipt(session, tenant_id=tenant.id, receipt=receipt)
        receipts_db.set_cancelled_by(
            session, tenant_id=tenant.id, register_no=0, number="2026.9001", cancelled_by="x"
        )
    with db.reader() as session:
        back = receipts_db.receipt_by_number(
            session, tenant_id=tenant.id, register_no=0, number="2026.9001"
        )
    with db.transaction() as session:
        register = registers_db.lock_register(session, tenant_id=tenant.id, number=0, field="id")
    assert back == replace(receipt, cancelled_by="x")
    assert (register.number, register.settings.name, register.key_id) == (
        0,
        "Testkassa",
        "S:000000000-TEST",
    )
    with pytest.raises(Conflict, match="cash register 0 already exists"), db.transaction() as s:
        registers_db.insert_register(s, register=register, created_at=clock.now())
