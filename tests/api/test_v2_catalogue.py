"""The billing catalogue under /v2/options and /v2/plans (spec/billing-api.md, "Option",
"Plan"): the worked examples' catalogues are created and read back with exact string amounts;
every bad input is a 4xx naming the field and writes nothing; price versions; audit entries
and outbox events for every change; lists with RSQL, paging and CSV; tenant isolation; scopes.
"""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.plans import find_plan
from beleg.db.tables import catalog_options, outbox_events, plan_price_versions, plans
from beleg.domain.billing.schedule import price_versions
from beleg.domain.catalog.pricing import rate, usage_quantity
from beleg.services.identity.api_keys import create_api_key
from tests.conftest import TenantFixture, make_tenant, system_actor

BASE = {"code": "BASE", "name": "Base fee", "type": "RECURRING", "taxRate": "19"}
API_CALLS = {
    "code": "API_CALLS",
    "name": "API calls",
    "type": "USAGE",
    "unit": "C62",
    "aggregation": "SUM",
    "taxRate": "19",
}
CPU_HOURS = {
    "code": "CPU_HOURS",
    "name": "CPU hours",
    "type": "TIME_BASED_USAGE",
    "unit": "H",
    "aggregation": "SUM",
    "taxRate": "19",
}
GRADUATED = {
    "model": "GRADUATED",
    "tiers": [
        {"upTo": "1000", "unitPrice": "0.010"},
        {"upTo": "10000", "unitPrice": "0.008"},
        {"upTo": None, "unitPrice": "0.005"},
    ],
}


def call(
    client: TestClient,
    tenant: TenantFixture,
    method: str,
    path: str,
    body: Any = None,
    *,
    status: int = 200,
) -> Any:
    response = client.request(method, f"/v2{path}", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def options(client: TestClient, tenant: TenantFixture) -> None:
    for option in (BASE, API_CALLS, CPU_HOURS):
        call(client, tenant, "POST", "/options", option, status=201)


def start_plan(**extra: Any) -> dict[str, Any]:
    return {
        "code": "START",
        "name": "Start",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": "IN_ADVANCE",
        "items": [
            {"option": "BASE", "quantity": "1", "price": {"model": "FLAT", "amount": "29.00"}}
        ],
        **extra,
    }


def usage_plan(**extra: Any) -> dict[str, Any]:
    return {
        "code": "CLOUD",
        "name": "Cloud",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": "IN_ARREARS",
        "minimumTerm": {"unit": "MONTH", "count": 12},
        "renewalTerm": {"unit": "MONTH", "count": 0},
        "noticePeriod": {"unit": "MONTH", "count": 3},
        "phases": [
            {"type": "TRIAL", "duration": {"unit": "DAY", "count": 14}},
            {"type": "FIXED", "duration": {"unit": "MONTH", "count": 12}},
            {"type": "EVERGREEN"},
        ],
        "pricingGroups": [{"code": "STANDARD", "maxQuantity": {"CPU_HOURS": "600"}}],
        "items": [
            {"option": "API_CALLS", "price": GRADUATED, "freeQuota": "500"},
            {
                "option": "CPU_HOURS",
                "price": {"model": "PER_UNIT", "unitPrice": "0.05"},
                "freeQuota": "100",
            },
        ],
        **extra,
    }


def counts(db: Database, tenant: TenantFixture) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
            for table in (catalog_options, plans, plan_price_versions, outbox_events)
        )


