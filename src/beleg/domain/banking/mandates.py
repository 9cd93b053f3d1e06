"""SEPA direct-debit mandates (SEPA Core and B2B rulebooks; receivables issue, item 2).

A mandate belongs to one payment account of a customer. Its reference (the rulebook's
"unique mandate reference", AT-01) is unique per creditor, so per tenant: 1-35 characters of
the SEPA character set without spaces. The date of signature (AT-25) is never in the future.
The sequence type of a collection follows from the mandate's history (rulebook 4.5.3): the
first collection of a recurrent mandate is FRST, every later one RCUR, a one-off mandate is
collected once as OOFF, and a recurrent mandate marked final is collected a last time as FNAL.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from beleg.domain.errors import Conflict, ValidationFailed

# The SEPA character set (EPC217-08) for identifiers, as the pain.008 XSD restricts
# ``RestrictedPersonIdentifierSEPA``: letters, digits and / - ? : ( ) . , ' +, no spaces.
REFERENCE = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")


class MandateType(StrEnum):
    CORE = "CORE"
    B2B = "B2B"


class SequenceType(StrEnum):
    FRST = "FRST"
    RCUR = "RCUR"
    OOFF = "OOFF"
    FNAL = "FNAL"


class MandateStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"  # by the debtor or the creditor; no further collection
    COMPLETED = "COMPLETED"  # its OOFF or FNAL collection is made


@dataclass(frozen=True, slots=True)
class Mandate:
    """A mandate; ``iban``/``bic`` are the payment account's at creation (compact)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    payment_account_id: uuid.UUID
    reference: str
    signed_on: date
    mandate_type: MandateType
    one_off: bool
    final: bool  # the next collection is the last (FNAL)
    status: MandateStatus
    iban: str
    bic: str | None
    account_holder: str
    collections: int  # how many collections were put in batches
    created_at: datetime
    updated_at: datetime

    @property
    def used(self) -> bool:
        return self.collections > 0


def checked_reference(reference: str) -> str:
    if not REFERENCE.match(reference):
        raise ValidationFailed("banking.mandate_reference_invalid", field="reference")
    return reference


def checked_signature(signed_on: date, *, today: date) -> date:
    if signed_on > today:
        raise ValidationFailed(
            "banking.mandate_signed_in_future", field="signedOn", today=today.isoformat()
        )
    return signed_on


def checked_iban(iban: str) -> str:
    """The IBAN compact; its country format and check digits checked by schwifty."""
    try:
        return IBAN(iban).compact
    except SchwiftyException as exc:
        raise ValidationFailed("banking.iban_invalid", field="iban", reason=str(exc)) from exc


def checked_type(mandate_type: MandateType, *, customer_type: str | None) -> MandateType:
    """B2B mandates only for business customers (SEPA B2B rulebook 1.4: the debtor is not a
    consumer); a consumer (B2C) signs CORE."""
    if mandate_type is MandateType.B2B and customer_type == "B2C":
        raise ValidationFailed("banking.mandate_b2b_consumer", field="type")
    return mandate_type


def next_sequence(mandate: Mandate) -> SequenceType:
    """The sequence type of the mandate's next collection (rulebook 4.5.3)."""
    if mandate.status is not MandateStatus.ACTIVE:
        raise Conflict("banking.mandate_not_active", field="mandate", reference=mandate.reference)
    if mandate.one_off:
        return SequenceType.OOFF
    if mandate.final:
        return SequenceType.FNAL
    return SequenceType.RCUR if mandate.used else SequenceType.FRST
