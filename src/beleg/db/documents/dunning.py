"""Dunning data access (ADR 0027): the tenant's level chain, the open invoices as dunning
candidates, runs, notices, their items, the documents' dunning state, settings and blocks.
Scoped to one tenant, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import (
    contacts,
    direct_debit_items,
    dunning_blocks,
    dunning_levels,
    dunning_notice_items,
    dunning_notices,
    dunning_runs,
    dunning_settings,
    sales_documents,
)
from beleg.domain.documents.dunning import CUSTOMER, SETTLEMENT_DAYS, Candidate, Level
from beleg.domain.errors import ValidationFailed

D, N, NI, K = sales_documents.c, dunning_notices.c, dunning_notice_items.c, dunning_blocks.c
DEPOSIT_CODE = "386"  # UNTDID 1001: prepayment invoice


@dataclass(frozen=True, slots=True)
class Settings:
    automated: bool = False
    include_deposit_invoices: bool = False


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: uuid.UUID
    run_id: uuid.UUID
    number: str
    notice_date: date
    customer_id: uuid.UUID
    customer_name: str | None
    level: Level
    currency: str
    dunned: Decimal
    fee: Decimal
    unpaid_account: str | None
    journal_id: uuid.UUID | None


def _level(row: Any, number: int) -> Level:
    return Level(
        row.id,
        number,
        row.dunning_days,
        row.fixed_fee,
        row.fee_percentage,
        row.document_subject,
        row.line_text,
        row.end_text,
        row.account,
    )


def level_chain(session: Session, tenant_id: uuid.UUID, first: uuid.UUID | None) -> list[Level]:
    """The chain from ``first`` (default: the default first level, else the oldest first
    level) along ``previous_level_id``; 400 naming ``firstLevel`` when there is none."""
    rows = session.execute(
        select(dunning_levels)
        .where(dunning_levels.c.tenant_id == tenant_id)
        .order_by(dunning_levels.c.created_at, dunning_levels.c.id)
    ).all()
    starts = [r for r in rows if r.previous_level_id is None]
    if first is not None:
        starts = [r for r in starts if r.id == first]
    else:
        starts.sort(key=lambda r: not r.default_flag)
    if not starts:
        raise ValidationFailed(
            "documents.dunning_level_unknown", field="firstLevel", value=str(first or "")
        )
    after = {r.previous_level_id: r for r in rows if r.previous_level_id is not None}
    levels: list[Level] = []
    row: Any = starts[0]
    while row is not None and len(levels) < len(rows):
        levels.append(_level(row, len(levels) + 1))
        row = after.get(row.id)
    return levels


def _dunned(tenant_id: uuid.UUID) -> Any:
    return (
        select(
            NI.document_id,
            func.max(NI.level_no).label("level"),
            func.max(N.notice_date).label("noticed"),
        )
        .join(dunning_notices, and_(N.tenant_id == NI.tenant_id, N.id == NI.notice_id))
        .where(NI.tenant_id == tenant_id)
        .group_by(NI.document_id)
        .subquery("dunned")
    )


def _collected(tenant_id: uuid.UUID) -> Any:
    t = direct_debit_items.c
    return (
        select(t.document_id, func.max(t.collection_date).label("collected"))
        .where(t.tenant_id == tenant_id)
        .group_by(t.document_id)
        .subquery("collected")
    )


def candidates(session: Session, tenant_id: uuid.UUID) -> list[Candidate]:
    """Every issued invoice of a customer with a due date and an open amount."""
    dunned, collected = _dunned(tenant_id), _collected(tenant_id)
    rows = session.execute(
        select(
            D.id,
            D.number,
            D.customer_id,
            D.currency,
            D.due_date,
            D.remaining,
            D.type_code,
            D.unpaid_account,
            D.currency_rate,
            dunned.c.level,
            dunned.c.noticed,
            collected.c.collected,
        )
        .select_from(
            sales_documents.outerjoin(dunned, dunned.c.document_id == D.id).outerjoin(
                collected, collected.c.document_id == D.id
            )
        )
        .where(
            D.tenant_id == tenant_id,
            D.doc_type == "INVOICE",
            D.state.in_(("FINALIZED", "EXTERNAL")),
            D.customer_id.is_not(None),
            D.due_date.is_not(None),
            D.remaining > 0,
        )
        .order_by(D.due_date, D.number)
    ).all()
    blocked = _blocked(session, tenant_id, {r.customer_id for r in rows})
    return [_candidate(r, blocked) for r in rows]


def _candidate(r: Any, blocked: set[uuid.UUID]) -> Candidate:
    window = timedelta(days=SETTLEMENT_DAYS)
    return Candidate(
        document_id=r.id,
        number=r.number or "",
        customer_id=r.customer_id,
        currency=r.currency,
        due_date=r.due_date,
        remaining=Decimal(r.remaining),
        last_level=r.level or 0,
        last_notice=r.noticed,
        deposit=r.type_code == DEPOSIT_CODE,
        blocked=r.id in blocked or r.customer_id in blocked,
        collecting_until=r.collected + window if r.collected is not None else None,
        account=r.unpaid_account,
        rate=Decimal(r.currency_rate),
    )


def _blocked(session: Session, tenant_id: uuid.UUID, customers: set[uuid.UUID]) -> set[uuid.UUID]:
    """The ids of blocked customers and documents: dunning blocks, and the seed's
    ``dunningStop`` of a customer."""
    ids = set(session.execute(select(K.subject_id).where(K.tenant_id == tenant_id)).scalars())
    c = contacts.c
    stopped = session.execute(
        select(c.id, c.fields).where(c.tenant_id == tenant_id, c.id.in_(customers))
    ).all()
    return ids | {row.id for row in stopped if (row.fields or {}).get("dunningStop")}


def insert_run(
    session: Session,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    as_of: date,
    counts: tuple[int, int],
    at: datetime,
) -> None:
    notices, items = counts
    session.execute(
        insert(dunning_runs).values(
            tenant_id=tenant_id,
            id=run_id,
            as_of=as_of,
            notice_count=notices,
            item_count=items,
            created_at=at,
        )
    )


def insert_notice(
    session: Session,
    tenant_id: uuid.UUID,
    notice: NoticeRow,
    items: Sequence[Candidate],
    at: datetime,
) -> None:
    level = notice.level
    session.execute(
        insert(dunning_notices).values(
            tenant_id=tenant_id,
            id=notice.id,
            run_id=notice.run_id,
            number=notice.number,
            notice_date=notice.notice_date,
            customer_id=notice.customer_id,
            customer_name=notice.customer_name,
            level_id=level.id,
            level_no=level.number,
            currency=notice.currency,
            dunned=notice.dunned,
            fee=notice.fee,
            fee_remaining=notice.fee,
            unpaid_account=notice.unpaid_account,
            journal_id=notice.journal_id,
            subject=level.subject,
            line_text=level.line_text,
            end_text=level.end_text,
            created_at=at,
        )
    )
    _insert_items(session, tenant_id, notice.id, items)


def _insert_items(
    session: Session, tenant_id: uuid.UUID, notice_id: uuid.UUID, items: Sequence[Candidate]
) -> None:
    session.execute(
        insert(dunning_notice_items),
        [
            {
                "tenant_id": tenant_id,
                "notice_id": notice_id,
                "document_id": i.document_id,
                "level_no": i.last_level + 1,
                "number": i.number,
                "due_date": i.due_date,
                "remaining": i.remaining,
            }
            for i in items
        ],
    )


def mark_dunned(
    session: Session, tenant_id: uuid.UUID, document_id: uuid.UUID, day: date, level_id: uuid.UUID
) -> dict[str, Any]:
    """Set a document's ``dunningDate`` and ``lastDunningLevel``; returns the state before."""
    row = session.execute(
        select(D.dunning_date, D.fields).where(D.tenant_id == tenant_id, D.id == document_id)
    ).one()
    fields = dict(row.fields or {})
    before = {"dunningDate": row.dunning_date, "lastDunningLevel": fields.get("lastDunningLevel")}
    fields["lastDunningLevel"] = str(level_id)
    session.execute(
        update(sales_documents)
        .where(D.tenant_id == tenant_id, D.id == document_id)
        .values(dunning_date=day, fields=fields)
    )
    return before


