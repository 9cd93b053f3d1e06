"""Posting journals to the ledger and cancelling them by reversal.

``post_journals`` runs inside the caller's transaction (a document, payment or billing batch
posts together with its own rows) and writes in bulk: accounts are checked in one query, the
journal numbers of a batch come as one block per (prefix, year) from a row-locked counter
(gapless: the batch commits whole or not at all), and journals, postings and their audit
entries are inserted with one statement each.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import Change, record_change, record_changes
from beleg.db.database import Database
from beleg.db.tables import (
    ledger_accounts,
    ledger_counters,
    ledger_journals,
    ledger_postings,
    tenants,
)
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.journals import (
    JournalDraft,
    JournalType,
    Posting,
    main_currency_amounts,
    reversal,
)
from beleg.domain.ledger.numbering import journal_number
from beleg.money import Currency, round_to_currency

ACCOUNT_TYPES = ("E", "M", "A", "L", "S", "U")


@dataclass(frozen=True, slots=True)
class PostedJournal:
    id: uuid.UUID
    number: str
    draft: JournalDraft


def create_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    name: str,
    account_type: str,
    clock: Clock,
    default_tax_code: str | None = None,
) -> dict[str, Any]:
    """Add an account to the tenant's chart."""
    if not code.isdigit() or not 3 <= len(code) <= 10:
        raise ValidationFailed("account code must be 3 to 10 digits", field="code")
    if account_type not in ACCOUNT_TYPES:
        raise ValidationFailed(
            f"account type must be one of {', '.join(ACCOUNT_TYPES)}", field="type"
        )
    values = {
        "tenant_id": tenant_id,
        "code": code,
        "name": name.strip(),
        "account_type": account_type,
        "default_tax_code": default_tax_code,
    }
    try:
        with db.transaction() as session:
            session.execute(insert(ledger_accounts).values(**values))
            record_change(
                session,
                actor=actor,
                tenant_id=tenant_id,
                action=AuditAction.CREATE,
                entity_type="Account",
                entity_id=code,
                before=None,
                after=values,
                clock=clock,
            )
    except IntegrityError:
        raise Conflict(f"account {code} already exists", field="code") from None
    return values


def _main_currency(
    session: Session, tenant_id: uuid.UUID, drafts: Sequence[JournalDraft]
) -> Currency:
    """The tenant's main currency, after checking that no draft falls in a closed period."""
    code, closed = session.execute(
        select(tenants.c.currency, tenants.c.books_closed_until).where(tenants.c.id == tenant_id)
    ).one()
    if closed is not None:
        early = min(d.booking_date for d in drafts)
        if early <= closed:
            raise ValidationFailed(
                f"booking date {early.isoformat()} lies in a closed period "
                f"(the books are closed until {closed.isoformat()})",
                de=f"Buchungsdatum {early.isoformat()} liegt in einer "
                "abgeschlossenen Periode (abgeschlossen bis "
                f"{closed.isoformat()})",
                field="date",
            )
    return Currency.of(code)


def close_books(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, until: date, clock: Clock
) -> date:
    """Close every period up to and including ``until``: no booking may be dated there any
    more (GoBD: booked records of closed periods are final). Closing only moves forwards."""
    with db.transaction() as session:
        current = session.execute(
            select(tenants.c.books_closed_until).where(tenants.c.id == tenant_id).with_for_update()
        ).scalar_one()
        if current is not None and until < current:
            raise Conflict(
                f"the books are closed until {current.isoformat()}; a closed "
                "period cannot be reopened",
                field="until",
            )
        session.execute(
            update(tenants).where(tenants.c.id == tenant_id).values(books_closed_until=until)
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="BooksClosing",
            entity_id=tenant_id,
            before={"closedUntil": current},
            after={"closedUntil": until},
            clock=clock,
        )
        return until


