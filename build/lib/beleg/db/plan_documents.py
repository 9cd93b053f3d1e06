"""The JSON documents of the billing catalogue: price models, intervals, phases and pricing
groups as the API shows them (camelCase, decimals as strings with every digit given). Price
versions and a plan's phases and groups are stored in this form; reads and audit snapshots
show it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.catalog.plans import Phase, PhaseType, PlanItem, PricingGroup
from beleg.domain.catalog.pricing import PriceModel, PriceModelKind, Tier


def text_of(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def price_document(model: PriceModel) -> dict[str, Any]:
    """``model`` in the API's shape: ``{"model": "PER_UNIT", "unitPrice": "0.05"}``."""
    document: dict[str, Any] = {"model": model.kind.value}
    if model.kind is PriceModelKind.FLAT:
        document["amount"] = text_of(model.amount)
    elif model.kind is PriceModelKind.PER_UNIT:
        document["unitPrice"] = text_of(model.unit_price)
    elif model.kind is PriceModelKind.PACKAGE:
        document["packageSize"] = text_of(model.package_size)
        document["packagePrice"] = text_of(model.package_price)
    else:
        document["tiers"] = [
            {
                "upTo": text_of(tier.up_to),
                "unitPrice": text_of(tier.unit_price),
                "flatFee": text_of(tier.flat_fee),
            }
            for tier in model.tiers
        ]
    return document


def price_model_of(document: Mapping[str, Any]) -> PriceModel:
    """The model stored by ``price_document``."""
    tiers = tuple(
        Tier(_number(t["upTo"]), Decimal(t["unitPrice"]), Decimal(t["flatFee"]))
        for t in document.get("tiers", ())
    )
    return PriceModel(
        PriceModelKind(document["model"]),
        amount=_number(document.get("amount")),
        unit_price=_number(document.get("unitPrice")),
        tiers=tiers,
        package_size=_number(document.get("packageSize")),
        package_price=_number(document.get("packagePrice")),
    )


def interval_of(unit: str, count: int) -> Interval:
    return Interval(IntervalUnit(unit), count)


def phases_of(document: list[dict[str, Any]]) -> tuple[Phase, ...]:
    return tuple(
        Phase(
            PhaseType(p["type"]),
            None if p.get("duration") is None else interval_of(**p["duration"]),
        )
        for p in document
    )


def phases_document(phases: Iterable[Phase]) -> list[dict[str, Any]]:
    return [
        {
            "type": phase.type.value,
            "duration": None if phase.duration is None else interval_document(phase.duration),
        }
        for phase in phases
    ]


def interval_document(interval: Interval) -> dict[str, Any]:
    return {"unit": interval.unit.value, "count": interval.count}


def groups_document(groups: Iterable[PricingGroup]) -> list[dict[str, Any]]:
    return [
        {"code": g.code, "maxQuantity": {k: str(v) for k, v in g.max_quantity.items()}}
        for g in groups
    ]


def groups_of(document: list[dict[str, Any]]) -> tuple[PricingGroup, ...]:
    return tuple(
        PricingGroup(g["code"], {k: Decimal(v) for k, v in g["maxQuantity"].items()})
        for g in document
    )


def item_document(item: PlanItem) -> dict[str, Any]:
    return {
        "option": item.option,
        "quantity": text_of(item.quantity),
        "freeQuota": text_of(item.free_quota),
        "priceVersions": [
            {"validFrom": p.valid_from.isoformat(), "price": price_document(p.model)}
            for p in item.prices
        ],
    }
