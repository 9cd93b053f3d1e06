"""The demo's customers: German companies (B2B, with a VAT ID whose check digit is right) and
private persons (B2C), with made-up names and addresses drawn from a seeded generator, so
that every demo run creates the same customers."""

from __future__ import annotations

import json
import random
import uuid
from importlib.resources import files

from stdnum.iso7064 import mod_11_10

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.contacts.customers import CustomerDraft, CustomerType, PostalAddress
from beleg.domain.identity.principal import Actor
from beleg.services.contacts.customers import create_customer

_PEOPLE = json.loads(files(__package__).joinpath("people.json").read_text(encoding="utf-8"))
FIRST_NAMES: tuple[str, ...] = tuple(_PEOPLE["first_names"])  # made-up data, not UI text
LAST_NAMES: tuple[str, ...] = tuple(_PEOPLE["last_names"])
TRADES: tuple[str, ...] = tuple(_PEOPLE["trades"])
FORMS: tuple[str, ...] = tuple(_PEOPLE["forms"])
STREETS: tuple[str, ...] = tuple(_PEOPLE["streets"])
CITIES: tuple[tuple[str, str], ...] = tuple((z, c) for z, c in _PEOPLE["cities"])
B2B_SHARE = 0.4


def vat_id(rng: random.Random) -> str:
    """A German VAT ID (USt-IdNr.): DE, eight digits and the ISO 7064 MOD 11,10 check digit
    (the rule python-stdnum checks; no such company need exist)."""
    digits = str(rng.randint(10_000_000, 99_999_999))
    return f"DE{digits}{mod_11_10.calc_check_digit(digits)}"


def draft(rng: random.Random, index: int) -> CustomerDraft:
    """The ``index``-th demo customer, drawn from ``rng``."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    zip_code, city = rng.choice(CITIES)
    street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
    slug = f"{last.lower().encode('ascii', 'ignore').decode()}{index}"
    if rng.random() < B2B_SHARE:
        return CustomerDraft(
            customer_type=CustomerType.B2B,
            company_name=f"{last} {rng.choice(TRADES)} {rng.choice(FORMS)}",
            vat_id=vat_id(rng),
            country="DE",
            invoice_address=PostalAddress(street, zip_code, city, "DE", f"rechnung@{slug}.example"),
        )
    return CustomerDraft(
        customer_type=CustomerType.B2C,
        first_name=first,
        last_name=last,
        country="DE",
        invoice_address=PostalAddress(street, zip_code, city, "DE", f"{slug}@mail.example"),
    )


def create_customers(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    count: int,
    rng: random.Random,
    clock: Clock,
) -> list[uuid.UUID]:
    """``count`` customers, numbered by the tenant's counter; their ids in order."""
    return [
        create_customer(
            db=db, actor=actor, tenant_id=tenant_id, draft=draft(rng, index), clock=clock
        ).id
        for index in range(count)
    ]
