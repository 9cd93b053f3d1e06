"""Usage events under /v2/usages (spec/billing-api.md "Usage"; ADR 0016): batches recorded
whole or not at all, every rejection named by index and field, duplicates reported and never
counted twice, cancel and delete audited, scopes and tenant isolation, and the aggregation the
billing run calls (``aggregated_usage``) exact for each aggregation, on both databases."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, contracts, outbox_events, usage_events
from beleg.db.usage import aggregated_usage
from beleg.domain.usage.aggregation import UsageWindow
from tests.api.test_v2_catalogue import BASE, CPU_HOURS, call
from tests.api.test_v2_contracts import customer, freeze
from tests.conftest import TenantFixture, make_tenant


def usage_option(code: str, aggregation: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": code,
        "type": "USAGE",
        "aggregation": aggregation,
        "taxRate": "19",
        **extra,
    }


OPTIONS = [
    BASE,
    CPU_HOURS,
    usage_option("API_CALLS", "SUM"),
    usage_option("REQUESTS", "COUNT"),
    usage_option("PEAK", "MAX"),
    usage_option("SEATS", "UNIQUE_COUNT", aggregationProperty="user"),
    usage_option("STORAGE", "LATEST"),
    usage_option("OTHER", "SUM"),
]
PER_UNIT = {"model": "PER_UNIT", "unitPrice": "0.01"}
METERED = ("API_CALLS", "REQUESTS", "PEAK", "SEATS", "STORAGE", "CPU_HOURS")


def meter_plan() -> dict[str, Any]:
    return {
        "code": "METER",
        "name": "Metered",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": "IN_ARREARS",
        "items": [
            {"option": "BASE", "quantity": "1", "price": {"model": "FLAT", "amount": "9.00"}},
            *({"option": code, "price": PER_UNIT} for code in METERED),
        ],
    }


class Setup:
    def __init__(self, client: TestClient, tenant: TenantFixture) -> None:
        self.client, self.tenant = client, tenant
        freeze(client, tenant, "2026-05-01")
        for option in OPTIONS:
            call(client, tenant, "POST", "/options", option, status=201)
        call(client, tenant, "POST", "/plans", meter_plan(), status=201)
        self.customer = customer(client, tenant)
        self.contract = self.make_contract(self.customer)

    def make_contract(self, customer_id: str, start: str = "2026-05-01") -> dict[str, Any]:
        body = {"customer": customer_id, "plan": "METER", "startDate": start}
        made = call(self.client, self.tenant, "POST", "/contracts", body, status=201)
        call(self.client, self.tenant, "POST", f"/contracts/{made['id']}/activate")
        return made  # type: ignore[no-any-return]

    def event(self, event_id: str, **fields: Any) -> dict[str, Any]:
        base = {
            "id": event_id,
            "contract": self.contract["id"],
            "option": "API_CALLS",
            "quantity": "10",
            "timestamp": "2026-05-10T12:00:00+02:00",
        }
        return {**base, **fields}

    def batch(self, events: list[dict[str, Any]], status: int = 200) -> Any:
        return call(
            self.client, self.tenant, "POST", "/usages/batch", {"events": events}, status=status
        )


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


@pytest.fixture
def s(client: TestClient, tenant: TenantFixture) -> Setup:
    return Setup(client, tenant)


def stored(db: Database, tenant: TenantFixture) -> int:
    with db.reader() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(usage_events)
                .where(usage_events.c.tenant_id == tenant.id)
            ).scalar_one()
        )


def test_a_batch_is_recorded_and_duplicates_are_reported_not_counted(
    s: Setup, db: Database
) -> None:
    events = [s.event("e-1"), s.event("e-2", quantity=2.5), s.event("e-1", quantity="99")]
    assert s.batch(events) == {"accepted": 2, "duplicates": ["e-1"], "rejected": []}
    again = s.batch([s.event("e-2"), s.event("e-3", quantity="0.000001")])
    assert again == {"accepted": 1, "duplicates": ["e-2"], "rejected": []}
    assert stored(db, s.tenant) == 3
    one = call(s.client, s.tenant, "GET", "/usages/e-2")
    assert (one["quantity"], one["status"], one["option"]) == ("2.5", "ACTIVE", "API_CALLS")
    assert one["contractNumber"] == s.contract["contractNumber"]
    assert one["timestamp"].startswith("2026-05-10T10:00:00")
    listed = call(s.client, s.tenant, "GET", "/usages?search=option==API_CALLS&sort=id")
    assert [e["id"] for e in listed["items"]] == ["e-1", "e-2", "e-3"]
    assert listed["items"][0]["quantity"] == "10"
    single = call(
        s.client, s.tenant, "POST", "/usages", s.event("e-4", contract=s.contract["contractNumber"])
    )
    assert single == {"accepted": 1, "duplicates": [], "rejected": []}
    assert call(s.client, s.tenant, "POST", "/usages", s.event("e-4"))["duplicates"] == ["e-4"]


def test_every_rejection_names_the_index_and_the_field_and_nothing_is_written(
    s: Setup, db: Database
) -> None:
    s.batch([s.event("stored-before")])
    bad = [
        s.event("ok-0"),
        s.event("bad-1", option="NOPE"),
        s.event("bad-2", option="OTHER"),
        s.event("bad-3", quantity="-1"),
        s.event("bad-4", option="BASE"),
        s.event(
            "bad-5",
            option="CPU_HOURS",
            timestamp=None,
            start="2026-05-10T12:00:00+02:00",
            end="2026-05-10T11:00:00+02:00",
        ),
        s.event("bad-6", timestamp="2026-04-30T23:59:59+02:00"),
        s.event("bad-7", contract=str(uuid.uuid4())),
        s.event("bad-8", properties={"nested": {"a": 1}}),
        s.event("bad-9", quantity="1.0000001"),
        s.event("bad-10", timestamp="2026-05-10T12:00:00"),
        s.event("bad-11", option="SEATS", properties={"other": "x"}),
        s.event("bad-12", option="CPU_HOURS"),
        s.event("bad-13", colour="red"),
        s.event("stored-before", quantity="-5"),  # a stored id: a duplicate, not checked
        s.event("bad-15", quantity=True),
        s.event("bad-16", contract=None, customer="NO-SUCH-CUSTOMER"),
    ]
    body = s.batch(bad, status=422)
    fields = [(r["index"], r["field"]) for r in body["rejected"]]
    assert fields == [
        (1, "events[1].option"),
        (2, "events[2].option"),
        (3, "events[3].quantity"),
        (4, "events[4].option"),
        (5, "events[5].end"),
        (6, "events[6].timestamp"),
        (7, "events[7].contract"),
        (8, "events[8].properties.nested"),
        (9, "events[9].quantity"),
        (10, "events[10].timestamp"),
        (11, "events[11].properties.user"),
        (12, "events[12].start"),
        (13, "events[13].colour"),
        (15, "events[15].quantity"),
        (16, "events[16].customer"),
    ]
    assert body["status"] == 422 and body["accepted"] == 0
    assert body["duplicates"] == ["stored-before"]
    assert body["errors"][0] == {"field": "events[1].option", "message": "No option 'NOPE'"}
    assert "not an item of contract" in body["rejected"][1]["message"]
    assert stored(db, s.tenant) == 1


def test_a_batch_over_the_limit_is_refused_naming_events_and_the_limit(s: Setup) -> None:
    events = [{"id": str(i)} for i in range(10_001)]
    body = s.batch(events, status=400)
    assert body["errors"][0]["field"] == "events"
    assert "10000" in body["errors"][0]["message"]
    assert s.batch([], status=200)["accepted"] == 0
    missing = call(s.client, s.tenant, "POST", "/usages/batch", {"evts": []}, status=400)
    assert missing["errors"][0]["field"] == "evts"


def test_time_based_usage_counts_hours_from_start_to_end(s: Setup) -> None:
    spans = [
        ("t-1", "2026-05-10T10:00:00+02:00", "2026-05-10T11:30:00+02:00", "1.5"),
        ("t-2", "2026-05-10T10:00:00+02:00", "2026-05-10T10:20:00+02:00", "0.333333"),
        ("t-3", "2026-05-10T10:00:00Z", "2026-05-10T10:00:01Z", "0.000278"),
        ("t-4", "2026-05-10T10:00:00Z", "2026-05-10T10:00:00Z", "0"),
    ]
    events = [
        s.event(i, option="CPU_HOURS", timestamp=None, quantity=None, start=a, end=b)
        for i, a, b, _ in spans
    ]
    assert s.batch(events)["accepted"] == 4
    for event_id, _, _, hours in spans:
        assert call(s.client, s.tenant, "GET", f"/usages/{event_id}")["quantity"] == hours
    given = s.event(
        "t-5",
        option="CPU_HOURS",
        timestamp=None,
        quantity="7",
        start="2026-05-10T10:00:00Z",
        end="2026-05-10T11:00:00Z",
    )
    s.batch([given])
    assert call(s.client, s.tenant, "GET", "/usages/t-5")["quantity"] == "7"
    wrong = s.batch(
        [
            s.event(
                "t-6",
                option="API_CALLS",
                timestamp=None,
                start="2026-05-10T10:00:00Z",
                end="2026-05-10T11:00:00Z",
            )
        ],
        422,
    )
    assert wrong["rejected"][0]["field"] == "events[0].timestamp"


def test_a_customer_names_its_one_running_contract_with_the_option(
    s: Setup, client: TestClient
) -> None:
    with_number = call(client, s.tenant, "GET", f"/customers/{s.customer}")
    number = with_number["customerNumber"]
    assert s.batch([s.event("c-1", contract=None, customer=number)])["accepted"] == 1
    assert s.batch([s.event("c-2", contract=None, customer=s.customer)])["accepted"] == 1
    assert call(client, s.tenant, "GET", "/usages/c-1")["contract"] == s.contract["id"]
    s.make_contract(s.customer)
    two = s.batch([s.event("c-3", contract=None, customer=number)], 422)
    assert two["rejected"][0]["field"] == "events[0].customer"
    assert "several running contracts" in two["rejected"][0]["message"]


def test_usage_after_the_last_day_of_service_is_refused_late_usage_before_it_accepted(
    s: Setup, db: Database
) -> None:
    with db.transaction() as session:
        session.execute(
            update(contracts)
            .where(
                contracts.c.tenant_id == s.tenant.id, contracts.c.id == uuid.UUID(s.contract["id"])
            )
            .values(status="ENDED", end_date=date(2026, 5, 31))
        )
    late = s.event("l-1", timestamp="2026-05-31T23:59:59+02:00")
    closed = s.event("l-2", timestamp="2026-06-01T00:00:00+02:00")
    over = s.event(
        "l-3",
        option="CPU_HOURS",
        timestamp=None,
        quantity=None,
        start="2026-05-31T23:00:00+02:00",
        end="2026-06-01T01:00:00+02:00",
    )
    body = s.batch([late, closed, over], 422)
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [
        (1, "events[1].timestamp"),
        (2, "events[2].end"),
    ]
    assert "period is closed" in body["rejected"][0]["message"]
    assert s.batch([late])["accepted"] == 1


def _audit(db: Database, tenant: TenantFixture, entity: str) -> list[Any]:
    with db.reader() as session:
        return list(
            session.execute(
                select(audit_entries.c.action, audit_entries.c.after, audit_entries.c.before)
                .where(
                    audit_entries.c.tenant_id == tenant.id, audit_entries.c.entity_type == entity
                )
                .order_by(audit_entries.c.seq)
            ).all()
        )


def test_cancel_keeps_the_event_delete_removes_it_both_audited(s: Setup, db: Database) -> None:
    s.batch([s.event("a-1"), s.event("a-2"), s.event("a-3")])
    (batch,) = _audit(db, s.tenant, "UsageBatch")
    assert batch.action == "CREATE"
    assert (batch.after["count"], batch.after["first_event_id"], batch.after["last_event_id"]) == (
        3,
        "a-1",
        "a-3",
    )
    cancelled = call(s.client, s.tenant, "POST", "/usages/a-1/cancel")
    assert cancelled["status"] == "CANCELLED"
    call(s.client, s.tenant, "POST", "/usages/a-1/cancel", status=409)
    call(s.client, s.tenant, "DELETE", "/usages/a-2", status=204)
    call(s.client, s.tenant, "GET", "/usages/a-2", status=404)
    call(s.client, s.tenant, "DELETE", "/usages/a-2", status=404)
    entries = _audit(db, s.tenant, "UsageEvent")
    assert [e.action for e in entries] == ["CANCEL", "DELETE"]
    assert entries[0].before["status"] == "ACTIVE" and entries[0].after["status"] == "CANCELLED"
    assert entries[1].after is None and entries[1].before["event_id"] == "a-2"
    again = s.batch([s.event("a-1"), s.event("a-2")])
    assert again == {"accepted": 1, "duplicates": ["a-1"], "rejected": []}
    listed = call(s.client, s.tenant, "GET", "/usages?search=status==CANCELLED")
    assert [e["id"] for e in listed["items"]] == ["a-1"]
    with db.reader() as session:
        topics = (
            session.execute(
                select(outbox_events.c.topic).where(
                    outbox_events.c.tenant_id == s.tenant.id, outbox_events.c.topic.like("usage.%")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(topics) == [
        "usage.cancelled",
        "usage.deleted",
        "usage.recorded",
        "usage.recorded",
    ]


def test_a_repeated_idempotency_key_replays_the_first_answer(s: Setup, db: Database) -> None:
    headers = {**s.tenant.headers, "Idempotency-Key": "usage-batch-1"}
    body = {"events": [s.event("i-1"), s.event("i-2")]}
    first = s.client.post("/v2/usages/batch", json=body, headers=headers)
    second = s.client.post("/v2/usages/batch", json=body, headers=headers)
    assert first.json() == second.json() == {"accepted": 2, "duplicates": [], "rejected": []}
    assert second.headers["idempotent-replayed"] == "true"
    assert stored(db, s.tenant) == 2


def test_scopes_usages_read_and_write(db: Database, client: TestClient, s: Setup) -> None:
    reader = make_tenant(db, test_mode=True, country="DE", scopes=frozenset({"usages:read"}))
    refused = client.post("/v2/usages/batch", json={"events": []}, headers=reader.headers)
    assert refused.status_code == 403
    assert client.get("/v2/usages", headers=reader.headers).status_code == 200
    writer = make_tenant(db, test_mode=True, country="DE", scopes=frozenset({"usages:write"}))
    assert client.get("/v2/usages", headers=writer.headers).status_code == 403
    assert client.post("/v2/usages/x/cancel", headers=writer.headers).status_code == 404


def test_no_tenant_sees_or_uses_another_tenants_usage(
    s: Setup, client: TestClient, other_tenant: TenantFixture
) -> None:
    s.batch([s.event("mine")])
    assert client.get("/v2/usages/mine", headers=other_tenant.headers).status_code == 404
    assert client.delete("/v2/usages/mine", headers=other_tenant.headers).status_code == 404
    listed = client.get("/v2/usages", headers=other_tenant.headers).json()
    assert listed["total"] == 0
    foreign = client.post(
        "/v2/usages/batch", json={"events": [s.event("theirs")]}, headers=other_tenant.headers
    )
    assert foreign.status_code == 422
    assert foreign.json()["rejected"][0]["field"] == "events[0].contract"


def test_aggregated_usage_is_exact_for_each_aggregation(s: Setup, db: Database) -> None:
    c = s.contract["id"]

    def e(i: str, option: str, at: str, quantity: Any = "1", **more: Any) -> dict[str, Any]:
        return s.event(i, option=option, timestamp=at, quantity=quantity, **more)

    events = [
        e("s1", "API_CALLS", "2026-05-01T00:00:00+02:00", "0.1"),
        e("s2", "API_CALLS", "2026-05-31T23:59:59+02:00", "0.2"),
        e("s3", "API_CALLS", "2026-06-01T00:00:00+02:00", "100"),  # June, local
        e("s4", "API_CALLS", "2026-05-31T22:30:00Z", "1000"),  # 00:30 on 1 June, local
        e("s5", "API_CALLS", "2026-05-15T12:00:00+02:00", "12499.7"),
        e("r1", "REQUESTS", "2026-05-02T12:00:00Z", None),
        e("r2", "REQUESTS", "2026-05-03T12:00:00Z", "5"),
        e("r3", "REQUESTS", "2026-05-04T12:00:00Z", None),
        e("p1", "PEAK", "2026-05-02T12:00:00Z", "7.5"),
        e("p2", "PEAK", "2026-05-03T12:00:00Z", "7.25"),
        e("u1", "SEATS", "2026-05-02T12:00:00Z", None, properties={"user": "anna"}),
        e("u2", "SEATS", "2026-05-03T12:00:00Z", None, properties={"user": "ben"}),
        e("u3", "SEATS", "2026-05-04T12:00:00Z", None, properties={"user": "anna"}),
        e("u4", "SEATS", "2026-05-05T12:00:00Z", None, properties={"user": 7}),
        e("g1", "STORAGE", "2026-05-20T12:00:00Z", "30"),
        e("g2", "STORAGE", "2026-05-21T12:00:00Z", "42.5"),
        e("g3", "STORAGE", "2026-05-03T12:00:00Z", "99"),
    ]
    assert s.batch(events)["accepted"] == len(events)
    call(s.client, s.tenant, "POST", "/usages/r3/cancel")
    contract_id = uuid.UUID(c)
    may = {
        code: UsageWindow(contract_id, code, date(2026, 5, 1), date(2026, 5, 31))
        for code in ("API_CALLS", "REQUESTS", "PEAK", "SEATS", "STORAGE", "CPU_HOURS")
    }
    june = UsageWindow(contract_id, "API_CALLS", date(2026, 6, 1), date(2026, 6, 30))
    first_half = UsageWindow(contract_id, "API_CALLS", date(2026, 5, 1), date(2026, 5, 15))
    with db.reader() as session:
        found = aggregated_usage(
            session,
            tenant_id=s.tenant.id,
            windows=[*may.values(), june, first_half],
            timezone="Europe/Berlin",
        )
    assert found == {
        may["API_CALLS"]: Decimal("12500.000000"),
        may["REQUESTS"]: Decimal(2),
        may["PEAK"]: Decimal("7.500000"),
        may["SEATS"]: Decimal(3),
        may["STORAGE"]: Decimal("42.500000"),
        june: Decimal("1100.000000"),
        first_half: Decimal("12499.800000"),
    }
    assert str(found[may["API_CALLS"]]) == "12500.000000"


def test_unique_count_options_name_the_property_they_count(
    client: TestClient, tenant: TenantFixture
) -> None:
    missing = usage_option("USERS", "UNIQUE_COUNT")
    refused = call(client, tenant, "POST", "/options", missing, status=400)
    assert refused["errors"][0]["field"] == "aggregationProperty"
    other = usage_option("CALLS", "SUM", aggregationProperty="user")
    refused = call(client, tenant, "POST", "/options", other, status=400)
    assert refused["errors"][0]["field"] == "aggregationProperty"
    made = call(
        client, tenant, "POST", "/options", {**missing, "aggregationProperty": "user"}, status=201
    )
    assert made["aggregationProperty"] == "user"
    changed = call(client, tenant, "PATCH", "/options/USERS", {"aggregation": "MAX"})
    assert (changed["aggregation"], changed["aggregationProperty"]) == ("MAX", None)
    back = call(
        client,
        tenant,
        "PATCH",
        "/options/USERS",
        {"aggregation": "UNIQUE_COUNT", "aggregationProperty": "seat"},
    )
    assert back["aggregationProperty"] == "seat"
    assert call(client, tenant, "GET", "/options/USERS")["aggregationProperty"] == "seat"
