"""Contracts (spec/billing-api.md "Contract"): create, read, list, change, delete, and the
lifecycle actions activate and cancel. Terminations, plan changes, the service cycle, pauses,
prices and the preview are in ``api/v2/contract_actions.py``."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel, Page
from beleg.api.security import requires
from beleg.api.v2.contract_schemas import ContractIn, ContractListItem, ContractOut, ContractPatch
from beleg.domain.contracts.lifecycle import Action
from beleg.domain.identity.principal import Actor
from beleg.queries.contracts import contracts as read
from beleg.services.contracts import changes
from beleg.services.contracts import contracts as service

router = APIRouter(prefix="/contracts", tags=["Contracts"], route_class=BelegRoute)
READ, WRITE = "contracts:read", "contracts:write"
ContractId = Annotated[uuid.UUID, Path(description="The contract's id")]


@router.get(
    "", response_model=Page[ContractListItem], responses=CSV_RESPONSE, summary="List contracts"
)
def list_contracts(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    """RSQL ``search=`` on contractNumber, customer, customerNumber, plan, status,
    internalIdentifier, startDate, endDate; ``format=csv`` exports the list."""
    spec = read.contract_list(actor.principal.tenant_id)
    return list_response(request, spec, params, rt, "contracts.csv")


@router.post("", response_model=ContractOut, status_code=201, summary="Create a contract")
def create_contract(
    body: ContractIn, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    """A DRAFT contract; its frame data comes from the plan, its items from the plan or
    ``items``."""
    contract = service.create_contract(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        given=body.data(),
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract.id, clock=rt.clock)


@router.get("/{contract_id}", response_model=ContractOut, summary="Read a contract")
def get_contract(
    contract_id: ContractId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


class ItemRow(ApiModel):
    id: uuid.UUID
    item_key: uuid.UUID
    plan: str
    option: str
    name: str
    quantity: Decimal
    status: str
    additional_text: str | None = None
    served_from: date
    served_to: date | None = None


@router.get(
    "/{contract_id}/items",
    response_model=Page[ItemRow],
    responses=CSV_RESPONSE,
    summary="List a contract's items",
)
def list_items(
    request: Request,
    contract_id: ContractId,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    """Every item version; RSQL ``search=`` on status, option (item number), name,
    additionalText, servedFrom."""
    tenant_id = actor.principal.tenant_id
    read.check_exists(rt.db, tenant_id, contract_id)
    return list_response(request, read.item_list(tenant_id, contract_id), params, rt, "items.csv")


@router.patch("/{contract_id}", response_model=ContractOut, summary="Change a contract")
def patch_contract(
    contract_id: ContractId,
    body: ContractPatch,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    """Billing group, invoice recipient, internal identifier, and items by id: hold or
    release (status), text, special price, discount."""
    changes.update_contract(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        fields=body.fields(),
        items=tuple(item.data() for item in body.items),
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


@router.delete("/{contract_id}", status_code=204, summary="Delete a draft or cancelled contract")
def delete_contract(
    contract_id: ContractId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> None:
    service.delete_contract(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        clock=rt.clock,
    )


def _transition(action: Action, contract_id: uuid.UUID, actor: Actor, rt: Runtime) -> Any:
    service.transition(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        action=action,
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


@router.post("/{contract_id}/activate", response_model=ContractOut, summary="Activate")
def activate_contract(
    contract_id: ContractId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    """DRAFT -> ACTIVE: the contract is served and billed from its start."""
    return _transition(Action.ACTIVATE, contract_id, actor, rt)


@router.post("/{contract_id}/cancel", response_model=ContractOut, summary="Cancel a draft")
def cancel_contract(
    contract_id: ContractId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    """DRAFT -> CANCELLED: the contract will never run."""
    return _transition(Action.CANCEL, contract_id, actor, rt)
