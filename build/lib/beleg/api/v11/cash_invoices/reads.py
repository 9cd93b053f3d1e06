"""The reads of cash-based invoices (seed 003 §4.3, §4.4): search, get, bookings, journals."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from beleg.api.inputs import IsoBusinessDate
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.models import (
    CbInvoiceOut,
    InvoiceBookingDto,
    JournalDto,
    documented,
)
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.accounting.lines import Direction
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.queries.accounting import invoices as read
from beleg.services.tenancy.test_clock import business_today


def add_reads(router: APIRouter, direction: Direction, noun: str) -> None:
    @router.get(
        "",
        operation_id=f"search{noun}s",
        response_class=AccountingJSON,
        responses=documented(list[CbInvoiceOut]),
        summary="Search invoices dated from..to (headers only)",
    )
    def search(
        *,
        # Annotated: FastAPI drops a required parameter's validators given as its default
        date_from: Annotated[IsoBusinessDate, Query(alias="from")],
        date_to: Annotated[IsoBusinessDate, Query(alias="to")],
        search_text: str | None = None,
        state: str | None = Query(None, pattern="^(PAID|UNPAID|OVERDUE)$"),
        actor: Actor = requires("ledger:read"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        today = business_today(db=rt.db, tenant_id=tenant_id, system=rt.clock)
        return AccountingJSON(
            read.list_invoices(
                db=rt.db,
                tenant_id=tenant_id,
                direction=direction,
                date_from=date_from,
                date_to=date_to,
                search=search_text,
                state=state,
                today=today,
            )
        )

    @router.get(
        "/{invoice}",
        operation_id=f"get{noun}",
        response_class=AccountingJSON,
        responses=documented(CbInvoiceOut),
    )
    def get(
        invoice: str, actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return AccountingJSON(
            read.get_invoice(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                direction=direction,
                invoice_id=path_uuid(invoice, "invoice"),
            )
        )

    @router.get(
        "/{invoice}/bookings",
        operation_id=f"get{noun}Bookings",
        response_class=AccountingJSON,
        responses=documented(list[InvoiceBookingDto]),
    )
    def bookings(
        invoice: str, actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return AccountingJSON(
            read.invoice_bookings(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                direction=direction,
                invoice_id=path_uuid(invoice, "invoice"),
            )
        )

    @router.get(
        "/{invoice}/bookings/{booking}",
        operation_id=f"get{noun}Booking",
        response_class=AccountingJSON,
        responses=documented(InvoiceBookingDto),
    )
    def booking(
        invoice: str,
        booking: str,
        actor: Actor = requires("ledger:read"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        items = read.invoice_bookings(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
        )
        return AccountingJSON(_booking(items, booking))

    @router.get(
        "/{invoice}/journals",
        operation_id=f"get{noun}Journals",
        response_class=AccountingJSON,
        responses=documented(list[JournalDto]),
    )
    def journals(
        invoice: str, actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
    ) -> Response:
        return AccountingJSON(
            read.invoice_journals(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                direction=direction,
                invoice_id=path_uuid(invoice, "invoice"),
            )
        )

    @router.get(
        "/{invoice}/journals/{journal}",
        operation_id=f"get{noun}Journal",
        response_class=AccountingJSON,
        responses=documented(JournalDto),
    )
    def journal(
        invoice: str,
        journal: str,
        actor: Actor = requires("ledger:read"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        items = read.invoice_journals(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
        )
        found = [j for j in items if journal in (j["id"], j["journalNumber"])]
        if not found:
            raise NotFound("accounting.journal_not_on_invoice", field="journal", journal=journal)
        return AccountingJSON(found[0])


def _booking(items: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    for item in items:
        if item["id"] == wanted:
            return item
    raise NotFound("accounting.booking_not_on_invoice", field="booking", booking=wanted)
