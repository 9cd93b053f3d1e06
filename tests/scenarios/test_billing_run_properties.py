"""The preview equals what the run issues (issue 14 acceptance; DESIGN.md invariant 5), as a
property over random contracts and usage: random start dates and seat counts on a plan with a
flat fee, a per-unit recurring item, graduated usage after a free quota and capped time-based
usage, in no billing group or one with either late-usage handling, split by original billing
period or not, random events, then a run as of a random day and a second one later with more usage
(some of it late, for months already billed). Before each run, its dry run
(``POST /v2/billing-runs`` with ``dryRun``) and every contract's preview
(``GET /v2/contracts/{id}/preview``) show exactly the documents the run then issues: type,
date, amounts and every line with its service period, quantity and net amount. Each example
has a tenant of its own and ends with its invariants (billing_invariants.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from beleg.db.database import Database
from tests.api.test_v2_catalogue import API_CALLS, BASE, CPU_HOURS, GRADUATED, call
from tests.api.test_v2_contracts import customer, freeze
from tests.conftest import TenantFixture, make_tenant
from tests.scenarios.billing_invariants import assert_billing_invariants

SEATS = {"code": "SEATS", "name": "Seats", "type": "RECURRING", "taxRate": "19"}
FIRST_START = date(2026, 1, 1)


def plan(timing: str) -> dict[str, Any]:
    return {
        "code": "MIX",
        "name": "Mix",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": timing,
        "pricingGroups": [{"code": "STANDARD", "maxQuantity": {"CPU_HOURS": "300"}}],
        "items": [
            {"option": "BASE", "price": {"model": "FLAT", "amount": "29.00"}},
            {"option": "SEATS", "price": {"model": "PER_UNIT", "unitPrice": "7.35"}},
            {"option": "API_CALLS", "price": GRADUATED, "freeQuota": "500"},
            {
                "option": "CPU_HOURS",
                "price": {"model": "PER_UNIT", "unitPrice": "0.05"},
                "freeQuota": "100",
            },
        ],
    }


# usage as (days after the contract's start, quantity): calls, or hours from 06:00 UTC
calls = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 25_000)), max_size=4)
hours = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 250)), max_size=2)
contracts = st.fixed_dictionaries(
    {
        "start": st.dates(FIRST_START, date(2026, 4, 30)),
        "seats": st.integers(1, 5),
        "capped": st.booleans(),
        "calls": calls,
        "hours": hours,
    }
)
scenarios = st.fixed_dictionaries(
    {
        "timing": st.sampled_from(["IN_ADVANCE", "IN_ARREARS"]),
        "late_usage": st.sampled_from([None, "CORRECTION", "CARRY_OVER"]),
        "split": st.booleans(),
        "contracts": st.lists(contracts, min_size=1, max_size=3),
        "as_of": st.dates(date(2026, 5, 1), date(2026, 6, 30)),
        "later": st.integers(1, 45),
        "more_calls": calls,
        "more_hours": hours,
    }
)


def document_shown(document: dict[str, Any]) -> tuple[Any, ...]:
    lines = [
        (
            line["option"],
            line["servicePeriod"]["from"],
            line["servicePeriod"]["to"],
            line["quantity"],
            line["unitPrice"],
            line["netAmount"],
            line["taxRate"],
        )
        for line in document["lines"]
    ]
    return (
        document["type"],
        document["date"],
        document["currency"],
        document["netAmount"],
        document["taxAmount"],
        document["totalAmount"],
        lines,
    )


def by_customer(documents: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((d["customer"], *document_shown(d)) for d in documents)


class Example:
    """One example's tenant: its contracts (one customer each) and the usage sent so far."""

    def __init__(self, client: TestClient, tenant: TenantFixture, scenario: dict[str, Any]):
        self.client, self.tenant = client, tenant
        self.customers: dict[str, str] = {}  # contract id -> customer id
        self.events = 0
        for option in (BASE, SEATS, API_CALLS, CPU_HOURS):
            self.call("POST", "/options", option, status=201)
        self.call("POST", "/plans", plan(scenario["timing"]), status=201)
        self.group: dict[str, str] = {}  # the contracts' billing group, if any
        if scenario["late_usage"] is not None:
            group = {
                "code": "G",
                "lateUsageHandling": scenario["late_usage"],
                "splitByOriginalPeriod": scenario["split"],
            }
            self.call("POST", "/billing-groups", group, status=201)
            self.group = {"billingGroup": "G"}

    def call(self, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
        return call(self.client, self.tenant, method, path, body, status=status)

    def contract(self, made: dict[str, Any]) -> str:
        buyer = customer(self.client, self.tenant)
        body = {
            "customer": buyer,
            "plan": "MIX",
            "startDate": made["start"].isoformat(),
            "items": [
                {"option": "BASE", "quantity": "1"},
                {"option": "SEATS", "quantity": str(made["seats"])},
                {"option": "API_CALLS", "quantity": "1"},
                {"option": "CPU_HOURS", "quantity": "1"},
            ],
            **({"pricingGroup": "STANDARD"} if made["capped"] else {}),
            **self.group,
        }
        contract_id = str(self.call("POST", "/contracts", body, status=201)["id"])
        self.call("POST", f"/contracts/{contract_id}/activate")
        self.customers[contract_id] = buyer
        return contract_id

    def usage(self, contract_id: str, start: date, today: date, calls: Any, hours: Any) -> None:
        """The events that lie between the contract's start and ``today`` (excluded)."""
        events = []
        for offset, quantity in calls:
            day = start + timedelta(days=offset)
            if day < today:
                at = f"{day}T12:00:00+00:00"
                events.append(
                    self._event(contract_id, "API_CALLS", quantity=str(quantity), timestamp=at)
                )
        for offset, length in hours:
            begin = datetime.combine(start + timedelta(days=offset), time(6), UTC)
            end = begin + timedelta(hours=length)
            if end.date() < today:
                times = {"start": begin.isoformat(), "end": end.isoformat()}
                events.append(self._event(contract_id, "CPU_HOURS", **times))
        if events:
            done = self.call("POST", "/usages/batch", {"events": events})
            assert (done["accepted"], done["rejected"]) == (len(events), []), done

    def _event(self, contract_id: str, option: str, **fields: str) -> dict[str, str]:
        self.events += 1
        return {"id": f"e-{self.events}", "contract": contract_id, "option": option, **fields}

    def run_matches_its_previews(self, as_of: date) -> None:
        freeze(self.client, self.tenant, as_of.isoformat())
        dry = self.call("POST", "/billing-runs", {"asOf": as_of.isoformat(), "dryRun": True})
        assert dry["failures"] == []
        previews = [
            {**document, "customer": buyer}
            for contract_id, buyer in self.customers.items()
            for document in self.call("GET", f"/contracts/{contract_id}/preview?until={as_of}")[
                "documents"
            ]
        ]
        done = self.call("POST", "/billing-runs", {"asOf": as_of.isoformat()}, status=201)
        assert (done["status"], done["failures"]) == ("COMPLETED", [])
        issued = self.call("GET", f"/billing-runs/{done['id']}/documents")
        assert by_customer(issued) == by_customer(dry["documents"])
        assert by_customer(issued) == by_customer(previews)
        assert done["documents"] == len(issued)


# an hour of CPU for January recorded in May, within the free quota: an invoice of one 0.00
# line, which moves no amount (its journal would have no postings, so the run failed it)
WITHIN_THE_QUOTA = {
    "timing": "IN_ADVANCE",
    "late_usage": None,
    "split": False,
    "contracts": [{"start": FIRST_START, "seats": 1, "capped": False, "calls": [], "hours": []}],
    "as_of": date(2026, 5, 1),
    "later": 1,
    "more_calls": [],
    "more_hours": [(0, 1)],
}

# January's 35 calls (within the quota, billed 0.00) become 501 in June, carried over: the
# 0.00 line credited on June's invoice showed as -0.00 on the issued one, 0.00 in the preview
ZERO_CREDIT_CARRIED = {
    "timing": "IN_ADVANCE",
    "late_usage": "CARRY_OVER",
    "split": False,
    "contracts": [
        {"start": FIRST_START, "seats": 1, "capped": False, "calls": [(0, 35)], "hours": []}
    ],
    "as_of": date(2026, 5, 1),
    "later": 31,
    "more_calls": [(0, 466)],
    "more_hours": [],
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
@example(scenario=WITHIN_THE_QUOTA)
@example(scenario=ZERO_CREDIT_CARRIED)
def test_the_preview_and_the_dry_run_equal_what_the_run_issues(
    client: TestClient, db: Database, platform: dict[str, object], scenario: dict[str, Any]
) -> None:
    tenant = make_tenant(db, test_mode=True, country="DE")
    example = Example(client, tenant, scenario)
    freeze(client, tenant, FIRST_START.isoformat())
    made = [(example.contract(c), c) for c in scenario["contracts"]]
    as_of = scenario["as_of"]
    freeze(client, tenant, as_of.isoformat())
    for contract_id, c in made:
        example.usage(contract_id, c["start"], as_of, c["calls"], c["hours"])
    example.run_matches_its_previews(as_of)
    later = as_of + timedelta(days=scenario["later"])
    freeze(client, tenant, later.isoformat())
    for contract_id, c in made:  # late usage too: from the contract's start on
        example.usage(
            contract_id, c["start"], later, scenario["more_calls"], scenario["more_hours"]
        )
    example.run_matches_its_previews(later)
    assert_billing_invariants(db, tenant.id)