def test_the_worked_examples_catalogues_are_created_and_read_back(
    client: TestClient, tenant: TenantFixture
) -> None:
    options(client, tenant)
    created = call(client, tenant, "POST", "/plans", start_plan(), status=201)
    assert created["status"] == "ACTIVE"
    assert created["billingInterval"] == {"unit": "MONTH", "count": 1}
    assert created["billingTiming"] == "IN_ADVANCE"
    assert created["minimumTerm"] == {"unit": "MONTH", "count": 1}
    (base,) = created["items"]
    assert base["price"] == {"model": "FLAT", "amount": "29.00"}
    assert base["quantity"] == "1"
    assert base["validFrom"] == "1900-01-01"
    call(client, tenant, "POST", "/plans", usage_plan(), status=201)
    cloud = call(client, tenant, "GET", "/plans/CLOUD")
    api, cpu = cloud["items"]
    assert api["option"] == "API_CALLS" and api["type"] == "USAGE"
    assert api["freeQuota"] == "500"
    assert [(t["upTo"], t["unitPrice"]) for t in api["price"]["tiers"]] == [
        ("1000", "0.010"),
        ("10000", "0.008"),
        (None, "0.005"),
    ]
    assert cpu["price"] == {"model": "PER_UNIT", "unitPrice": "0.05"}
    assert cpu["freeQuota"] == "100"
    assert cloud["pricingGroups"] == [{"code": "STANDARD", "maxQuantity": {"CPU_HOURS": "600"}}]
    assert [p["type"] for p in cloud["phases"]] == ["TRIAL", "FIXED", "EVERGREEN"]
    assert cloud["renewalTerm"] == {"unit": "MONTH", "count": 0}
    assert cloud["noticePeriod"] == {"unit": "MONTH", "count": 3}
    option = call(client, tenant, "GET", "/options/API_CALLS")
    assert option["aggregation"] == "SUM" and option["unit"] == "C62"
    assert option["taxRate"] == "19.00"


def test_the_stored_prices_feed_the_rating_of_the_examples(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", usage_plan(), status=201)
    with db.reader() as session:
        plan = find_plan(session, tenant_id=tenant.id, code="CLOUD")
    assert plan is not None
    api, cpu = plan.items
    (standard,) = plan.pricing_groups
    for item, used, cap, net in (
        (api, "12500", None, "92.00"),  # example 2
        (cpu, "900", standard.max_quantity["CPU_HOURS"], "30.00"),  # example 3
    ):
        (version,) = price_versions(item.prices)
        assert item.free_quota is not None
        billable = usage_quantity(Decimal(used), free_quota=item.free_quota, cap=cap).billable
        assert rate(version.model, billable).amount == Decimal(net)


def test_options_with_a_tax_exemption_and_their_changes(
    client: TestClient, tenant: TenantFixture
) -> None:
    exempt = {
        "code": "EXPORT",
        "name": "Export service",
        "type": "ONE_TIME",
        "taxClass": "000",  # the chart's 0 % entry
        "taxExemption": {"category": "K", "reason": "Intra-community", "vatexCode": "VATEX-EU-IC"},
    }
    created = call(client, tenant, "POST", "/options", exempt, status=201)
    assert created["taxExemption"]["vatexCode"] == "VATEX-EU-IC"
    assert created["unit"] is None and created["aggregation"] is None
    changed = call(client, tenant, "PATCH", "/options/EXPORT", {"name": "Export", "unit": "PC"})
    assert changed["name"] == "Export" and changed["unit"] == "PC"
    assert changed["taxClass"] == "000"
    rated = call(client, tenant, "PATCH", "/options/EXPORT", {"taxRate": "0"})
    assert (rated["taxRate"], rated["taxClass"]) == ("0.00", None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BASE, "aggregation": "SUM"}, "aggregation"),
        ({**API_CALLS, "aggregation": None}, "aggregation"),
        ({**BASE, "code": "no spaces"}, "code"),
        ({**BASE, "taxClass": "STANDARD"}, "taxClass"),
        ({**BASE, "taxRate": "101"}, "taxRate"),
        ({**BASE, "taxRate": "19.001"}, "taxRate"),
        ({**BASE, "unit": "PARSEC"}, "unit"),
        ({**BASE, "type": "SOMETIMES"}, "type"),
        (
            {**BASE, "taxRate": None, "taxExemption": {"category": "E", "vatexCode": "EU-IC"}},
            "taxExemption.vatexCode",
        ),
        ({**BASE, "taxRate": None, "taxExemption": {"category": "AE"}}, "taxExemption.reason"),
        ({**BASE, "taxRate": None, "taxExemption": {"category": "X"}}, "taxExemption.category"),
    ],
)
def test_a_bad_option_is_a_400_naming_the_field_and_writes_nothing(
    client: TestClient, db: Database, tenant: TenantFixture, body: dict[str, Any], field: str
) -> None:
    before = counts(db, tenant)
    problem = call(client, tenant, "POST", "/options", body, status=400)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert counts(db, tenant) == before


