"""Read models of the documents filed with a contract (metadata; the content on its own)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db import contract_documents as repo
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import contract_documents
from beleg.domain.contracts.documents import ContractDocument
from beleg.queries.listing import ListSpec

COLUMNS = ["id", "fileName", "mediaType", "size", "sha256", "sendByMail", "createdAt", "updatedAt"]


def document_item(document: ContractDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "fileName": document.file_name,
        "mediaType": document.media_type,
        "size": document.size,
        "sha256": document.sha256,
        "sendByMail": document.send_by_mail,
        "createdAt": document.created_at,
        "updatedAt": document.updated_at,
    }


def document_list(tenant_id: uuid.UUID, contract_id: uuid.UUID) -> ListSpec:
    d = contract_documents.c
    statement = select(*[c for c in d if c.name != "content"]).where(
        d.tenant_id == tenant_id, d.contract_id == contract_id
    )
    return ListSpec(
        statement=statement,
        filters={
            "fileName": FilterField(d.file_name),
            "mediaType": FilterField(d.media_type),
            "sendByMail": FilterField(d.send_by_mail, Kind.BOOLEAN),
            "createdAt": FilterField(d.created_at, Kind.DATETIME),
        },
        sortable={"fileName": d.file_name, "createdAt": d.created_at},
        default_sort=[d.created_at, d.id],
        to_item=lambda row: document_item(repo.document_of(row)),
        columns=COLUMNS,
    )


def document(
    db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID, document_id: uuid.UUID
) -> dict[str, Any]:
    with db.reader() as session:
        return document_item(repo.find(session, tenant_id, contract_id, document_id))


def content(
    db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID, document_id: uuid.UUID
) -> tuple[ContractDocument, bytes]:
    with db.reader() as session:
        return repo.content(session, tenant_id, contract_id, document_id)
