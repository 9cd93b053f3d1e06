"""Items (seed 003 §4.15): items and item categories.

POST creates, PUT replaces the whole object (fields left out are cleared), DELETE answers 200
with no body, as seed 003 §4.15.3 and §4.15.4 document (§7 item 29: the seed's deletes differ;
each answers as documented). Reads need ``items:read``, writes ``items:write``. Output-only fields
(``id``, ``descriptionFormatted``, ``calculatedNetPrice``, ``itemCount``) are accepted on
input, as clients send whole DTOs back, and ignored. Rules: ``domain/catalog/items.py`` and
``services/catalog/items.py``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from beleg.api.inputs import WholeNumber
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.strict import StrictScalars
from beleg.api.v11.models import documented
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON, Number
from beleg.domain.identity.principal import Actor
from beleg.queries.catalog import items as read
from beleg.services.catalog import items as service

router = APIRouter(tags=["Items"], route_class=BelegRoute)
MODES = "RATE (percent of purchasePrice), CONSTANT (net amount, default), CONSTANT_TOTAL (gross)"


class _Dto(StrictScalars):
    """Seed field names as they are (camelCase); every field takes only the JSON kind its
    schema names (amounts: numbers or numeric strings)."""

    model_config = ConfigDict(extra="forbid")


class ItemCategoryDto(_Dto):
    """ItemCategoryDto (seed 003 5.50)."""

    id: str | None = Field(None, description="Output only, ignored")
    name: str | None = Field(None, description="Required")
    code: str | None = None
    description: str | None = None
    unitOfMeasure: str | None = Field(None, description="Default unit of its items")
    account: str | None = Field(None, description="Default revenue account (type E/M)")
    taxClassEntry: str | None = Field(None, description="Default tax class entry")
    itemCount: int | None = Field(None, description="Computed, ignored")
    color: str | None = Field(None, description="6 hex digits; random when omitted")


class ItemDto(_Dto):
    """ItemDto (seed 003 5.51)."""

    id: str | None = Field(None, description="Output only, ignored")
    name: str | None = Field(None, description="Required")
    unitOfMeasure: str | None = None
    number: str | None = None
    description: str | None = Field(None, description="May be HTML")
    descriptionFormatted: str | None = Field(None, description="Computed, ignored")
    sellingPrice: Number | None = Field(None, description="Required; max 10+5 digits")
    amountType: str | None = Field(None, description="Required: N net, T total incl. tax")
    weight: Number | None = None
    size: str | None = None
    currency: str | None = Field(None, description="ISO 4217; default the main currency")
    purchasePrice: Number | None = None
    margin: Number | None = None
    marginMode: str | None = Field(None, description=MODES)
    additionalCharge: Number | None = None
    additionalChargeMode: str | None = Field(None, description=MODES)
    supplier: str | None = Field(None, description="Supplier id")
    calculatedNetPrice: Number | None = Field(
        None, description="Computed: purchasePrice + margin + additionalCharge; ignored"
    )
    itemCategory: str | None = Field(None, description="Item category id")
    itemCategoryDefaulting: bool | None = Field(
        None, description="true: absent account/taxClassEntry/unitOfMeasure from the category"
    )
    barCode: str | None = None
    supplierOrderNumber: str | None = None
    addInfo1: str | None = None
    addInfo2: str | None = None
    addInfo3: str | None = None
    account: str | None = Field(None, description="Revenue account; required unless defaulted")
    taxClassEntry: str | None = Field(None, description="Required unless defaulted")
    color: str | None = Field(None, description="6 hex digits; random when omitted")


class ResultItemDto(BaseModel):
    """Result / ResultItemDto (seed 003 5.72, 5.73): one page of items."""

    content: list[ItemDto]
    totalCount: int


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


# --- items ------------------------------------------------------------------------------------


@router.post(
    "/items",
    operation_id="createItem",
    response_class=AccountingJSON,
    responses=documented(ItemDto),
)
def create_item(
    body: ItemDto, actor: Actor = requires("items:write"), rt: Runtime = Depends(runtime)
) -> Response:
    item = service.save_item(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), values=body.model_dump(), clock=rt.clock
    )
    return AccountingJSON(read.get_item(db=rt.db, tenant_id=_tenant(actor), item_id=item.id))


@router.get(
    "/items",
    operation_id="getAllItems",
    response_class=AccountingJSON,
    responses=documented(list[ItemDto]),
)
def get_items(
    *,
    category: str | None = Query(None, description="Item category id, or NONE"),
    search: str | None = Query(None, description="Name, description, number or bar code"),
    limit: int | None = Query(None, ge=1, le=read.MAX_LIMIT),
    main_currency: bool = Query(False, alias="mainCurrency"),
    actor: Actor = requires("items:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    return AccountingJSON(
        read.list_items(
            db=rt.db,
            tenant_id=_tenant(actor),
            category=category,
            search=search,
            limit=limit,
            main_currency=main_currency,
        )
    )


@router.get(
    "/items/paginated",
    operation_id="getAllItemsPaginated",
    response_class=AccountingJSON,
    responses=documented(ResultItemDto),
)
def get_items_paginated(
    *,
    category: str | None = Query(None, description="Item category id, or NONE"),
    search: str | None = Query(
        None, description="Name, description, number, bar code or category name"
    ),
    main_currency: bool = Query(False, alias="mainCurrency"),
    limit: int | None = Query(None, ge=1, le=read.MAX_LIMIT),
    offset: Annotated[WholeNumber, Query(ge=0, le=2**31 - 1)] = 0,
    sort: str | None = Query(None, description="prop[:asc|desc],... e.g. name:desc"),
    actor: Actor = requires("items:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    return AccountingJSON(
        read.page_items(
            db=rt.db,
            tenant_id=_tenant(actor),
            category=category,
            search=search,
            main_currency=main_currency,
            limit=limit,
            offset=offset,
            sort=sort,
        )
    )


@router.get(
    "/items/{item}",
    operation_id="getItem",
    response_class=AccountingJSON,
    responses=documented(ItemDto),
)
def get_item(
    item: str, actor: Actor = requires("items:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.get_item(db=rt.db, tenant_id=_tenant(actor), item_id=path_uuid(item, "item"))
    )


@router.put(
    "/items/{item}",
    operation_id="updateItem",
    response_class=AccountingJSON,
    responses=documented(ItemDto),
)
def update_item(
    item: str, body: ItemDto, actor: Actor = requires("items:write"), rt: Runtime = Depends(runtime)
) -> Response:
    saved = service.save_item(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        values=body.model_dump(),
        clock=rt.clock,
        item_id=path_uuid(item, "item"),
    )
    return AccountingJSON(read.get_item(db=rt.db, tenant_id=_tenant(actor), item_id=saved.id))


@router.delete("/items/{item}", operation_id="deleteItem", response_class=Response)
def delete_item(
    item: str, actor: Actor = requires("items:write"), rt: Runtime = Depends(runtime)
) -> Response:
    service.delete_item(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        item_id=path_uuid(item, "item"),
        clock=rt.clock,
    )
    return Response(status_code=200)


# --- item categories --------------------------------------------------------------------------


@router.post(
    "/item_categories",
    operation_id="createItemCategory",
    response_class=AccountingJSON,
    responses=documented(ItemCategoryDto),
)
def create_item_category(
    body: ItemCategoryDto, actor: Actor = requires("items:write"), rt: Runtime = Depends(runtime)
) -> Response:
    category = service.save_category(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), values=body.model_dump(), clock=rt.clock
    )
    return AccountingJSON(
        read.get_category(db=rt.db, tenant_id=_tenant(actor), category_id=category.id)
    )


@router.get(
    "/item_categories",
    operation_id="getAllItemCategories",
    response_class=AccountingJSON,
    responses=documented(list[ItemCategoryDto]),
)
def get_item_categories(
    actor: Actor = requires("items:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.list_categories(db=rt.db, tenant_id=_tenant(actor)))


@router.get(
    "/item_categories/{item_category}",
    operation_id="getItemCategory",
    response_class=AccountingJSON,
    responses=documented(ItemCategoryDto),
)
def get_item_category(
    item_category: str, actor: Actor = requires("items:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.get_category(
            db=rt.db,
            tenant_id=_tenant(actor),
            category_id=path_uuid(item_category, "item_category"),
        )
    )


@router.put(
    "/item_categories/{item_category}",
    operation_id="updateItemCategory",
    response_class=AccountingJSON,
    responses=documented(ItemCategoryDto),
)
def update_item_category(
    item_category: str,
    body: ItemCategoryDto,
    actor: Actor = requires("items:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    category = service.save_category(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        values=body.model_dump(),
        clock=rt.clock,
        category_id=path_uuid(item_category, "item_category"),
    )
    return AccountingJSON(
        read.get_category(db=rt.db, tenant_id=_tenant(actor), category_id=category.id)
    )


@router.delete(
    "/item_categories/{item_category}", operation_id="deleteItemCategory", response_class=Response
)
def delete_item_category(
    item_category: str, actor: Actor = requires("items:write"), rt: Runtime = Depends(runtime)
) -> Response:
    service.delete_category(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        category_id=path_uuid(item_category, "item_category"),
        clock=rt.clock,
    )
    return Response(status_code=200)