def test_a_duplicate_code_is_a_409_naming_code(client: TestClient, tenant: TenantFixture) -> None:
    options(client, tenant)
    problem = call(client, tenant, "POST", "/options", BASE, status=409)
    assert problem["errors"][0]["field"] == "code"
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    problem = call(client, tenant, "POST", "/plans", start_plan(), status=409)
    assert problem["errors"][0]["field"] == "code"


def _without_tier_order() -> dict[str, Any]:
    tiers = [{"upTo": "1000", "unitPrice": "0.01"}, {"upTo": "500", "unitPrice": "0.008"}]
    tiers.append({"upTo": None, "unitPrice": "0.005"})
    return usage_plan(items=[{"option": "API_CALLS", "price": {"model": "VOLUME", "tiers": tiers}}])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            start_plan(items=[{"option": "NOPE", "price": {"model": "FLAT", "amount": "1"}}]),
            "items[0].option",
        ),
        (_without_tier_order(), "items[0].price.tiers[1].upTo"),
        (
            start_plan(items=[{"option": "BASE", "price": {"model": "FLAT", "amount": "-1"}}]),
            "items[0].price.amount",
        ),
        (start_plan(currency="EUX"), "currency"),
        (
            start_plan(
                items=[
                    {"option": "BASE", "price": {"model": "FLAT", "amount": "1"}, "freeQuota": "5"}
                ]
            ),
            "items[0].freeQuota",
        ),
        (
            start_plan(pricingGroups=[{"code": "STANDARD", "maxQuantity": {"BASE": "600"}}]),
            "pricingGroups[0].maxQuantity.BASE",
        ),
        (
            usage_plan(pricingGroups=[{"code": "STANDARD", "maxQuantity": {"API_CALLS": "6"}}]),
            "pricingGroups[0].maxQuantity.API_CALLS",
        ),
        (
            start_plan(
                phases=[
                    {"type": "EVERGREEN"},
                    {"type": "TRIAL", "duration": {"unit": "DAY", "count": 14}},
                ]
            ),
            "phases[0].type",
        ),
        (
            start_plan(
                phases=[
                    {"type": "FIXED", "duration": {"unit": "MONTH", "count": 1}},
                    {"type": "TRIAL", "duration": {"unit": "DAY", "count": 14}},
                ]
            ),
            "phases[1].type",
        ),
        (start_plan(phases=[{"type": "FIXED"}]), "phases[0].duration"),
        (start_plan(billingInterval={"unit": "MONTH", "count": 0}), "billingInterval.count"),
        (start_plan(billingInterval={"unit": "DAY", "count": 7}), "billingInterval.unit"),
        (start_plan(noticePeriod={"unit": "YEAR", "count": 1}), "noticePeriod.unit"),
        (start_plan(items=[{"option": "BASE"}]), "items[0].price"),
        (
            start_plan(items=[{"option": "BASE", "price": {"model": "FLAT", "amount": "1"}}] * 2),
            "items[1].option",
        ),
        (
            start_plan(
                items=[
                    {
                        "option": "BASE",
                        "price": {"model": "PACKAGE", "packageSize": "0", "packagePrice": "1"},
                    }
                ]
            ),
            "items[0].price.packageSize",
        ),
        (
            start_plan(
                items=[{"option": "BASE", "price": {"model": "FLAT", "amount": "0.000001"}}]
            ),
            "items[0].price.amount",
        ),
    ],
)
def test_a_bad_plan_is_a_400_naming_the_field_and_writes_nothing(
    client: TestClient, db: Database, tenant: TenantFixture, body: dict[str, Any], field: str
) -> None:
    options(client, tenant)
    before = counts(db, tenant)
    problem = call(client, tenant, "POST", "/plans", body, status=400)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert counts(db, tenant) == before


