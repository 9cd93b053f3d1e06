"""The demo's customers: German companies (B2B, with a VAT ID whose check digit is right) and
private persons (B2C), with made-up names and addresses drawn from a seeded generator, so
that every demo run creates the same customers."""

from __future__ import annotations

import random
import uuid

from stdnum.iso7064 import mod_11_10

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.contacts.customers import CustomerDraft, CustomerType, PostalAddress
from beleg.domain.identity.principal import Actor
from beleg.services.contacts.customers import create_customer

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas",
    "Klara", "Lukas", "Mia", "Noah", "Paula", "Quirin", "Rosa", "Simon", "Tilda", "Valentin",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger",
)  # fmt: skip
TRADES = (
    "Software", "Logistik", "Bau", "Design", "Consulting", "Medien", "Technik", "Handel",
    "Energie", "Reisen",
)  # fmt: skip
FORMS = ("GmbH", "GmbH & Co. KG", "AG", "UG (haftungsbeschränkt)", "e.K.")
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße",
    "Lindenallee", "Am Markt", "Bergstraße", "Kirchplatz", "Mozartweg",
)  # fmt: skip
CITIES = (
    ("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"),
    ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("40213", "Düsseldorf"),
    ("04109", "Leipzig"), ("01067", "Dresden"), ("28195", "Bremen"),
)  # fmt: skip
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
    slug = f"{last.lower().replace('ü', 'ue').replace('ö', 'oe')}{index}"
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
