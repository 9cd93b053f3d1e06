"""Data access of the ledger: the tenant's books, accounts, journals with their postings,
rebooks, a chart's installation and the sums of posted amounts. Every function runs in the
caller's transaction and is scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.ledger_balances import add_to_balances, deltas
from beleg.db.tables import (
    bank_accounts,
    cash_registers,
    ledger_accounts,
    ledger_journals,
    ledger_postings,
    ledger_rebooks,
    ledger_tax_entries,
    tenants,
)
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import Account, AccountType, Chart, TaxEntry, chart_named
from beleg.domain.ledger.journals import (
    JournalDraft,
    JournalEntry,
    JournalType,
    PostedJournal,
    Posting,
)
from beleg.domain.ledger.rebooks import Rebook
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency, round_to_currency

PostingKey = tuple[str, str | None]  # (account, tax code)


def load_books(session: Session, tenant_id: uuid.UUID) -> TenantBooks:
    """The tenant's mode, chart, main currency, accounts and register-reserved cash accounts."""
    tenant = session.execute(
        select(tenants.c.accounting_mode, tenants.c.chart_of_accounts, tenants.c.currency).where(
            tenants.c.id == tenant_id
        )
    ).one()
    rows = session.execute(
        select(ledger_accounts).where(ledger_accounts.c.tenant_id == tenant_id)
    ).all()
    accounts = {
        r.code: Account.stored(r.code, r.name, r.account_type, r.tax_codes, r.forced_tax)
        for r in rows
    }
    registers = cash_registers.c
    reserved = session.execute(
        select(registers.cash_account, registers.number).where(
            registers.tenant_id == tenant_id,
            registers.cash_account.is_not(None),
            registers.state != "LOCKED",
        )
    ).all()
    return TenantBooks(
        tenant_id,
        AccountingMode(tenant.accounting_mode),
        chart_named(tenant.chart_of_accounts),
        Currency.of(tenant.currency),
        accounts,
        {code: int(number) for code, number in reserved},
    )


def main_currency_and_closing(
    session: Session, tenant_id: uuid.UUID
) -> tuple[Currency, date | None]:
    """The tenant's main currency and the last day of its closed periods (None: none)."""
    code, closed = session.execute(
        select(tenants.c.currency, tenants.c.books_closed_until).where(tenants.c.id == tenant_id)
    ).one()
    return Currency.of(code), closed


def lock_closed_until(session: Session, tenant_id: uuid.UUID) -> date | None:
    """The last closed day, with the tenant row locked until the transaction ends."""
    closed: date | None = session.execute(
        select(tenants.c.books_closed_until).where(tenants.c.id == tenant_id).with_for_update()
    ).scalar_one()
    return closed


def set_closed_until(session: Session, tenant_id: uuid.UUID, until: date) -> None:
    session.execute(
        update(tenants).where(tenants.c.id == tenant_id).values(books_closed_until=until)
    )


def missing_accounts(session: Session, tenant_id: uuid.UUID, codes: Collection[str]) -> list[str]:
    """Those of ``codes`` that are not in the tenant's chart, sorted."""
    known = set(
        session.execute(
            select(ledger_accounts.c.code).where(
                ledger_accounts.c.tenant_id == tenant_id, ledger_accounts.c.code.in_(list(codes))
            )
        ).scalars()
    )
    return sorted(set(codes) - known)


def insert_account(
    session: Session, tenant_id: uuid.UUID, account: Account, default_tax_code: str | None
) -> None:
    """Add ``account`` to the chart; Conflict (naming ``code``) if the code is taken."""
    try:
        with session.begin_nested():
            session.execute(
                insert(ledger_accounts).values(
                    tenant_id=tenant_id,
                    code=account.code,
                    name=account.name,
                    account_type=account.account_type.value,
                    default_tax_code=default_tax_code,
                )
            )
    except IntegrityError:
        raise Conflict("ledger.account_exists", field="code", code=account.code) from None


def insert_journals(
    session: Session, tenant_id: uuid.UUID, entries: Sequence[JournalEntry], created_at: datetime
) -> None:
    """Store journals and their postings (one COPY or executemany each) and add the postings
    to the maintained balances (one upsert): the only code that writes postings, so the
    balances always equal their sums (``db/ledger_balances.py``)."""
    insert_rows(
        session, ledger_journals, [_journal_values(tenant_id, e, created_at) for e in entries]
    )
    postings = [
        {
            "tenant_id": tenant_id,
            "journal_id": e.journal.id,
            "line_no": line,
            "booking_date": e.journal.draft.booking_date,
            "account_code": p.account,
            "amount": p.amount,
            "amount_main": main,
            "tax_code": p.tax_code,
            "text": p.text,
            "tax_main": tax,
        }
        for e in entries
        for line, (p, main, tax) in enumerate(
            zip(e.journal.draft.postings, e.amounts_main, e.taxes_main, strict=True), start=1
        )
    ]
    insert_rows(session, ledger_postings, postings)
    currency = {e.journal.id: e.journal.draft.currency.code for e in entries}
    add_to_balances(session, deltas(postings, currency))


def _journal_values(tenant_id: uuid.UUID, e: JournalEntry, created_at: datetime) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": e.journal.id,
        "number": e.journal.number,
        "journal_type": e.journal.draft.journal_type.value,
        "booking_date": e.journal.draft.booking_date,
        "currency": e.journal.draft.currency.code,
        "rate": e.journal.draft.rate,
        "description": e.journal.draft.description,
        "reverses_id": e.journal.reverses_id,
        "created_at": created_at,
    }


