"""Path identifiers of the accounting API: a malformed id is simply not found (404), in the
words of seed 003 for the thing the path names ("Rechnung nicht gefunden.")."""

import uuid

from beleg.domain.errors import NotFound

NOT_FOUND = {
    "address": "api.address_not_found",
    "bankAccount": "api.bank_account_not_found",
    "booking": "api.booking_not_found",
    "customer": "api.customer_not_found",
    "header": "api.statement_not_found",
    "invoice": "api.invoice_not_found",
    "item": "api.item_not_found",
    "item_category": "api.item_category_not_found",
    "payment": "api.payment_not_found",
    "template": "api.template_not_found",
}


def path_uuid(value: str, field: str) -> uuid.UUID:
    """The UUID in a path segment; anything else names nothing that exists."""
    try:
        return uuid.UUID(value)
    except ValueError:
        code = NOT_FOUND.get(field, "api.path_not_found")
        raise NotFound(code, field=field, name=field, value=value) from None
