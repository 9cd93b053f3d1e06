"""Documents filed with a contract: add (a PDF or an image, checked by its content), change
the settings (file name, send by mail), delete. One transaction each, audited; the content's
SHA-256 goes into the audit trail, the content itself does not."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contract_documents as repo
from beleg.db import contracts as contracts_db
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contracts.documents import ContractDocument, check_content, check_file_name
from beleg.domain.identity.principal import Actor
from beleg.formats.files import media_type_of
from beleg.services.contracts.contracts import DOCUMENT


def add_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    file_name: str,
    declared_type: str,
    data: bytes,
    send_by_mail: bool,
    clock: Clock,
) -> ContractDocument:
    media_type = check_content(data, media_type_of(data), declared_type)
    with db.transaction() as session:
        contracts_db.load(session, tenant_id, contract_id, lock=True)
        now = clock.now()
        document = ContractDocument(
            id=uuid.uuid4(),
            contract_id=contract_id,
            file_name=check_file_name(file_name),
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            send_by_mail=send_by_mail,
            created_at=now,
            updated_at=now,
        )
        repo.insert_document(session, tenant_id=tenant_id, document=document, data=data)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            document=document,
            clock=clock,
        )
        return document


def change_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    document_id: uuid.UUID,
    file_name: str | None,
    send_by_mail: bool | None,
    clock: Clock,
) -> ContractDocument:
    with db.transaction() as session:
        before = repo.find(session, tenant_id, contract_id, document_id, lock=True)
        document = replace(
            before,
            file_name=before.file_name if file_name is None else check_file_name(file_name),
            send_by_mail=before.send_by_mail if send_by_mail is None else send_by_mail,
            updated_at=clock.now(),
        )
        repo.update_document(session, tenant_id=tenant_id, document=document)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            document=document,
            clock=clock,
            before=before,
        )
        return document


def delete_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    document_id: uuid.UUID,
    clock: Clock,
) -> None:
    with db.transaction() as session:
        before = repo.find(session, tenant_id, contract_id, document_id, lock=True)
        repo.delete_document(session, tenant_id=tenant_id, document_id=document_id)
        _audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            document=before,
            clock=clock,
            before=before,
        )


def _audit(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    action: AuditAction,
    document: ContractDocument,
    clock: Clock,
    before: ContractDocument | None = None,
) -> None:
    """The entry of a change; a deleted document's ``after`` is empty."""
    after = None if action is AuditAction.DELETE else repo.snapshot(document)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=action,
        entity_type=DOCUMENT,
        entity_id=document.id,
        before=None if before is None else repo.snapshot(before),
        after=after,
        clock=clock,
    )
