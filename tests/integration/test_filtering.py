"""RSQL filters run against real rows; user text is only ever a bound value."""

import pytest

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.domain.errors import ValidationFailed
from beleg.queries.identity.lists import user_list
from beleg.queries.listing import ListRequest, fetch_page
from beleg.services.identity.users import create_user
from tests.conftest import TenantFixture, system_actor

PEOPLE = [
    ("anna", "ADMIN"),
    ("bert", "VIEWER"),
    ("carla", "ACCOUNTANT"),
    ("a_b", "VIEWER"),
    ("axb", "VIEWER"),
]


@pytest.fixture
def people(db: Database, tenant: TenantFixture) -> TenantFixture:
    for name, role in PEOPLE:
        create_user(
            db=db,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            username=name,
            password="long enough password",
            role=role,
            clock=SystemClock(),
        )
    return tenant


def _names(db: Database, tenant: TenantFixture, search: str, sort: str | None = None) -> list[str]:
    page = fetch_page(
        db=db, spec=user_list(tenant.id), request=ListRequest(search=search, sort=sort, size=100)
    )
    return [item["username"] for item in page.items]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("role==VIEWER", ["a_b", "axb", "bert"]),
        ("role==VIEWER;username!=bert", ["a_b", "axb"]),
        ("role==ADMIN,role==ACCOUNTANT", ["anna", "carla"]),
        ("role=in=(ADMIN,ACCOUNTANT);username=ge=b", ["carla"]),
        ("role=out=(VIEWER)", ["anna", "carla"]),
        ("username==a*", ["a_b", "anna", "axb"]),
        ("username==a_*", ["a_b"]),  # _ is a literal underscore, not a LIKE wildcard
        ("email=isnull=true;role==ADMIN", ["anna"]),
        ("username=='anna\\' OR \\'1\\'=\\'1'", []),
        ('username=="x\' OR 1=1 --"', []),
    ],
)
def test_filters(db: Database, people: TenantFixture, search: str, expected: list[str]) -> None:
    assert _names(db, people, search) == expected


def test_sort_and_paging(db: Database, people: TenantFixture) -> None:
    assert _names(db, people, "role==VIEWER", sort="-username") == ["bert", "axb", "a_b"]
    page = fetch_page(db=db, spec=user_list(people.id), request=ListRequest(page=2, size=2))
    assert page.total == 5 and [i["username"] for i in page.items] == ["axb", "bert"]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("password_hash==x", "unknown field 'password_hash'"),
        ("tenant_id==x", "unknown field 'tenant_id'"),
        ("role==OWNER", "role must be one of"),
        ("createdAt=gt=yesterday", "not a valid datetime"),
        ("role=~=ADMIN", "unexpected character"),
    ],
)
def test_bad_filters_name_the_problem(
    db: Database, people: TenantFixture, search: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        _names(db, people, search)
    assert info.value.field == "search" and message in info.value.message


def test_filters_never_cross_tenants(
    db: Database, people: TenantFixture, other_tenant: TenantFixture
) -> None:
    assert _names(db, other_tenant, "username==*") == []