def customer_name(session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> str | None:
    c = contacts.c
    name: str | None = session.execute(
        select(c.display_name).where(c.tenant_id == tenant_id, c.id == customer_id)
    ).scalar_one_or_none()
    return name


def load_settings(session: Session, tenant_id: uuid.UUID) -> Settings:
    s = dunning_settings.c
    row = session.execute(select(dunning_settings).where(s.tenant_id == tenant_id)).first()
    return Settings(row.automated, row.include_deposit_invoices) if row else Settings()


def lock_runs(session: Session, tenant_id: uuid.UUID, at: datetime) -> None:
    """Serialise the tenant's dunning runs on its settings row (made on first use): a second
    run waits for the first and then reads what it dunned, so it duns nothing twice."""
    s = dunning_settings.c
    where = s.tenant_id == tenant_id
    if session.execute(select(s.tenant_id).where(where).with_for_update()).first() is None:
        try:
            with session.begin_nested():
                save_settings(session, tenant_id, Settings(), at)
        except IntegrityError:  # a concurrent run made it first
            pass
        session.execute(select(s.tenant_id).where(where).with_for_update()).first()


def save_settings(session: Session, tenant_id: uuid.UUID, settings: Settings, at: datetime) -> None:
    s = dunning_settings.c
    session.execute(delete(dunning_settings).where(s.tenant_id == tenant_id))
    session.execute(
        insert(dunning_settings).values(
            tenant_id=tenant_id,
            automated=settings.automated,
            include_deposit_invoices=settings.include_deposit_invoices,
            updated_at=at,
        )
    )


def find_block(
    session: Session, tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID
) -> Any | None:
    where = (K.tenant_id == tenant_id, K.subject == subject, K.subject_id == subject_id)
    return session.execute(select(dunning_blocks).where(*where)).first()


def add_block(
    session: Session, tenant_id: uuid.UUID, key: tuple[str, uuid.UUID], reason: str, at: datetime
) -> None:
    subject, subject_id = key
    session.execute(
        insert(dunning_blocks).values(
            tenant_id=tenant_id,
            subject=subject,
            subject_id=subject_id,
            reason=reason,
            created_at=at,
        )
    )


def remove_block(
    session: Session, tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID
) -> None:
    where = (K.tenant_id == tenant_id, K.subject == subject, K.subject_id == subject_id)
    session.execute(delete(dunning_blocks).where(*where))


def subject_exists(
    session: Session, tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID
) -> bool:
    table = contacts if subject == CUSTOMER else sales_documents
    found = session.execute(
        select(table.c.id).where(table.c.tenant_id == tenant_id, table.c.id == subject_id)
    ).first()
    return found is not None
