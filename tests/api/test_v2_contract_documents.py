"""Documents filed with a contract (seed 002): upload checked by content, list, download,
settings, delete; audited; other tenants see nothing."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, contract_documents
from tests.api.test_v2_contracts import contract, freeze, setup
from tests.conftest import TenantFixture


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def upload(
    client: TestClient,
    tenant: TenantFixture,
    contract_id: str,
    *,
    data: bytes,
    media: str,
    name: str,
) -> object:
    return client.post(
        f"/v2/contracts/{contract_id}/documents?fileName={name}&sendByMail=true",
        content=data,
        headers={**tenant.headers, "Content-Type": media},
    )


def test_upload_list_download_change_delete(
    client: TestClient,
    tenant: TenantFixture,
    db: Database,
) -> None:
    freeze(client, tenant, "2026-03-01")
    made = contract(client, tenant, setup(client, tenant), "2026-03-01")
    response = upload(
        client, tenant, made["id"], data=PDF, media="application/pdf", name="Vertrag.pdf"
    )
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    stored = response.json()  # type: ignore[attr-defined]
    assert (stored["mediaType"], stored["size"], stored["sendByMail"]) == (
        "application/pdf",
        len(PDF),
        True,
    )
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    base = f"/v2/contracts/{made['id']}/documents"
    listed = client.get(base, headers=tenant.headers).json()
    assert [d["fileName"] for d in listed["items"]] == ["Vertrag.pdf"]
    download = client.get(f"{base}/{stored['id']}/content", headers=tenant.headers)
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="Vertrag.pdf"' in download.headers["content-disposition"]
    changed = client.patch(
        f"{base}/{stored['id']}", json={"sendByMail": False}, headers=tenant.headers
    ).json()
    assert changed["sendByMail"] is False
    assert client.delete(f"{base}/{stored['id']}", headers=tenant.headers).status_code == 204
    assert client.get(f"{base}/{stored['id']}", headers=tenant.headers).status_code == 404
    with db.reader() as session:
        actions = session.execute(
            select(audit_entries.c.action).where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_type == "ContractDocument",
            )
        ).scalars()
        assert sorted(actions) == ["CREATE", "DELETE", "UPDATE"]


def test_refused_uploads_name_the_rule_and_store_nothing(
    client: TestClient,
    tenant: TenantFixture,
    other_tenant: TenantFixture,
    db: Database,
) -> None:
    freeze(client, tenant, "2026-03-01")
    made = contract(client, tenant, setup(client, tenant), "2026-03-01")
    cases = [
        (b"MZ\x90\x00 not a pdf", "application/pdf", "a.pdf", 415, "body"),
        (PNG, "application/pdf", "scan.pdf", 415, "Content-Type"),
        (b"", "application/pdf", "a.pdf", 400, "body"),
        (PDF, "application/pdf", "..%2Fetc%2Fpasswd", 400, "fileName"),
    ]
    for data, media, name, status, field in cases:
        response = upload(client, tenant, made["id"], data=data, media=media, name=name)
        assert response.status_code == status, response.text  # type: ignore[attr-defined]
        assert field in response.text  # type: ignore[attr-defined]
    foreign = upload(
        client, other_tenant, made["id"], data=PDF, media="application/pdf", name="a.pdf"
    )
    assert foreign.status_code == 404  # type: ignore[attr-defined]
    with db.reader() as session:
        count = session.execute(
            select(func.count())
            .select_from(contract_documents)
            .where(contract_documents.c.tenant_id == tenant.id)
        ).scalar_one()
    assert count == 0


def test_the_upload_documents_its_file_types_and_the_415(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v2/contracts/{contract_id}/documents"]
    upload = operation["post"]
    assert set(upload["requestBody"]["content"]) == {"application/pdf", "image/png", "image/jpeg"}
    assert "415" in upload["responses"]