def test_a_patch_with_validfrom_adds_a_price_version(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    new_price = {"model": "FLAT", "amount": "34.00"}
    items = [{"option": "BASE", "quantity": "1", "price": new_price, "validFrom": "2027-01-01"}]
    patched = call(client, tenant, "PATCH", "/plans/START", {"items": items})
    (base,) = patched["items"]
    assert base["price"] == {"model": "FLAT", "amount": "29.00"}  # in force today
    assert [(v["validFrom"], v["price"]) for v in base["priceVersions"]] == [
        ("1900-01-01", {"model": "FLAT", "amount": "29.00"}),
        ("2027-01-01", {"model": "FLAT", "amount": "34.00"}),
    ]
    again = call(client, tenant, "PATCH", "/plans/START", {"items": items})  # a retry
    assert again["items"][0]["priceVersions"] == base["priceVersions"]
    # an item without price keeps its versions; other fields change
    kept = call(
        client, tenant, "PATCH", "/plans/START", {"items": [{"option": "BASE", "quantity": "2"}]}
    )
    assert kept["items"][0]["quantity"] == "2"
    assert kept["items"][0]["priceVersions"] == base["priceVersions"]
    updates = _audit(client, tenant, "Plan", "UPDATE")
    assert len(updates) == 2  # the retry changed nothing
    assert updates[-1]["after"]["items"][0]["priceVersions"][1]["validFrom"] == "2027-01-01"


def test_a_price_without_validfrom_starts_today_by_the_tenant_clock(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db, test_mode=True)
    call(client, tenant, "PUT", "/test-clock", {"frozenAt": "2026-05-10T12:00:00Z"})
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    items = [{"option": "BASE", "price": {"model": "FLAT", "amount": "31.00"}}]
    patched = call(client, tenant, "PATCH", "/plans/START", {"items": items})
    (base,) = patched["items"]
    assert base["price"] == {"model": "FLAT", "amount": "31.00"}
    assert base["validFrom"] == "2026-05-10"
    assert [v["validFrom"] for v in base["priceVersions"]] == ["1900-01-01", "2026-05-10"]


def test_a_patch_of_items_adds_and_removes_items(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    one_time = {"code": "SETUP", "name": "Setup", "type": "ONE_TIME", "taxRate": "19"}
    call(client, tenant, "POST", "/options", one_time, status=201)
    setup = {"option": "SETUP", "price": {"model": "FLAT", "amount": "99.00"}}
    both = call(client, tenant, "PATCH", "/plans/START", {"items": [{"option": "BASE"}, setup]})
    assert [(i["option"], i["validFrom"]) for i in both["items"]] == [
        ("BASE", "1900-01-01"),
        ("SETUP", "1900-01-01"),
    ]
    only = call(client, tenant, "PATCH", "/plans/START", {"items": [{"option": "SETUP"}]})
    assert [i["option"] for i in only["items"]] == ["SETUP"]
    with db.reader() as session:
        stored = session.execute(
            select(func.count())
            .select_from(plan_price_versions)
            .where(plan_price_versions.c.tenant_id == tenant.id)
        ).scalar_one()
    assert stored == 1
    problem = call(
        client, tenant, "PATCH", "/plans/START", {"items": [{"option": "BASE"}]}, status=400
    )
    assert problem["errors"][0]["field"] == "items[0].price"
    problem = call(client, tenant, "PATCH", "/plans/START", {"items": None}, status=400)
    assert problem["errors"][0]["field"] == "items"


def _audit(client: TestClient, tenant: TenantFixture, entity: str, action: str) -> list[Any]:
    search = f"entityType=={entity};action=={action}"
    page = call(client, tenant, "GET", f"/audit-trail?search={search}&size=100")
    return sorted(page["items"], key=lambda e: e["seq"])


def test_every_change_is_audited_and_announced(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "PATCH", "/options/BASE", {"name": "Base"})
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    call(client, tenant, "PATCH", "/plans/START", {"name": "Start plan"})
    call(client, tenant, "POST", "/plans/START/cancel", None)
    call(client, tenant, "DELETE", "/plans/START", None, status=204)
    assert len(_audit(client, tenant, "Option", "CREATE")) == 3
    (renamed,) = _audit(client, tenant, "Option", "UPDATE")
    assert (renamed["before"]["name"], renamed["after"]["name"]) == ("Base fee", "Base")
    for action in ("CREATE", "UPDATE", "CANCEL", "DELETE"):
        assert len(_audit(client, tenant, "Plan", action)) == 1, action
    with db.reader() as session:
        topics = session.execute(
            select(outbox_events.c.topic).where(outbox_events.c.tenant_id == tenant.id)
        ).scalars()
        assert sorted(topics) == sorted(
            ["option.created"] * 3
            + ["option.updated", "plan.created", "plan.updated", "plan.cancelled", "plan.deleted"]
        )
    call(client, tenant, "GET", "/plans/START", None, status=404)


def test_a_cancelled_plan_cant_be_changed(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    cancelled = call(client, tenant, "POST", "/plans/START/cancel", None)
    assert cancelled["status"] == "CANCELLED"
    before = counts(db, tenant)
    problem = call(client, tenant, "PATCH", "/plans/START", {"name": "Again"}, status=409)
    assert problem["errors"][0]["field"] == "status"
    again = call(client, tenant, "POST", "/plans/START/cancel", None)  # a retry
    assert again["status"] == "CANCELLED"
    assert counts(db, tenant) == before
    assert len(_audit(client, tenant, "Plan", "CANCEL")) == 1


def test_an_option_a_plan_has_keeps_its_type(client: TestClient, tenant: TenantFixture) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    problem = call(client, tenant, "PATCH", "/options/BASE", {"type": "ONE_TIME"}, status=409)
    assert problem["errors"][0]["field"] == "type"
    call(client, tenant, "PATCH", "/options/BASE", {"name": None}, status=400)


def test_lists_search_page_and_export(client: TestClient, tenant: TenantFixture) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    call(client, tenant, "POST", "/plans", usage_plan(), status=201)
    usage = call(client, tenant, "GET", "/options?search=type==USAGE,type==TIME_BASED_USAGE")
    assert [o["code"] for o in usage["items"]] == ["API_CALLS", "CPU_HOURS"]
    page = call(client, tenant, "GET", "/options?size=1&page=2")
    assert (page["total"], [o["code"] for o in page["items"]]) == (3, ["BASE"])
    found = call(client, tenant, "GET", "/plans?search=code==START")
    assert [p["code"] for p in found["items"]] == ["START"]
    assert found["items"][0]["billingInterval"] == {"unit": "MONTH", "count": 1}
    response = client.get("/v2/plans?format=csv", headers=tenant.headers)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["code"] for r in rows] == ["CLOUD", "START"]
    assert rows[0]["currency"] == "EUR"
    response = client.get("/v2/options?format=csv&columns=code,taxRate", headers=tenant.headers)
    assert response.text.splitlines()[1] == "API_CALLS,19.00"


def test_tenants_see_only_their_catalogue(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    options(client, tenant)
    call(client, tenant, "POST", "/plans", start_plan(), status=201)
    call(client, other_tenant, "GET", "/plans/START", None, status=404)
    call(client, other_tenant, "GET", "/options/BASE", None, status=404)
    assert call(client, other_tenant, "GET", "/plans")["total"] == 0
    assert call(client, other_tenant, "GET", "/options")["total"] == 0
    problem = call(client, other_tenant, "POST", "/plans", start_plan(), status=400)
    assert problem["errors"][0]["field"] == "items[0].option"
    call(client, other_tenant, "POST", "/options", BASE, status=201)  # same code, other tenant
    call(client, other_tenant, "PATCH", "/plans/START", {"name": "X"}, status=404)


def test_plans_read_cant_write(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    reader = create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name="reader",
        scopes=["plans:read"],
        validity_days=7,
        clock=SystemClock(),
    ).token
    headers = {"Authorization": f"Bearer {reader}"}
    assert client.get("/v2/plans", headers=headers).status_code == 200
    assert client.get("/v2/options", headers=headers).status_code == 200
    for method, path in (
        ("POST", "/v2/options"),
        ("PATCH", "/v2/options/BASE"),
        ("POST", "/v2/plans"),
        ("PATCH", "/v2/plans/START"),
        ("POST", "/v2/plans/START/cancel"),
        ("DELETE", "/v2/plans/START"),
    ):
        denied = client.request(method, path, json={}, headers=headers)
        assert denied.status_code == 403, (method, path)
        assert "plans:write" in denied.text


def test_an_idempotent_post_creates_one_plan(client: TestClient, tenant: TenantFixture) -> None:
    options(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/v2/plans", json=start_plan(), headers=headers)
    again = client.post("/v2/plans", json=start_plan(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
