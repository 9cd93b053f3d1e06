"""Webhook delivery benchmark: signed, checked, recorded deliveries per second against bare
HTTP posts of the same payloads to the same receiver, in the same run.

    PYTHONPATH=src .venv/bin/python bench/delivery.py [--database-url URL] [--events N]

A receiver (uvicorn, a minimal ASGI app answering 200 ``ok``) runs in its own process on
127.0.0.1. A test-mode tenant gets one endpoint on it (``BELEG_WEBHOOKS_ALLOW_LOOPBACK`` as
the tests have it); ``N`` ``customer.created`` events are written to the outbox. Then:

1. fan-out: ``dispatch_pending`` turns the events into deliveries (bulk insert);
2. delivery: ``send_due`` as the worker runs it (lease in batches, address check, Standard
   Webhooks signature, POST over one connection pool, attempt and outcome recorded);
3. baseline: a bare ``httpx2.Client`` posting the same payload texts to the same receiver,
   over one keep-alive connection, nothing checked, signed or recorded; run before and after
   the delivery, the faster run counts (the machine is shared).

Reports each step's rate and the delivery's share of the baseline. Without ``--database-url``
a fresh SQLite file is used; a PostgreSQL database named there is wiped first (its name must
start with ``beleg_bench`` or ``beleg_test``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import time
import uuid
from typing import Any

import httpx2
from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.outbox import enqueue_many
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import webhook_deliveries
from beleg.services.delivery.dispatch import dispatch_pending
from beleg.services.delivery.webhook_sending import send_due
from beleg.services.delivery.webhooks import create_endpoint
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from bench_support import fresh_database, system_actor


async def _receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def _serve(port: int) -> None:
    import uvicorn  # noqa: PLC0415 -- only the receiver process needs it

    uvicorn.run(_receiver_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the receiver did not start")


def _customer(n: int) -> dict[str, Any]:
    return {
        "customer": {
            "id": str(uuid.uuid4()),
            "customerNumber": f"K{n:06d}",
            "type": "B2C",
            "firstName": "Eva",
            "lastName": f"Berg {n}",
            "country": "DE",
            "invoiceAddress": {"street": "Hauptstraße 1", "zipCode": "10115", "city": "Berlin"},
        }
    }


def _bare_posts(target: str, payloads: list[str]) -> float:
    """Seconds for posting every payload with a bare client over one keep-alive connection."""
    started = time.perf_counter()
    with httpx2.Client(trust_env=False) as client:
        for payload in payloads:
            answer = client.post(
                target, content=payload.encode(), headers={"content-type": "application/json"}
            )
            assert answer.status_code == 200
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    port = _free_port()
    receiver = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(port,), daemon=True
    )
    receiver.start()
    try:
        _wait_for(port)
        _bench(args.database_url, args.events, port)
    finally:
        receiver.terminate()
        receiver.join()


def _bench(url: str | None, events: int, port: int) -> None:
    db, clock = fresh_database(url), SystemClock()
    upgrade_to_head(db=db)
    platform = system_actor(uuid.UUID(int=0))
    tenant = create_tenant(
        db=db,
        actor=platform,
        clock=clock,
        spec=TenantInput(name="Bench", country="DE", accounting_mode="DE", test_mode=True),
    )
    actor = system_actor(tenant.id)
    create_endpoint(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        url=f"http://127.0.0.1:{port}/hook",
        description="bench",
        event_types=["customer.created"],
        enabled=True,
        allow_loopback=True,
        clock=clock,
    )
    with db.transaction() as session:
        batch = [("customer.created", _customer(n)) for n in range(events)]
        enqueue_many(session, tenant_id=tenant.id, events=batch, clock=clock)
    started = time.perf_counter()
    fanned = dispatch_pending(db=db, tenant_id=tenant.id, clock=clock, limit=events)
    fan_out = time.perf_counter() - started
    with db.reader() as session:
        payloads = list(session.execute(select(webhook_deliveries.c.payload)).scalars())
    target = f"http://127.0.0.1:{port}/hook"
    before = _bare_posts(target, payloads)  # also warms the receiver up
    started = time.perf_counter()
    sent = send_due(db=db, tenant_id=tenant.id, clock=clock, allow_loopback=True, limit=events)
    delivery = time.perf_counter() - started
    baseline = min(before, _bare_posts(target, payloads))  # the better of before and after
    assert fanned == sent == len(payloads) == events
    rate = {
        name: events / seconds
        for name, seconds in (("fan", fan_out), ("send", delivery), ("base", baseline))
    }
    print(
        f"database: {db.dialect}, {events} customer.created events, 1 endpoint, "
        "receiver: uvicorn on 127.0.0.1"
    )
    print(f"| {'step':52} | seconds | per second | vs. baseline |")
    print(f"| {'-' * 52} | ------: | ---------: | -----------: |")
    rows = (
        ("fan-out: events -> deliveries (dispatch_pending)", fan_out, rate["fan"], None),
        (
            "delivery: send_due (check, sign, POST, record)",
            delivery,
            rate["send"],
            rate["send"] / rate["base"],
        ),
        ("baseline: bare httpx2 posts of the same payloads", baseline, rate["base"], 1.0),
    )
    for name, seconds, per_second, ratio in rows:
        share = "" if ratio is None else f"{ratio:.2f}"
        print(f"| {name:52} | {seconds:7.2f} | {per_second:10,.0f} | {share:>12} |")
    db.dispose()


if __name__ == "__main__":
    main()
