"""The one number allocator's table: the last value of every number series, per tenant and
period (DESIGN.md "One number allocator"; ``db/sequences.py``).

A row is (tenant, series, period): ``series`` names what is numbered (``journal:E``,
``document-counter:<id>``, ``receipt:<register>:<series>``, ...), ``period`` the span the
series restarts in (``""`` never, ``2026``, ``2026-11``). Series that belong to no tenant
(tenant numbers) use the all-zero tenant id, so there is no foreign key to ``tenants``.
"""

from sqlalchemy import BigInteger, Column, String, Table, Uuid

from beleg.db.tables.base import metadata

sequences = Table(
    "sequences",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("series", String(80), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)
