"""Data access of the documents filed with contracts, in the caller's transaction and scoped
to one tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import contract_documents
from beleg.domain.contracts.documents import ContractDocument
from beleg.domain.errors import NotFound

D = contract_documents.c
_META = [c for c in contract_documents.c if c.name not in ("content", "tenant_id")]


def find(
    session: Session,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    lock: bool = False,
) -> ContractDocument:
    """The document's metadata, or a 404 naming ``documentId``."""
    query = select(*_META).where(
        D.tenant_id == tenant_id, D.contract_id == contract_id, D.id == document_id
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("contracts.document_not_found", field="documentId", id=document_id)
    return document_of(row)


def filed_with(
    session: Session, tenant_id: uuid.UUID, contract_id: uuid.UUID
) -> list[ContractDocument]:
    """Every document filed with the contract (metadata), oldest first."""
    rows = session.execute(
        select(*_META)
        .where(D.tenant_id == tenant_id, D.contract_id == contract_id)
        .order_by(D.created_at, D.id)
    ).all()
    return [document_of(row) for row in rows]


def content(
    session: Session, tenant_id: uuid.UUID, contract_id: uuid.UUID, document_id: uuid.UUID
) -> tuple[ContractDocument, bytes]:
    row = session.execute(
        select(contract_documents).where(
            D.tenant_id == tenant_id, D.contract_id == contract_id, D.id == document_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound("contracts.document_not_found", field="documentId", id=document_id)
    return document_of(row), bytes(row.content)


def insert_document(
    session: Session, *, tenant_id: uuid.UUID, document: ContractDocument, data: bytes
) -> None:
    session.execute(
        insert(contract_documents).values(tenant_id=tenant_id, content=data, **_values(document))
    )


def update_document(session: Session, *, tenant_id: uuid.UUID, document: ContractDocument) -> None:
    session.execute(
        update(contract_documents)
        .where(D.tenant_id == tenant_id, D.id == document.id)
        .values(
            file_name=document.file_name,
            send_by_mail=document.send_by_mail,
            updated_at=document.updated_at,
        )
    )


def delete_document(session: Session, *, tenant_id: uuid.UUID, document_id: uuid.UUID) -> None:
    session.execute(delete(contract_documents).where(D.tenant_id == tenant_id, D.id == document_id))


def delete_all(session: Session, *, tenant_id: uuid.UUID, contract_id: uuid.UUID) -> None:
    session.execute(
        delete(contract_documents).where(D.tenant_id == tenant_id, D.contract_id == contract_id)
    )


def snapshot(document: ContractDocument) -> dict[str, Any]:
    """The audit trail's view: the metadata and the content's hash, not the content."""
    return {
        "id": str(document.id),
        "contractId": str(document.contract_id),
        "fileName": document.file_name,
        "mediaType": document.media_type,
        "size": document.size,
        "sha256": document.sha256,
        "sendByMail": document.send_by_mail,
    }


def document_of(row: Row[Any]) -> ContractDocument:
    return ContractDocument(
        id=row.id,
        contract_id=row.contract_id,
        file_name=row.file_name,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        send_by_mail=row.send_by_mail,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(document: ContractDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "contract_id": document.contract_id,
        "file_name": document.file_name,
        "media_type": document.media_type,
        "size": document.size,
        "sha256": document.sha256,
        "send_by_mail": document.send_by_mail,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
    }
