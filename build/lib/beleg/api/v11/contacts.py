"""MasterDataCustomer and MasterDataSupplier (seed 003 §4.16, §4.17).

Both resources share create, read, search, replace (PUT = full replacement), upsert by number,
delete and contra-account creation; customers also have additional addresses. The request
models are built from the domain's field lists, so every seed field is accepted and typed.
"""

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, create_model

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.strict import StrictScalars, TextOrNumber
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON, Number
from beleg.domain.contacts.partners import (
    ADDRESS_TEXT,
    Address,
    Contact,
    ContactKind,
    text_fields,
)
from beleg.domain.identity.principal import Actor
from beleg.queries.contacts import partners as read
from beleg.services.contacts import partners as service


class _Raw(StrictScalars):
    """Seed field names as they are (camelCase); text fields take numbers too (the seed's
    examples send ``streetNumber: 1``, accounting-api.md §7 item 40), booleans and integers
    only their own JSON kind."""

    model_config = ConfigDict(extra="forbid")


def _model(name: str, texts: tuple[str, ...], extra: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {t: (TextOrNumber | None, None) for t in texts}
    fields.update(extra)
    return create_model(name, __base__=_Raw, **fields)


_CONTACT_EXTRA = {
    "id": (TextOrNumber | None, None),
    "noVatNumber": (bool | None, None),
    "rating": (int | None, None),
    "contraAccount": (TextOrNumber | None, None),
    "createContraAccount": (bool | None, None),
}
CustomerDto = _model(
    "CustomerDto",
    text_fields(ContactKind.CUSTOMER),
    {**_CONTACT_EXTRA, "dunningStop": (bool | None, None), "discount": (Number | None, None)},
)
SupplierDto = _model("SupplierDto", text_fields(ContactKind.SUPPLIER), _CONTACT_EXTRA)
AdditionalAddressDto = _model(
    "AdditionalAddressDto", ADDRESS_TEXT, {"id": (TextOrNumber | None, None)}
)


class CustomerSupplierContraAccountCreationDto(_Raw):
    contraAccount: TextOrNumber | None = None


def _values(body: BaseModel) -> dict[str, Any]:
    return body.model_dump()


def build(kind: ContactKind) -> APIRouter:
    """The router of ``/customers`` or ``/suppliers``."""
    customer = kind is ContactKind.CUSTOMER
    base, noun = ("/customers", "Customer") if customer else ("/suppliers", "Supplier")
    scope = "customers" if customer else "suppliers"
    router = APIRouter(prefix=base, tags=[f"MasterData{noun}"], route_class=BelegRoute)
    _add_contact_routes(router, kind, noun, scope)
    if customer:
        _add_address_routes(router)
    return router


def _add_contact_routes(router: APIRouter, kind: ContactKind, noun: str, scope: str) -> None:
    model = CustomerDto if kind is ContactKind.CUSTOMER else SupplierDto

    def saved(rt: Runtime, actor: Actor, contact: Contact) -> Response:
        return AccountingJSON(
            read.get_contact(
                db=rt.db, tenant_id=actor.principal.tenant_id, kind=kind, contact_id=contact.id
            )
        )

    @router.get("", operation_id=f"getAll{noun}s", response_class=AccountingJSON)
    def search(
        search: str | None = None,
        limit: int | None = Query(None, ge=1, le=1000),
        actor: Actor = requires(f"{scope}:read"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return AccountingJSON(
            read.list_contacts(
                db=rt.db, tenant_id=actor.principal.tenant_id, kind=kind, search=search, limit=limit
            )
        )

    @router.post("", operation_id=f"create{noun}", response_class=AccountingJSON)
    def create(
        body: model,  # type: ignore[valid-type]  # a model built at runtime
        actor: Actor = requires(f"{scope}:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.save_contact(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            kind=kind,
            values=_values(body),
            clock=rt.clock,
        )
        return saved(rt, actor, row)

    @router.put("/by_number", operation_id=f"upsert{noun}ByNumber", response_class=AccountingJSON)
    def upsert(
        body: model,  # type: ignore[valid-type]  # a model built at runtime
        actor: Actor = requires(f"{scope}:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.save_contact(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            kind=kind,
            values=_values(body),
            clock=rt.clock,
            by_number=True,
        )
        return saved(rt, actor, row)

    @router.get("/{contact}", operation_id=f"get{noun}", response_class=AccountingJSON)
    def get(
        contact: str, actor: Actor = requires(f"{scope}:read"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return AccountingJSON(
            read.get_contact(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                kind=kind,
                contact_id=path_uuid(contact, "id"),
            )
        )

    @router.put("/{contact}", operation_id=f"update{noun}", response_class=AccountingJSON)
    def replace(
        contact: str,
        body: model,  # type: ignore[valid-type]  # a model built at runtime
        actor: Actor = requires(f"{scope}:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.save_contact(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            kind=kind,
            values=_values(body),
            clock=rt.clock,
            contact_id=path_uuid(contact, "id"),
        )
        return saved(rt, actor, row)

    @router.delete("/{contact}", operation_id=f"delete{noun}", response_class=Response)
    def remove(
        contact: str, actor: Actor = requires(f"{scope}:write"), rt: Runtime = Depends(runtime)
    ) -> Response:
        service.delete_contact(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            kind=kind,
            contact_id=path_uuid(contact, "id"),
            clock=rt.clock,
        )
        return Response(status_code=200)

    @router.post(
        "/{contact}/create_contra_account",
        operation_id=f"create{noun}ContraAccount",
        response_class=AccountingJSON,
    )
    def contra(
        contact: str,
        body: CustomerSupplierContraAccountCreationDto | None = Body(None),
        actor: Actor = requires(f"{scope}:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.create_contra_account(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            kind=kind,
            contact_id=path_uuid(contact, "id"),
            code=body.contraAccount if body else None,
            clock=rt.clock,
        )
        return saved(rt, actor, row)


def _add_address_routes(router: APIRouter) -> None:
    def change(
        rt: Runtime, actor: Actor, customer: str, address: str | None, operation: str
    ) -> Response:
        service.change_address(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            customer_id=path_uuid(customer, "customer"),
            address_id=path_uuid(address, "address") if address else None,
            operation=operation,
            clock=rt.clock,
        )
        return Response(status_code=200)

    @router.get(
        "/{customer}/additional_addresses",
        operation_id="getAdditionalAddresses",
        response_class=AccountingJSON,
    )
    def addresses(
        customer: str, actor: Actor = requires("customers:read"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return AccountingJSON(
            read.list_addresses(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                customer_id=path_uuid(customer, "customer"),
            )
        )

    @router.get(
        "/{customer}/additional_addresses/{address}",
        operation_id="getAdditionalAddress",
        response_class=AccountingJSON,
    )
    def address(
        customer: str,
        address: str,
        actor: Actor = requires("customers:read"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return AccountingJSON(
            read.get_address(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                customer_id=path_uuid(customer, "customer"),
                address_id=path_uuid(address, "address"),
            )
        )

    @router.post(
        "/{customer}/additional_addresses",
        operation_id="createAdditionalAddress",
        response_class=AccountingJSON,
    )
    def add(
        customer: str,
        body: AdditionalAddressDto,  # type: ignore[valid-type]  # a model built at runtime
        actor: Actor = requires("customers:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.save_address(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            customer_id=path_uuid(customer, "customer"),
            values=_values(body),
            clock=rt.clock,
        )
        return _address(row)

    @router.put(
        "/{customer}/additional_addresses/{address}",
        operation_id="updateAdditionalAddress",
        response_class=AccountingJSON,
    )
    def put(
        customer: str,
        address: str,
        body: AdditionalAddressDto,  # type: ignore[valid-type]  # a model built at runtime
        actor: Actor = requires("customers:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        row = service.save_address(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            customer_id=path_uuid(customer, "customer"),
            values=_values(body),
            clock=rt.clock,
            address_id=path_uuid(address, "address"),
        )
        return _address(row)

    @router.delete(
        "/{customer}/additional_addresses/{address}",
        operation_id="deleteAdditionalAddress",
        response_class=Response,
    )
    def delete(
        customer: str,
        address: str,
        actor: Actor = requires("customers:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return change(rt, actor, customer, address, "delete")

    @router.post(
        "/{customer}/additional_addresses/{address}/default",
        operation_id="setDefaultAdditionalAddress",
        response_class=Response,
    )
    def make_default(
        customer: str,
        address: str,
        actor: Actor = requires("customers:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return change(rt, actor, customer, address, "default")

    @router.delete(
        "/{customer}/additional_addresses/{address}/default",
        operation_id="unsetDefaultAdditionalAddress",
        response_class=Response,
    )
    def undefault(
        customer: str,
        address: str,
        actor: Actor = requires("customers:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return change(rt, actor, customer, address, "undefault")

    @router.post(
        "/{customer}/default_address",
        operation_id="setMainAddressDefault",
        response_class=Response,
    )
    def main_default(
        customer: str, actor: Actor = requires("customers:write"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return change(rt, actor, customer, None, "main")


def _address(address: Address) -> Response:
    return AccountingJSON({"id": str(address.id), **address.fields})
