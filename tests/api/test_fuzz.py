"""Schemathesis fuzzes every operation of the OpenAPI document (issue 12, finding 8): no input
causes a 5xx, every status answered is documented, every body answered matches its schema,
input the document calls invalid is refused and a method the document does not name is a 405.

The run goes through schemathesis' engine in process (the ASGI application, no server), as
``st run --checks ...`` does: a short fuzzing run always, every phase (examples, coverage,
fuzzing, stateful) in the slow run. Schemathesis runs with one worker: its coverage phase
is not thread-safe (``SystemError: AST constructor recursion depth mismatch`` with two)."""

from __future__ import annotations

import collections
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from beleg.db.database import Database
from tests.conftest import TenantFixture, make_tenant

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
)
MIN_OPERATIONS = 200


def _config(tenant: TenantFixture, *, examples: int, every_phase: bool) -> SchemathesisConfig:
    enabled = "true" if every_phase else "false"
    checks = "".join(f"{name}.enabled = true\n" for name in CHECKS)
    return SchemathesisConfig.from_str(
        f"""
workers = 1
headers = {{ Authorization = "Bearer {tenant.token}" }}
[checks]
enabled = false
{checks}
[phases]
examples.enabled = {enabled}
coverage.enabled = {enabled}
stateful.enabled = {enabled}
[generation]
max-examples = {examples}
database = "none"
"""
    )


def _run(app: Any, config: SchemathesisConfig) -> tuple[set[str], collections.Counter[str]]:
    """The operations tested and the failures found (``check: operation``), errors included."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    tested: set[str] = set()
    failures: collections.Counter[str] = collections.Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE:
                        failures[f"{check.name}: {event.recorder.label}"] += 1
        elif isinstance(event, events.NonFatalError):
            failures[f"error: {event.label}: {event.value!r}"] += 1
        elif isinstance(event, events.FatalError):
            failures[f"fatal: {event.exception!r}"] += 1
    return tested, failures


@pytest.fixture
def fuzzed_tenant(db: Database, platform: dict[str, object]) -> TenantFixture:
    return make_tenant(db, test_mode=True)


def test_a_short_run_finds_no_contract_failure(app: Any, fuzzed_tenant: TenantFixture) -> None:
    tested, failures = _run(app, _config(fuzzed_tenant, examples=10, every_phase=False))
    assert len(tested) >= MIN_OPERATIONS
    assert not failures, "\n".join(f"{n} x {failure}" for failure, n in sorted(failures.items()))


@pytest.mark.slow
def test_a_run_of_every_phase_finds_no_contract_failure(
    app: Any, fuzzed_tenant: TenantFixture
) -> None:
    tested, failures = _run(app, _config(fuzzed_tenant, examples=30, every_phase=True))
    assert len(tested) >= MIN_OPERATIONS
    assert not failures, "\n".join(f"{n} x {failure}" for failure, n in sorted(failures.items()))