def journal_by_number(session: Session, tenant_id: uuid.UUID, number: str) -> PostedJournal:
    """The journal numbered ``number``; NotFound naming ``journal`` otherwise."""
    j = ledger_journals.c
    row = session.execute(
        select(ledger_journals).where(j.tenant_id == tenant_id, j.number == number)
    ).one_or_none()
    if row is None:
        raise NotFound("ledger.journal_not_found", field="journal", number=number)
    return _posted(session, row)


def journal_by_id(session: Session, tenant_id: uuid.UUID, journal_id: uuid.UUID) -> PostedJournal:
    j = ledger_journals.c
    row = session.execute(
        select(ledger_journals).where(j.tenant_id == tenant_id, j.id == journal_id)
    ).one()
    return _posted(session, row)


def _posted(session: Session, journal: Row[Any]) -> PostedJournal:
    """A stored journal as a posted journal again; its main-currency total is the stored one,
    so a reversal negates exactly the stored main-currency amounts."""
    p = ledger_postings.c
    rows = session.execute(
        select(ledger_postings)
        .where(p.tenant_id == journal.tenant_id, p.journal_id == journal.id)
        .order_by(p.line_no)
    ).all()
    currency = Currency.of(journal.currency)
    rate: Decimal = journal.rate
    postings = tuple(
        Posting(
            r.account_code,
            round_to_currency(r.amount, currency),
            r.tax_code,
            r.text,
            round_to_currency(r.tax_main / rate, currency) if r.tax_main else Decimal(0),
        )
        for r in rows
    )
    draft = JournalDraft(
        JournalType(journal.journal_type),
        journal.booking_date,
        currency,
        postings,
        rate,
        journal.description,
        main_total=sum((r.amount_main for r in rows if r.amount_main > 0), Decimal(0)),
    )
    return PostedJournal(journal.id, journal.number, draft, journal.reverses_id)


def cancelled_by(session: Session, tenant_id: uuid.UUID, journal_id: uuid.UUID) -> str | None:
    """The number of the journal that cancels ``journal_id``, if one does."""
    j = ledger_journals.c
    number: str | None = session.execute(
        select(j.number).where(j.tenant_id == tenant_id, j.reverses_id == journal_id)
    ).scalar_one_or_none()
    return number


def insert_rebook(
    session: Session, tenant_id: uuid.UUID, journal_id: uuid.UUID, rebook: Rebook
) -> None:
    session.execute(
        insert(ledger_rebooks).values(
            tenant_id=tenant_id,
            journal_id=journal_id,
            rebook_type=rebook.rebook_type.value,
            account=rebook.account,
            contra_account=rebook.contra_account,
            amount=rebook.amount,
            reference=rebook.reference,
        )
    )


def install_chart(session: Session, *, tenant_id: uuid.UUID, chart: Chart, currency: str) -> None:
    """Copy ``chart`` into the tenant's ledger, with one means of payment per U account."""
    session.execute(
        insert(ledger_tax_entries), [_tax_entry_values(tenant_id, e) for e in chart.tax_entries]
    )
    session.execute(
        insert(ledger_accounts), [_account_values(tenant_id, a) for a in chart.accounts]
    )
    session.execute(
        insert(bank_accounts),
        [
            _payment_means(tenant_id, a, currency)
            for a in chart.accounts
            if a.account_type is AccountType.PAYMENT
        ],
    )


def _tax_entry_values(tenant_id: uuid.UUID, entry: TaxEntry) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "code": entry.code,
        "name_de": entry.name_de,
        "name_en": entry.name_en,
        "rate": entry.rate,
        "modifiers": ",".join(m.value for m in entry.modifiers),
    }


def _account_values(tenant_id: uuid.UUID, account: Account) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "code": account.code,
        "name": account.name,
        "account_type": account.account_type.value,
        "default_tax_code": account.default_tax_code,
        "tax_codes": ",".join(account.tax_codes),
        "forced_tax": account.forced,
    }


def _payment_means(tenant_id: uuid.UUID, account: Account, currency: str) -> dict[str, Any]:
    """The bank account (means of payment) a U account starts with."""
    return {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "name": account.name,
        "bank_name": None,
        "owner_name": None,
        "bic": None,
        "iban": None,
        "account_code": account.code,
        "description": account.name,
        "currency": currency,
        "shown": True,
    }


def posting_sums(
    session: Session, tenant_id: uuid.UUID, journal_ids: Collection[uuid.UUID]
) -> dict[PostingKey, Decimal]:
    """Signed sums (journal currency) per (account, tax code) over ``journal_ids``."""
    if not journal_ids:
        return {}
    p = ledger_postings.c
    rows = session.execute(
        select(p.account_code, p.tax_code, func.sum(p.amount))
        .where(p.tenant_id == tenant_id, p.journal_id.in_(list(journal_ids)))
        .group_by(p.account_code, p.tax_code)
    ).all()
    return {(account, tax): Decimal(amount) for account, tax, amount in rows}


def balance_main(
    session: Session, tenant_id: uuid.UUID, journal_ids: Collection[uuid.UUID], account: str
) -> Decimal:
    """The main-currency balance ``journal_ids`` left on ``account``."""
    if not journal_ids:
        return Decimal(0)
    p = ledger_postings.c
    total = session.execute(
        select(func.sum(p.amount_main)).where(
            p.tenant_id == tenant_id,
            p.journal_id.in_(list(journal_ids)),
            p.account_code == account,
        )
    ).scalar()
    return Decimal(total) if total is not None else Decimal(0)
