"""Schemathesis fuzzes every operation of the OpenAPI document: no input may cause a 5xx.

The operations are driven through their Hypothesis strategies directly (schemathesis'
pytest fixture loader does not run under pytest 9.2)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from beleg.db.database import Database
from tests.conftest import make_tenant

EXAMPLES_PER_OPERATION = 25


def test_no_input_causes_a_server_error(
    app,
    db: Database,  # type: ignore[no-untyped-def]
    platform: dict,
) -> None:
    tenant = make_tenant(db, test_mode=True)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=tenant.headers, checks=[not_a_server_error])

        fuzz()
