"""Browser sessions, stored by the hash of their cookie token."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import web_sessions
from beleg.domain.identity.sessions import SignInStep, StoredSession, WebSession


def insert_session(session: Session, stored: StoredSession) -> None:
    web = stored.session
    session.execute(
        insert(web_sessions).values(
            token_hash=stored.token_hash,
            tenant_id=web.tenant_id,
            user_id=web.user_id,
            csrf=web.csrf,
            pending=web.pending.value if web.pending else None,
            created_at=stored.created_at,
            expires_at=stored.expires_at,
        )
    )


def session_by_hash(
    session: Session, token_hash: str, *, lock: bool = False
) -> StoredSession | None:
    """The session of a presented cookie (how a browser finds its tenant); ``lock``: until
    the transaction ends."""
    statement = select(web_sessions).where(web_sessions.c.token_hash == token_hash)
    row = session.execute(statement.with_for_update() if lock else statement).one_or_none()
    if row is None:
        return None
    pending = SignInStep(row.pending) if row.pending else None
    web = WebSession(row.tenant_id, row.user_id, row.csrf, pending)
    return StoredSession(row.token_hash, web, row.created_at, row.expires_at)


def set_pending(
    session: Session, tenant_id: uuid.UUID, token_hash: str, pending: SignInStep | None
) -> None:
    s = web_sessions.c
    session.execute(
        update(web_sessions)
        .where(s.tenant_id == tenant_id, s.token_hash == token_hash)
        .values(pending=pending.value if pending else None)
    )