def _check_accounts(session: Session, tenant_id: uuid.UUID, drafts: Sequence[JournalDraft]) -> None:
    wanted = {p.account for d in drafts for p in d.postings}
    known = set(
        session.execute(
            select(ledger_accounts.c.code).where(
                ledger_accounts.c.tenant_id == tenant_id, ledger_accounts.c.code.in_(wanted)
            )
        ).scalars()
    )
    missing = sorted(wanted - known)
    if missing:
        raise ValidationFailed(
            f"unknown account(s) {', '.join(missing)} in this tenant's chart", field="account"
        )


def allocate_numbers(
    session: Session, tenant_id: uuid.UUID, prefix: str, year: int, count: int = 1
) -> int:
    """Reserve ``count`` consecutive numbers; return the first. The counter row stays locked
    until the transaction ends, so concurrent batches queue and no number is skipped."""
    where = (
        (ledger_counters.c.tenant_id == tenant_id)
        & (ledger_counters.c.prefix == prefix)
        & (ledger_counters.c.year == year)
    )
    last = session.execute(
        select(ledger_counters.c.last_value).where(where).with_for_update()
    ).scalar_one_or_none()
    if last is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(ledger_counters).values(
                        tenant_id=tenant_id, prefix=prefix, year=year, last_value=0
                    )
                )
        except IntegrityError:  # a concurrent transaction created it first
            pass
        last = session.execute(
            select(ledger_counters.c.last_value).where(where).with_for_update()
        ).scalar_one()
    session.execute(update(ledger_counters).where(where).values(last_value=last + count))
    return int(last) + 1


def _numbers(session: Session, tenant_id: uuid.UUID, drafts: Sequence[JournalDraft]) -> list[str]:
    keys = [(d.journal_type, d.booking_date.year) for d in drafts]
    next_value = {
        key: allocate_numbers(session, tenant_id, key[0].value, key[1], count)
        for key, count in sorted(Counter(keys).items())
    }
    numbers = []
    for key in keys:
        numbers.append(journal_number(key[0], key[1], next_value[key]))
        next_value[key] += 1
    return numbers


def post_journals(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    drafts: Sequence[JournalDraft],
    clock: Clock,
    reverses: Sequence[uuid.UUID | None] | None = None,
) -> list[PostedJournal]:
    """Number and store balanced journals (and their audit entries) in the caller's
    transaction; ``reverses[i]`` is the id of the journal that ``drafts[i]`` cancels."""
    if not drafts:
        return []
    _check_accounts(session, tenant_id, drafts)
    main = _main_currency(session, tenant_id, drafts)
    numbers = _numbers(session, tenant_id, drafts)
    now, journals, postings, changes = clock.now(), [], [], []
    for index, (draft, number) in enumerate(zip(drafts, numbers, strict=True)):
        journal_id = uuid.uuid4()
        journals.append(
            {
                "tenant_id": tenant_id,
                "id": journal_id,
                "number": number,
                "journal_type": draft.journal_type.value,
                "booking_date": draft.booking_date,
                "currency": draft.currency.code,
                "rate": draft.rate,
                "description": draft.description,
                "reverses_id": reverses[index] if reverses else None,
                "created_at": now,
            }
        )
        mains = main_currency_amounts(draft, main)
        postings.extend(_posting_rows(tenant_id, journal_id, draft, mains, main))
        changes.append(
            Change(AuditAction.CREATE, "Journal", number, None, _journal_snapshot(draft, mains))
        )
    session.execute(insert(ledger_journals), journals)
    session.execute(insert(ledger_postings), postings)
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return [PostedJournal(j["id"], j["number"], d) for j, d in zip(journals, drafts, strict=True)]


def _posting_rows(
    tenant_id: uuid.UUID,
    journal_id: uuid.UUID,
    draft: JournalDraft,
    mains: list[Any],
    main_currency: Currency,
) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "journal_id": journal_id,
            "line_no": line,
            "booking_date": draft.booking_date,
            "account_code": p.account,
            "amount": p.amount,
            "amount_main": main,
            "tax_code": p.tax_code,
            "text": p.text,
            "tax_main": round_to_currency(p.tax * draft.rate, main_currency),
        }
        for line, (p, main) in enumerate(zip(draft.postings, mains, strict=True), start=1)
    ]


