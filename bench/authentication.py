"""Authentication benchmark: what checking a bearer credential costs per request.

    .venv/bin/python bench/authentication.py [--database-url URL] [--calls N] [--rounds R]

Calls the two authenticators the API runs on every request (``authenticate_api_key``,
``authenticate_access_token``) in a loop, and as the in-run baseline a bare read session
with ``SELECT 1`` (one connection checkout and round trip: the least any check that reads
the database can cost). Reports wall and CPU microseconds per call, the best of ``R`` rounds
(the machine is shared; the best round is the least disturbed), and each figure's ratio to
the baseline. Without ``--database-url`` a fresh SQLite file is used; a PostgreSQL database
named in ``--database-url`` is wiped first (its name must start with ``beleg_bench`` or
``beleg_test``).
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable

from sqlalchemy import text

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.domain.identity.oauth import Grant
from beleg.domain.identity.principal import Actor, Principal
from beleg.services.identity.api_keys import authenticate_api_key
from beleg.services.identity.oauth_apps import create_app
from beleg.services.identity.oauth_tokens import authenticate_access_token, issue_access_token
from beleg.services.identity.users import create_user
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from bench_support import fresh_database


def _access_token(db: Database, clock: SystemClock, admin: Principal) -> str:
    """An access token of a new app for a new user, as the token endpoint would issue it."""
    actor = Actor(principal=admin)
    user = create_user(
        db=db,
        actor=actor,
        tenant_id=admin.tenant_id,
        username=f"bench-{uuid.uuid4().hex[:6]}",
        password=uuid.uuid4().hex,
        role="ADMIN",
        clock=clock,
    )
    app = create_app(
        db=db,
        actor=actor,
        tenant_id=admin.tenant_id,
        name="bench",
        confidential=False,
        redirect_uris=[],
        grant_types=["password"],
        scopes=["ledger:read"],
        clock=clock,
    ).app
    grant = Grant(admin.tenant_id, user.id, app.client_id, frozenset({"ledger:read"}))
    with db.transaction() as session:
        return issue_access_token(session, grant=grant, clock=clock)


def _per_call(calls: int, rounds: int, action: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) microseconds per call: the best of ``rounds`` rounds after a warm-up."""
    for _ in range(min(calls, 200)):
        action()
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            action()
        best_wall = min(best_wall, (time.perf_counter() - wall) / calls * 1e6)
        best_cpu = min(best_cpu, (time.process_time() - cpu) / calls * 1e6)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    db, clock = fresh_database(args.database_url), SystemClock()
    upgrade_to_head(db=db)
    first = bootstrap_if_empty(db=db, clock=clock)
    assert first is not None, "the benchmark database must start empty"
    key = first.admin_key.token
    admin = authenticate_api_key(db=db, token=key, clock=clock)
    assert isinstance(admin, Principal)
    access = _access_token(db, clock, admin)
    assert isinstance(authenticate_access_token(db=db, token=access, clock=clock), Principal)

    def baseline() -> None:
        with db.reader() as session:
            session.execute(text("SELECT 1")).scalar_one()

    cases = [
        ("baseline: read session + SELECT 1", baseline),
        ("API key", lambda: authenticate_api_key(db=db, token=key, clock=clock)),
        ("access token (JWT)", lambda: authenticate_access_token(db=db, token=access, clock=clock)),
    ]
    results = [(name, *_per_call(args.calls, args.rounds, action)) for name, action in cases]
    base_wall, base_cpu = results[0][1], results[0][2]
    print(f"database: {db.dialect}, {args.calls} calls x {args.rounds} rounds (best round)")
    print(f"| {'check':34} | wall µs | CPU µs | wall / baseline | CPU / baseline |")
    print(f"| {'-' * 34} | ------: | -----: | --------------: | -------------: |")
    for name, wall, cpu in results:
        print(
            f"| {name:34} | {wall:7.0f} | {cpu:6.0f} | {wall / base_wall:15.2f} "
            f"| {cpu / base_cpu:14.2f} |"
        )
    db.dispose()


if __name__ == "__main__":
    main()
