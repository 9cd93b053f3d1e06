"""The route index (api/route_index.py) answers every request as FastAPI's own walk over the
routes does: the same route for every path and method of the table, the same 404, 405 (with
its Allow header) and trailing-slash redirect; and it decides from a few candidates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.api.route_index import RouteIndex
from beleg.api.routing import BelegRoute, route_table
from beleg.db.database import Database
from tests import conftest

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNKNOWN_PATHS = (
    "/nowhere",
    "/api/1.1/nowhere",
    "/api/1.1/invoices/R%202026%201/nothing/here",
    "/v2/users/",
    "/api/1.1/invoices/",
    "/v2",
    "/",
)


def _concrete(template: str) -> str:
    """A request path for a route template: every parameter filled with a sample value."""
    return re.sub(r"\{[^}:]+(:path)?\}", lambda m: "a/b" if m.group(1) else "x1", template)


class _Recorder:
    """The application, remembering which route answered each request."""

    def __init__(self, app: FastAPI) -> None:
        self.app, self.route = app, None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        self.route = scope.get("route")


def _answer(client: TestClient, recorder: _Recorder, method: str, path: str) -> tuple[Any, ...]:
    response = client.request(method, path, follow_redirects=False)
    route = recorder.route
    chosen = (getattr(route, "path_format", None), sorted(getattr(route, "methods", None) or ()))
    return (
        response.status_code,
        response.headers.get("allow"),
        response.headers.get("location"),
        chosen,
    )


@pytest.fixture(scope="module")
def apps(db: Database, database_url: str) -> Iterator[tuple[FastAPI, FastAPI]]:
    """The application with its index, and the same application dispatching as FastAPI."""
    indexed = create_app(settings=conftest.test_settings(database_url), db=db)
    walking = create_app(settings=conftest.test_settings(database_url), db=db)
    walking.router.middleware_stack = walking.router.app  # FastAPI's own walk
    assert isinstance(indexed.router.middleware_stack, RouteIndex)
    yield indexed, walking


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    paths = sorted({_concrete(r.path) for r in route_table(app.routes)})
    return [(m, p) for p in [*paths, *UNKNOWN_PATHS] for m in METHODS]


def test_every_route_and_method_is_answered_as_fastapi_answers_it(
    apps: tuple[FastAPI, FastAPI], platform: dict[str, object]
) -> None:
    indexed, walking = apps
    with_index, without = _Recorder(indexed), _Recorder(walking)
    a, b = TestClient(with_index), TestClient(without)
    differences = []
    for method, path in _requests(indexed):
        mine, theirs = _answer(a, with_index, method, path), _answer(b, without, method, path)
        if mine != theirs:
            differences.append((method, path, mine, theirs))
    assert differences == []


def test_the_index_itself_selects_every_route_from_few_candidates(
    apps: tuple[FastAPI, FastAPI],
) -> None:
    indexed, _ = apps
    index = indexed.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = route_table(indexed.routes)
    for info in routes:
        path = _concrete(info.path)
        for method in info.methods - {"HEAD"}:
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            candidate, _ = index.select(scope)
            assert candidate is not None, (method, path)  # not left to FastAPI's walk
        assert len(index.candidates(path)) <= 25, path
    assert len(routes) > 200  # the walk would try up to all of them
    assert index.select({"type": "http", "method": "GET", "path": "/nowhere"})[0] is None


def test_a_router_included_after_the_first_request_is_found(
    db: Database, database_url: str
) -> None:
    app = create_app(settings=conftest.test_settings(database_url), db=db)
    client = TestClient(app)
    assert client.get("/healthz").status_code == 200
    late = APIRouter(prefix="/late", route_class=BelegRoute)

    @late.get("/{name}")
    def hello(name: str) -> dict[str, str]:
        return {"hello": name}

    app.include_router(late)
    assert client.get("/late/you").json() == {"hello": "you"}
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    found, _ = index.select({"type": "http", "method": "GET", "path": "/late/you"})
    assert found is not None and found.path_format == "/late/{name}"
