"""The RKSV chain of one register stays intact under concurrent receipts: 4 threads x 25 income
receipts (and a cash withdrawal each) against one register. Every signature verifies, every
receipt chains to the one written before it, the numbers have no gap and the decrypted
turnover counter and the balance equal the sum of the receipts (the register row lock
serialises them on PostgreSQL, the single writer on SQLite)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import bank_accounts, cash_receipts, cash_registers
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
