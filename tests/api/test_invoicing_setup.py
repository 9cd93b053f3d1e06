"""Seed 003 §4.14 InvoicingSetup on a new tenant (exactly one default each), and the /v2
management of payment terms, layout setups, sequence groups, document counters and number
strategies: validation naming the field, 404s, one default, audit, scopes, tenancy."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.queries.documents.setup import (
    default_sequence_group_id,
    layout_setup,
    payment_term,
    sequence_group_id,
)
from beleg.services.identity.api_keys import create_api_key
from beleg.services.numbering.allocation import allocate_document_number
from tests.conftest import TenantFixture, make_tenant, system_actor

V11 = "/api/1.1"


def _get(client: TestClient, tenant: TenantFixture, path: str) -> Any:
    response = client.get(path, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return json.loads(response.content, parse_float=Decimal)


def _send(client: TestClient, tenant: TenantFixture, request: str, body: Any, status: int) -> Any:
    method, path = request.split(" ", 1)
    response = client.request(method, path, json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json()


def _field_error(
    client: TestClient, tenant: TenantFixture, request: str, body: Any, field: str
) -> None:
    problem = _send(client, tenant, request, body, 400)
    assert [e["field"] for e in problem["errors"]] == [field], problem


def _key(db: Database, tenant: TenantFixture, *scopes: str) -> dict[str, str]:
    token = create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name="limited",
        scopes=list(scopes),
        validity_days=7,
        clock=SystemClock(),
    ).token
    return {"Authorization": f"Bearer {token}"}


# --- seed 003 §4.14 -------------------------------------------------------------------


def test_payment_terms_of_a_new_tenant(client: TestClient, tenant: TenantFixture) -> None:
    terms = _get(client, tenant, f"{V11}/payment_terms")
    assert [set(t) for t in terms] == [
        {"id", "name", "description", "dueDays", "dunningDays", "defaultTerm"}
    ] * 2
    default = [t for t in terms if t["defaultTerm"]]
    assert len(default) == 1
    assert (default[0]["name"], default[0]["dueDays"], default[0]["dunningDays"]) == (
        "14 Tage netto",
        14,
        14,
    )
    assert {t["name"]: t["dueDays"] for t in terms} == {"14 Tage netto": 14, "5 Tage": 5}


def test_layout_setups_and_sequence_groups_of_a_new_tenant(
    client: TestClient, tenant: TenantFixture
) -> None:
    setups = _get(client, tenant, f"{V11}/layout_setups")
    assert len(setups) == 1 and set(setups[0]) == {"id", "description", "defaultSetup"}
    assert setups[0]["description"] == "Standard" and setups[0]["defaultSetup"] is True
    groups = _get(client, tenant, f"{V11}/sequence_groups")
    assert len(groups) == 1
    assert {k: v for k, v in groups[0].items() if k != "id"} == {
        "name": "Standard",
        "base": "ANNUAL",
        "defaultGroup": True,
    }


@pytest.mark.parametrize(
    ("country", "chart", "account"),
    [("AT", None, "4880"), ("DE", "SKR03", "2650"), ("DE", "SKR04", "7100")],
)
def test_dunning_levels_form_a_chain(
    client: TestClient,
    db: Database,
    platform: dict[str, object],
    *,
    country: str,
    chart: str | None,
    account: str,
) -> None:
    tenant = make_tenant(db, country=country, chart=chart)
    levels = _get(client, tenant, f"{V11}/dunning_levels")
    assert [lv["internalName"] for lv in levels] == [
        "1. Zahlungserinnerung",
        "1. Mahnung",
        "2. Mahnung",
    ]
    assert [lv["fixedFee"] for lv in levels] == [Decimal("0.00"), Decimal("5.00"), Decimal("10.00")]
    assert [lv["previousLevel"] for lv in levels] == [None, levels[0]["id"], levels[1]["id"]]
    assert [lv["defaultFlag"] for lv in levels] == [True, False, False]
    assert {(lv["account"], lv["taxClassEntry"]) for lv in levels} == {(account, "000")}
    assert set(levels[0]) == {
        "id",
        "internalName",
        "description",
        "documentSubject",
        "fixedFee",
        "feePercentage",
        "dunningDays",
        "previousLevel",
        "dunningLineText",
        "account",
        "dunningEndText",
        "taxClassEntry",
        "defaultFlag",
    }
    first = _get(client, tenant, f"{V11}/dunning_levels/first_levels")
    assert first == [levels[0]]


def test_resolvers_default_and_name_the_field(db: Database, tenant: TenantFixture) -> None:
    with db.reader() as session:
        term = payment_term(session, tenant.id, None)
        assert (term.name, term.due_days) == ("14 Tage netto", 14)
        assert term.due_date(date(2018, 12, 31)) == date(2019, 1, 14)
        assert payment_term(session, tenant.id, str(term.id)) == term
        setup = layout_setup(session, tenant.id, None)
        texts = setup.texts_for(DocumentType.INVOICE)
        assert texts.description == "Nachfolgend finden Sie die Detailaufstellung zur Rechnung."
        assert texts.footer == "Vielen Dank für Ihren Auftrag."
        assert setup.texts_for(DocumentType.OFFER, "en").description.startswith("We are")
        group = default_sequence_group_id(session, tenant.id)
        assert sequence_group_id(session, tenant.id, None) == group
        assert sequence_group_id(session, tenant.id, str(group)) == group
        for resolve, field in (
            (payment_term, "paymentTerm"),
            (layout_setup, "layoutSetup"),
            (sequence_group_id, "sequenceGroup"),
        ):
            for wrong in (uuid.uuid4(), "nonsense"):
                with pytest.raises(ValidationFailed) as caught:
                    resolve(session, tenant.id, wrong)  # type: ignore[operator]  # resolvers of 3 types
                assert caught.value.field == field


# --- /v2 payment terms and layout setups ----------------------------------------------


def test_payment_terms_keep_exactly_one_default(client: TestClient, tenant: TenantFixture) -> None:
    old_default = next(t for t in _get(client, tenant, f"{V11}/payment_terms") if t["defaultTerm"])
    made = _send(
        client,
        tenant,
        "POST /v2/payment-terms",
        {"name": "30 Tage", "dueDays": 30, "defaultTerm": True},
        201,
    )
    assert made["dunningDays"] == 30 and made["defaultTerm"] is True
    terms = _get(client, tenant, f"{V11}/payment_terms")
    assert [t["id"] for t in terms if t["defaultTerm"]] == [made["id"]]
    # The default cannot be switched off: another one must become the default.
    _field_error(
        client,
        tenant,
        f"PUT /v2/payment-terms/{made['id']}",
        {"name": "30 Tage", "dueDays": 30},
        "defaultTerm",
    )
    changed = _send(
        client,
        tenant,
        f"PUT /v2/payment-terms/{old_default['id']}",
        {
            "name": "14 Tage",
            "dueDays": 14,
            "dunningDays": 21,
            "fixedDueDate": True,
            "defaultTerm": True,
        },
        200,
    )
    assert (changed["name"], changed["dunningDays"], changed["fixedDueDate"]) == (
        "14 Tage",
        21,
        True,
    )
    page = _get(client, tenant, "/v2/payment-terms?search=defaultTerm==true")
    assert [t["id"] for t in page["items"]] == [old_default["id"]] and page["total"] == 1
    audit = _get(client, tenant, "/v2/audit-trail?search=entityType==PaymentTerm&size=50")
    entries = sorted(audit["items"], key=lambda e: e["seq"])
    assert [(e["action"], e["entityId"]) for e in entries] == [
        ("CREATE", made["id"]),
        ("UPDATE", old_default["id"]),  # the old default cleared
        ("UPDATE", old_default["id"]),
        ("UPDATE", made["id"]),
    ]  # the refused PUT: nothing
    assert entries[1]["after"] == {"defaultTerm": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "dueDays": 3}, "name"),
        ({"name": "x", "dueDays": -1}, "dueDays"),
        ({"name": "x", "dueDays": 3, "dunningDays": 9999}, "dunningDays"),
        ({"name": "x"}, "dueDays"),
        ({"name": "a\x00b", "dueDays": 3}, "name"),
        ({"name": "x", "dueDays": 3, "description": "\x00"}, "description"),
        ({"name": "x", "dueDays": 3, "colour": "red"}, "colour"),
    ],
)
def test_bad_payment_terms_name_the_field(
    client: TestClient, tenant: TenantFixture, body: dict[str, Any], field: str
) -> None:
    _field_error(client, tenant, "POST /v2/payment-terms", body, field)
    assert len(_get(client, tenant, f"{V11}/payment_terms")) == 2


def test_unknown_and_foreign_ids_are_404(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    foreign = _get(client, other_tenant, f"{V11}/payment_terms")[0]["id"]
    for wrong in (foreign, str(uuid.uuid4())):
        assert client.get(f"/v2/payment-terms/{wrong}", headers=tenant.headers).status_code == 404
        _send(client, tenant, f"PUT /v2/payment-terms/{wrong}", {"name": "x", "dueDays": 1}, 404)
    for path in ("layout-setups", "sequence-groups", "document-counters"):
        assert client.get(f"/v2/{path}/{uuid.uuid4()}", headers=tenant.headers).status_code == 404
    _send(client, tenant, f"PUT /v2/layout-setups/{uuid.uuid4()}", {"description": "x"}, 404)
    _send(
        client,
        tenant,
        f"PUT /v2/sequence-groups/{uuid.uuid4()}",
        {"name": "x", "base": "ANNUAL"},
        404,
    )
    _send(client, tenant, f"PUT /v2/document-counters/{uuid.uuid4()}", {"name": "x"}, 404)


def test_layout_setups_with_texts_and_sender(client: TestClient, tenant: TenantFixture) -> None:
    body = {
        "description": "English",
        "language": "en",
        "defaultSetup": True,
        "texts": {"INVOICE": {"en": {"description": "Your invoice", "footer": "Thanks"}}},
        "sender": {
            "companyName": "Beleg GmbH",
            "addressLines": ["Ring 1", "1010 Wien"],
            "vatId": "ATU12345678",
            "iban": "AT61 1904 3002 3457 3201",
            "bic": "bkauatww",
        },
    }
    made = _send(client, tenant, "POST /v2/layout-setups", body, 201)
    assert made["sender"]["iban"] == "AT611904300234573201" and made["sender"]["bic"] == "BKAUATWW"
    assert made["texts"] == body["texts"] and made["language"] == "en"
    listed = _get(client, tenant, f"{V11}/layout_setups")
    assert [s["description"] for s in listed if s["defaultSetup"]] == ["English"]
    kept = _send(
        client,
        tenant,
        f"PUT /v2/layout-setups/{made['id']}",
        {"description": "English 2", "language": "en", "defaultSetup": True},
        200,
    )
    assert kept["texts"] == body["texts"] and kept["sender"]["companyName"] is None
    plain = _send(client, tenant, "POST /v2/layout-setups", {"description": "Neu"}, 201)
    assert plain["texts"]["INVOICE"]["de"]["footer"] == "Vielen Dank für Ihren Auftrag."
    assert set(plain["texts"]) == {t.value for t in DocumentType}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x", "language": "fr"}, "language"),
        ({"description": "x", "sender": {"iban": "AT00 1234"}}, "sender.iban"),
        ({"description": "x", "sender": {"bic": "ABC"}}, "sender.bic"),
        (
            {"description": "x", "sender": {"iban": "AT\u0663\u0661 1904 3002 3457 3201"}},
            "sender.iban",
        ),
        ({"description": "x", "texts": {"RECEIPT": {}}}, "texts.RECEIPT"),
        ({"description": "x", "texts": {"OFFER": {"fr": {}}}}, "texts.OFFER.fr"),
        ({"description": "x", "texts": {"OFFER": {"de": {"subject": "x"}}}}, "texts.OFFER.de"),
    ],
)
def test_bad_layout_setups_name_the_field(
    client: TestClient, tenant: TenantFixture, body: dict[str, Any], field: str
) -> None:
    _field_error(client, tenant, "POST /v2/layout-setups", body, field)


# --- /v2 sequence groups, counters and strategies -------------------------------------


def test_sequence_groups(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    made = _send(
        client,
        tenant,
        "POST /v2/sequence-groups",
        {"name": "Fortlaufend", "base": "PERMANENT", "defaultGroup": True},
        201,
    )
    assert set(made["counters"]) == {t.value for t in DocumentType}
    counter = _get(client, tenant, f"/v2/document-counters/{made['counters']['INVOICE']}")
    assert (counter["prefix"], counter["reset"]) == ("R ", "NEVER")
    groups = _get(client, tenant, f"{V11}/sequence_groups")
    assert [g["name"] for g in groups if g["defaultGroup"]] == ["Fortlaufend"]
    with db.transaction() as session:
        number = allocate_document_number(
            session, tenant_id=tenant.id, doc_type=DocumentType.INVOICE, doc_date=date(2026, 6, 1)
        )
    assert number == "R 1"
    assert _get(client, tenant, f"/v2/document-counters/{counter['id']}")["values"] == [
        {"period": "-", "lastValue": 1}
    ]
    _field_error(
        client,
        tenant,
        f"PUT /v2/sequence-groups/{made['id']}",
        {"name": "x", "base": "ANNUAL", "defaultGroup": True},
        "base",
    )
    standard = next(g for g in groups if g["name"] == "Standard")
    moved = _send(
        client,
        tenant,
        f"PUT /v2/sequence-groups/{standard['id']}",
        {
            "name": "Jährlich",
            "base": "ANNUAL",
            "defaultGroup": True,
            "counters": {"OFFER": counter["id"]},
        },
        200,
    )
    assert moved["counters"]["OFFER"] == counter["id"] and moved["name"] == "Jährlich"
    page = _get(client, tenant, "/v2/sequence-groups?sort=name")
    assert [(g["name"], g["defaultGroup"]) for g in page["items"]] == [
        ("Fortlaufend", False),
        ("Jährlich", True),
    ]
    _field_error(
        client,
        tenant,
        "POST /v2/sequence-groups",
        {"name": "x", "base": "ANNUAL", "counters": {"INVOICE": str(uuid.uuid4())}},
        "counters.INVOICE",
    )
    _field_error(client, tenant, "POST /v2/sequence-groups", {"name": "x"}, "base")


def test_document_counters(client: TestClient, tenant: TenantFixture) -> None:
    listed = _get(client, tenant, "/v2/document-counters")
    assert listed["total"] == 5
    assert sorted(c["prefix"] for c in listed["items"]) == [
        "AB {yyyy} ",
        "AN {yyyy} ",
        "G {yyyy} ",
        "L {yyyy} ",
        "R {yyyy} ",
    ]
    made = _send(
        client,
        tenant,
        "POST /v2/document-counters",
        {"name": "Export", "prefix": "EX-{yy}{mm}-", "width": 5, "reset": "MONTHLY", "start": 10},
        201,
    )
    assert (made["affixSource"], made["values"]) == ("COUNTER", [])
    changed = _send(
        client,
        tenant,
        f"PUT /v2/document-counters/{made['id']}",
        {
            "name": "Export 2",
            "prefix": "E-",
            "width": 2,
            "reset": "MONTHLY",
            "start": 10,
            "affixSource": "STRATEGY",
        },
        200,
    )
    assert (changed["name"], changed["prefix"], changed["affixSource"]) == (
        "Export 2",
        "E-",
        "STRATEGY",
    )
    for body, field in (
        ({"name": "x", "prefix": "{year}"}, "prefix"),
        ({"name": "x", "suffix": "}"}, "suffix"),
        ({"name": "x", "width": 99}, "width"),
        ({"name": "x", "start": -5}, "start"),
        ({"name": "x", "reset": "WEEKLY"}, "reset"),
        ({"name": " "}, "name"),
    ):
        _field_error(client, tenant, "POST /v2/document-counters", body, field)
    assert _get(client, tenant, "/v2/document-counters")["total"] == 6


def test_number_strategies(client: TestClient, tenant: TenantFixture) -> None:
    default = _get(client, tenant, "/v2/number-strategies/INVOICE")
    assert default == {"docType": "INVOICE", "prefix": "R {yyyy} ", "suffix": "", "rules": []}
    counter = _send(
        client, tenant, "POST /v2/document-counters", {"name": "DE", "prefix": "DE-"}, 201
    )
    rules = [
        {"priority": 5, "counterId": counter["id"], "country": "de", "customerType": "COMPANY"},
        {"priority": 1, "counterId": counter["id"], "billingGroup": "B2B"},
    ]
    saved = _send(
        client,
        tenant,
        "PUT /v2/number-strategies/INVOICE",
        {"prefix": "RE-", "suffix": "-{yy}", "rules": rules},
        200,
    )
    assert (saved["prefix"], saved["suffix"]) == ("RE-", "-{yy}")
    assert [
        (r["priority"], r["country"], r["customerType"], r["billingGroup"]) for r in saved["rules"]
    ] == [(5, "DE", "COMPANY", None), (1, None, None, "B2B")]
    assert _get(client, tenant, "/v2/number-strategies/INVOICE") == saved
    base = {"prefix": "", "suffix": ""}
    for rule, field in (
        ({"priority": 1, "counterId": str(uuid.uuid4())}, "rules.0.counterId"),
        ({"priority": 1, "counterId": counter["id"], "country": "XX"}, "rules.0.country"),
        (
            {"priority": 1, "counterId": counter["id"], "customerType": "ROBOT"},
            "rules.0.customerType",
        ),
    ):
        _field_error(
            client, tenant, "PUT /v2/number-strategies/INVOICE", {**base, "rules": [rule]}, field
        )
    _field_error(client, tenant, "PUT /v2/number-strategies/INVOICE", {"prefix": "{x}"}, "prefix")
    _field_error(client, tenant, "PUT /v2/number-strategies/RECEIPT", base, "docType")
    assert client.get("/v2/number-strategies/RECEIPT", headers=tenant.headers).status_code == 400
    assert _get(client, tenant, "/v2/number-strategies/INVOICE") == saved  # nothing changed
    audit = _get(client, tenant, "/v2/audit-trail?search=entityType==NumberStrategy")
    assert audit["total"] == 1


# --- scopes --------------------------------------------------------------------------


def test_scopes_are_enforced(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    reader = _key(db, tenant, "documents:read")
    for path in (
        "/payment_terms",
        "/layout_setups",
        "/sequence_groups",
        "/dunning_levels",
        "/dunning_levels/first_levels",
    ):
        assert client.get(f"{V11}{path}", headers=reader).status_code == 200
    for path in ("payment-terms", "layout-setups", "sequence-groups", "document-counters"):
        assert client.get(f"/v2/{path}", headers=reader).status_code == 200
    writes = [
        ("POST", "/v2/payment-terms", {"name": "x", "dueDays": 1}),
        ("POST", "/v2/layout-setups", {"description": "x"}),
        ("POST", "/v2/sequence-groups", {"name": "x", "base": "ANNUAL"}),
        ("POST", "/v2/document-counters", {"name": "x"}),
        ("PUT", "/v2/number-strategies/OFFER", {"prefix": "x"}),
    ]
    for method, path, body in writes:
        denied = client.request(method, path, json=body, headers=reader)
        assert denied.status_code == 403 and "documents:write" in denied.text, path
    outsider = _key(db, tenant, "ledger:read")
    for path in (f"{V11}/payment_terms", "/v2/payment-terms", "/v2/number-strategies/OFFER"):
        denied = client.get(path, headers=outsider)
        assert denied.status_code == 403 and "documents:read" in denied.text, path
    assert _get(client, tenant, "/v2/number-strategies/OFFER")["prefix"] == "AN {yyyy} "
