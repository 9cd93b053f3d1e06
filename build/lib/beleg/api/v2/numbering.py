"""Document numbering: counters (seed 001: prefix and suffix on the counter, and the toggle
``affixSource`` COUNTER|STRATEGY), the number strategy of each document type with its rules
(seed 000: customer type, country, billing group, operating site; the highest priority
wins), and sequence groups (seed 003 §3.4: ANNUAL or PERMANENT, one default)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import (
    AffixSource,
    CounterConfig,
    CounterReset,
    CustomerType,
    DocumentType,
    NumberRule,
    SequenceBase,
)
from beleg.queries.numbering import counters as read
from beleg.services.numbering import counters as service

router = APIRouter(tags=["Document numbering"], route_class=BelegRoute)

AFFIX_HELP = "Up to 25 characters; placeholders {yyyy}, {yy}, {mm} from the document date"


class CounterOut(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description=AFFIX_HELP)
    suffix: str = Field(description=AFFIX_HELP)
    width: int = Field(description="Zero padding of the number; 0 = none")
    reset: CounterReset = Field(description="When the counter restarts at start")
    start: int = Field(description="The first number of every period")
    affix_source: AffixSource = Field(
        description="COUNTER: this counter's prefix/suffix; "
        "STRATEGY: those of the document type's strategy"
    )
    created_at: datetime
    updated_at: datetime


class CounterValue(ApiModel):
    period: str = Field(description="'-' (never reset), '2026' or '2026-11'")
    last_value: int = Field(description="The last number issued in the period")


class CounterDetail(CounterOut):
    values: list[CounterValue]


class CounterIn(ApiInput):
    name: str = Field(description="1 to 100 characters")
    prefix: str = Field("", description=AFFIX_HELP)
    suffix: str = Field("", description=AFFIX_HELP)
    width: int = Field(0, description="0 to 18")
    reset: CounterReset = CounterReset.NEVER
    start: int = Field(1, description="0 to 10^15; fixed once the counter issued numbers")
    affix_source: AffixSource = AffixSource.COUNTER

    def config(self) -> CounterConfig:
        return CounterConfig(
            prefix=self.prefix,
            suffix=self.suffix,
            width=self.width,
            reset=self.reset,
            start=self.start,
            affix_source=self.affix_source,
        )


class RuleIn(ApiInput):
    priority: int = Field(description="Higher wins; equal priorities: the earlier rule")
    counter_id: uuid.UUID
    customer_type: CustomerType | None = Field(None, description="null = any")
    country: str | None = Field(None, description="ISO 3166 alpha-2; null = any")
    billing_group: str | None = Field(None, description="null = any")
    operating_site: str | None = Field(None, description="null = any")


class RuleOut(ApiModel):
    priority: int
    counter_id: uuid.UUID
    customer_type: CustomerType | None
    country: str | None
    billing_group: str | None
    operating_site: str | None


class StrategyIn(ApiInput):
    prefix: str = Field("", description=AFFIX_HELP + "; used by counters with affixSource STRATEGY")
    suffix: str = Field("", description=AFFIX_HELP)
    rules: list[RuleIn] = Field(
        default_factory=list, description="Replaces every rule of the document type"
    )


class StrategyOut(ApiModel):
    doc_type: DocumentType
    prefix: str
    suffix: str
    rules: list[RuleOut]


class SequenceGroupOut(ApiModel):
    id: uuid.UUID
    name: str
    base: SequenceBase = Field(
        description="ANNUAL numbers contain the year and restart "
        "every year; PERMANENT ones count on"
    )
    default_group: bool
    created_at: datetime
    updated_at: datetime


class SequenceGroupDetail(SequenceGroupOut):
    counters: dict[DocumentType, uuid.UUID | None] = Field(
        description="The counter of each document type"
    )


class SequenceGroupIn(ApiInput):
    name: str = Field(description="1 to 100 characters")
    base: SequenceBase = Field(description="Fixed once the group exists")
    default_group: bool = Field(False, description="true makes this the default group")
    counters: dict[DocumentType, uuid.UUID] | None = Field(
        None,
        description="Counter per document type; a new group gets a new counter for "
        "each type not given",
    )


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "/document-counters",
    response_model=Page[CounterOut],
    responses=CSV_RESPONSE,
    summary="List document counters",
)
def list_counters(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(
        request, read.counter_list(_tenant(actor)), params, rt, "document-counters.csv"
    )


@router.post(
    "/document-counters",
    response_model=CounterDetail,
    status_code=201,
    summary="Create a document counter",
)
def create_counter(
    body: CounterIn, actor: Actor = requires("documents:write"), rt: Runtime = Depends(runtime)
) -> Any:
    counter = service.create_counter(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        name=body.name,
        config=body.config(),
        clock=rt.clock,
    )
    return read.get_counter(db=rt.db, tenant_id=_tenant(actor), counter_id=counter.id)


@router.get(
    "/document-counters/{counter_id}",
    response_model=CounterDetail,
    summary="Get a document counter and the last number of each period",
)
def read_counter(
    counter_id: uuid.UUID, actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_counter(db=rt.db, tenant_id=_tenant(actor), counter_id=counter_id)


@router.put(
    "/document-counters/{counter_id}",
    response_model=CounterDetail,
    summary="Replace a document counter's configuration",
)
def replace_counter(
    counter_id: uuid.UUID,
    body: CounterIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    service.update_counter(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        counter_id=counter_id,
        name=body.name,
        config=body.config(),
        clock=rt.clock,
    )
    return read.get_counter(db=rt.db, tenant_id=_tenant(actor), counter_id=counter_id)


@router.get(
    "/number-strategies/{docType}",
    response_model=StrategyOut,
    summary="Get the number strategy of a document type",
)
def read_strategy(
    docType: DocumentType, actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_strategy(db=rt.db, tenant_id=_tenant(actor), doc_type=docType)


@router.put(
    "/number-strategies/{docType}",
    response_model=StrategyOut,
    summary="Replace the prefix, suffix and rules of a document type's strategy",
)
def replace_strategy(
    docType: DocumentType,
    body: StrategyIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    rules = [
        NumberRule(
            priority=r.priority,
            counter_id=r.counter_id,
            doc_type=docType,
            customer_type=r.customer_type,
            country=r.country,
            billing_group=r.billing_group,
            operating_site=r.operating_site,
        )
        for r in body.rules
    ]
    service.put_strategy(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        doc_type=docType,
        prefix=body.prefix,
        suffix=body.suffix,
        rules=rules,
        clock=rt.clock,
    )
    return read.get_strategy(db=rt.db, tenant_id=_tenant(actor), doc_type=docType)


@router.get(
    "/sequence-groups",
    response_model=Page[SequenceGroupOut],
    responses=CSV_RESPONSE,
    summary="List sequence groups",
)
def list_sequence_groups(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(
        request, read.sequence_group_list(_tenant(actor)), params, rt, "sequence-groups.csv"
    )


@router.post(
    "/sequence-groups",
    response_model=SequenceGroupDetail,
    status_code=201,
    summary="Create a sequence group",
)
def create_sequence_group(
    body: SequenceGroupIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    group = service.save_sequence_group(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), values=body.model_dump(), clock=rt.clock
    )
    return read.get_sequence_group(db=rt.db, tenant_id=_tenant(actor), group_id=group.id)


@router.get(
    "/sequence-groups/{group_id}",
    response_model=SequenceGroupDetail,
    summary="Get a sequence group and its counters",
)
def read_sequence_group(
    group_id: uuid.UUID, actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_sequence_group(db=rt.db, tenant_id=_tenant(actor), group_id=group_id)


@router.put(
    "/sequence-groups/{group_id}",
    response_model=SequenceGroupDetail,
    summary="Replace a sequence group (name, default, counters)",
)
def replace_sequence_group(
    group_id: uuid.UUID,
    body: SequenceGroupIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    service.save_sequence_group(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        values=body.model_dump(),
        clock=rt.clock,
        group_id=group_id,
    )
    return read.get_sequence_group(db=rt.db, tenant_id=_tenant(actor), group_id=group_id)
