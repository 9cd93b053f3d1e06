"""Dunning runs (``POST /v2/dunning-runs``, ADR 0027): in one transaction, on the tenant's
clock, every open invoice due for its next level (domain/documents/dunning) is dunned: per
customer and currency one notice numbered from its own gapless series, its fee posted in DE
(the customer's unpaid account against the level's fee account, a balanced income journal),
each document's ``dunningDate`` and ``lastDunningLevel`` set, and every change audited. The
unique (document, level) of the notice items makes a retried or concurrent run fail rather
than dun twice; a repeated run on the same day finds nothing due. A dry run plans and writes
nothing. Also the tenant's dunning settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from beleg import messages
from beleg.clock import Clock, today_in
from beleg.db import Session, sequences
from beleg.db import tenancy as tenancy_db
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.documents import dunning as repo
from beleg.db.ledger import load_books
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.dunning import NoticePlan, checked_as_of, due_items, plan_notices
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency
from beleg.services.ledger.posting import post_journals

RUN, NOTICE, DOCUMENT, SETTINGS = "DunningRun", "DunningNotice", "SalesDocument", "DunningSettings"


@dataclass(frozen=True, slots=True)
class RunResult:
    id: uuid.UUID | None  # None for a dry run
    as_of: date
    dry_run: bool
    notices: tuple[NoticePlan, ...]
    numbers: tuple[str, ...]  # the notices' numbers, empty for a dry run


def run_dunning(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    as_of: date | None,
    dry_run: bool,
    first_level: uuid.UUID | None,
    clock: Clock,
) -> RunResult:
    """Dun every item due on ``as_of`` (default: the tenant's today; 400 naming ``asOf``
    outside the year up to today, ``firstLevel`` for an unknown level chain)."""
    with db.transaction() as session:
        clock = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock)
        today = today_in(clock, tenancy_db.tenant_timezone(session, tenant_id))
        day = checked_as_of(as_of or today, today)
        if not dry_run:
            repo.lock_runs(session, tenant_id, clock.now())
        levels = repo.level_chain(session, tenant_id, first_level)
        settings = repo.load_settings(session, tenant_id)
        include = settings.automated and settings.include_deposit_invoices
        due = due_items(repo.candidates(session, tenant_id), levels, day, include_deposits=include)
        plans = tuple(plan_notices(due))
        if dry_run:
            return RunResult(None, day, True, plans, ())
        run_id = uuid.uuid4()
        counts = (len(plans), len(due))
        repo.insert_run(session, tenant_id, run_id, as_of=day, counts=counts, at=clock.now())
        books = load_books(session, tenant_id)
        numbers = tuple(
            _issue(session, books, plan, run=(run_id, day), actor=actor, clock=clock)
            for plan in plans
        )
        snapshot = {"asOf": day.isoformat(), "notices": list(numbers), "items": len(due)}
        changes = [Change(AuditAction.CREATE, RUN, run_id, None, snapshot)]
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return RunResult(run_id, day, False, plans, numbers)


def _issue(
    session: Session,
    books: TenantBooks,
    plan: NoticePlan,
    *,
    run: tuple[uuid.UUID, date],
    actor: Actor,
    clock: Clock,
) -> str:
    """Store one notice (numbered, its fee posted), mark its documents; returns its number."""
    run_id, day = run
    tenant_id = books.tenant_id
    value = sequences.allocate(
        session, tenant_id=tenant_id, series=sequences.dunning_notice_series(), period=str(day.year)
    )
    number = f"M{day.year}-{value}"
    account = plan.items[0].candidate.account or books.chart.receivables
    notice = repo.NoticeRow(
        id=uuid.uuid4(),
        run_id=run_id,
        number=number,
        notice_date=day,
        customer_id=plan.customer_id,
        customer_name=repo.customer_name(session, tenant_id, plan.customer_id),
        level=plan.level,
        currency=plan.currency,
        dunned=plan.total,
        fee=plan.fee,
        unpaid_account=account,
        journal_id=_post_fee(
            session, books, plan, (number, day, account), actor=actor, clock=clock
        ),
    )
    repo.insert_notice(
        session, tenant_id, notice, [i.candidate for i in plan.items], at=clock.now()
    )
    changes = [Change(AuditAction.CREATE, NOTICE, number, None, _snapshot(notice, plan))]
    changes += _mark_documents(session, tenant_id, plan, day)
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return number


def _mark_documents(
    session: Session, tenant_id: uuid.UUID, plan: NoticePlan, day: date
) -> list[Change]:
    """Each dunned document's ``dunningDate`` and ``lastDunningLevel``, audited."""
    changes = []
    for item in plan.items:
        doc = item.candidate.document_id
        before = repo.mark_dunned(session, tenant_id, doc, day, item.level.id)
        after = {"dunningDate": day, "lastDunningLevel": str(item.level.id)}
        changes.append(Change(AuditAction.UPDATE, DOCUMENT, doc, before, after))
    return changes


def _post_fee(
    session: Session,
    books: TenantBooks,
    plan: NoticePlan,
    what: tuple[str, date, str],
    *,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """DE: the fee as a receivable (debit) against the level's fee account (credit); EA
    books income only when it is paid, so nothing here."""
    number, day, account = what
    if plan.fee <= 0 or books.mode is not AccountingMode.DE:
        return None
    text = messages.text("documents.dunning_fee_journal", messages.ENGLISH, number=number)
    draft = JournalDraft(
        journal_type=JournalType.INCOME,
        booking_date=day,
        currency=Currency.of(plan.currency),
        postings=(Posting(account, plan.fee), Posting(plan.level.account, -plan.fee)),
        rate=plan.items[0].candidate.rate,  # the dunned invoices' rate, as their booking
        description=text,
    )
    journal = post_journals(
        session, actor=actor, tenant_id=books.tenant_id, drafts=[draft], clock=clock
    )
    return journal[0].id


def _snapshot(notice: repo.NoticeRow, plan: NoticePlan) -> dict[str, object]:
    return {
        "customerId": str(notice.customer_id),
        "level": notice.level.number,
        "currency": notice.currency,
        "dunned": str(notice.dunned),
        "fee": str(notice.fee),
        "documents": [str(i.candidate.document_id) for i in plan.items],
    }


def update_settings(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    automated: bool,
    include_deposit_invoices: bool,
    clock: Clock,
) -> repo.Settings:
    """Automated dunning on or off, and deposit invoices included (only with automated
    dunning, seed 001: 400 naming ``includeDepositInvoices``)."""
    if include_deposit_invoices and not automated:
        raise ValidationFailed(
            "documents.dunning_deposits_need_automation", field="includeDepositInvoices"
        )
    after = repo.Settings(automated, include_deposit_invoices)
    with db.transaction() as session:
        before = repo.load_settings(session, tenant_id)
        repo.save_settings(session, tenant_id, after, clock.now())
        change = Change(
            AuditAction.UPDATE, SETTINGS, tenant_id, _settings(before), _settings(after)
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return after


def _settings(settings: repo.Settings) -> dict[str, object]:
    return {
        "automated": settings.automated,
        "includeDepositInvoices": settings.include_deposit_invoices,
    }