def _journal_snapshot(draft: JournalDraft, mains: list[Any]) -> dict[str, Any]:
    return {
        "type": draft.journal_type.value,
        "bookingDate": draft.booking_date,
        "currency": draft.currency.code,
        "rate": draft.rate,
        "reverses": draft.reverses,
        "postings": [
            {"account": p.account, "amount": p.amount, "amountMain": m, "taxCode": p.tax_code}
            for p, m in zip(draft.postings, mains, strict=True)
        ],
    }


def book_journal(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, draft: JournalDraft, clock: Clock
) -> PostedJournal:
    """Post one journal in its own transaction."""
    with db.transaction() as session:
        return post_journals(
            session, actor=actor, tenant_id=tenant_id, drafts=[draft], clock=clock
        )[0]


def reverse_journal(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: str,
    booking_date: date,
    reason: str,
    clock: Clock,
) -> PostedJournal:
    """Cancel a journal by posting its reversal (Storno). A journal is reversed at most once,
    and a reversal is not itself reversed: post the booking anew instead."""
    with db.transaction() as session:
        original = _load_draft(session, tenant_id, number)
        journal_id, draft, reverses_id = original
        if reverses_id is not None:
            raise Conflict(f"journal {number} is itself a cancellation", field="journal")
        already = session.execute(
            select(ledger_journals.c.number).where(
                ledger_journals.c.tenant_id == tenant_id,
                ledger_journals.c.reverses_id == journal_id,
            )
        ).scalar_one_or_none()
        if already is not None:
            raise Conflict(f"journal {number} was already cancelled by {already}", field="journal")
        storno = replace(
            reversal(draft, booking_date=booking_date, number=number),
            description=reason or draft.description,
        )
        return post_journals(
            session,
            actor=actor,
            tenant_id=tenant_id,
            drafts=[storno],
            clock=clock,
            reverses=[journal_id],
        )[0]


def reverse_posted(
    session: Session, *, tenant_id: uuid.UUID, journal: Any, booking_date: date, reason: str
) -> JournalDraft:
    """The cancellation draft of a stored ``journal`` row, to post with ``reverses`` set."""
    rows = session.execute(
        select(ledger_postings)
        .where(ledger_postings.c.tenant_id == tenant_id, ledger_postings.c.journal_id == journal.id)
        .order_by(ledger_postings.c.line_no)
    ).all()
    return replace(
        reversal(stored_draft(journal, rows), booking_date=booking_date, number=journal.number),
        description=reason or journal.description,
    )


def _load_draft(
    session: Session, tenant_id: uuid.UUID, number: str
) -> tuple[uuid.UUID, JournalDraft, uuid.UUID | None]:
    journal = session.execute(
        select(ledger_journals).where(
            ledger_journals.c.tenant_id == tenant_id, ledger_journals.c.number == number
        )
    ).one_or_none()
    if journal is None:
        raise NotFound(f"journal {number} does not exist", field="journal")
    rows = session.execute(
        select(ledger_postings)
        .where(ledger_postings.c.tenant_id == tenant_id, ledger_postings.c.journal_id == journal.id)
        .order_by(ledger_postings.c.line_no)
    ).all()
    return journal.id, stored_draft(journal, rows), journal.reverses_id


def stored_draft(journal: Any, rows: Sequence[Any]) -> JournalDraft:
    """A posted journal as a draft again; its main-currency total is the stored one, so a
    reversal negates exactly the stored main-currency amounts."""
    currency = Currency.of(journal.currency)
    postings = tuple(
        Posting(
            r.account_code,
            r.amount.quantize(currency.quantum),
            r.tax_code,
            r.text,
            _tax_in_currency(r, journal.rate, currency),
        )
        for r in rows
    )
    main_total = sum((r.amount_main for r in rows if r.amount_main > 0), Decimal(0))
    return JournalDraft(
        JournalType(journal.journal_type),
        journal.booking_date,
        currency,
        postings,
        journal.rate,
        journal.description,
        main_total=main_total,
    )


def _tax_in_currency(row: Any, rate: Decimal, currency: Currency) -> Decimal:
    return round_to_currency(row.tax_main / rate, currency) if row.tax_main else Decimal(0)
