"""Column types that keep values exact on both databases.

* ``ExactDecimal(scale)``: NUMERIC(precision, scale) on PostgreSQL; on SQLite a 64-bit INTEGER
  of minor units (value x 10^scale), so storage, comparison and ``SUM`` stay exact (SQLite's
  NUMERIC affinity would round-trip through float). Values with more decimals than ``scale``
  are refused, never rounded: rounding happens only in ``beleg.money``.
* ``UtcDateTime``: timezone-aware UTC datetimes; naive values are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

SQLITE_INTEGER_DIGITS = 18  # 9.2e18 fits a signed 64-bit integer


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal with a fixed number of fractional digits (see module docstring)."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 18) -> None:
        super().__init__()
        self.scale = scale
        self.precision = precision

    def __repr__(self) -> str:  # rendered into migrations: keep the arguments
        return f"ExactDecimal(scale={self.scale}, precision={self.precision})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int):
            raise TypeError(f"ExactDecimal takes Decimal or int, not {type(value).__name__}")
        decimal = Decimal(value)
        scaled = decimal.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{decimal} has more than {self.scale} decimal places")
        if abs(scaled) >= Decimal(10) ** SQLITE_INTEGER_DIGITS:
            raise ValueError(f"{decimal} is too large for this column")
        if dialect.name == "sqlite":
            return int(scaled)
        return decimal

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        quantum = Decimal(1).scaleb(-self.scale)
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(quantum)
        return Decimal(value).quantize(quantum)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants: TIMESTAMPTZ on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UtcDateTime takes timezone-aware datetimes only")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDocument = JSON().with_variant(JSONB(), "postgresql")
