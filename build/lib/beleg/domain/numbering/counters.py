"""Document numbers of business documents: counters, their formats and the rules that pick one.

Seed 003 §3.4: a FINALIZED document takes its number from a sequence group (``ANNUAL`` numbers
contain the year and restart at 1 every year, ``PERMANENT`` ones count on), e.g. ``R 2020 4``.
Seed 000 ("rule-based document number strategy"): rules on customer type, country, billing
group or operating site pick the counter, the rule of the highest priority wins. Seed 001
("document number configuration improvements"): prefix and suffix sit on the counter, and a
toggle chooses the counter's affixes or the strategy's (the older, per-document-type ones).

Everything here is pure: the numbers themselves come from the one allocator
(``db/sequences.py``), called by ``services/numbering/allocation.py`` (invariant 4: unique and
gapless per counter). ``DocumentCounter``, ``SequenceGroup``, ``NumberRule`` and
``NumberStrategy`` are the records the repository (``db/numbering.py``) stores and returns.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from beleg.domain.errors import ValidationFailed
from beleg.domain.foundation.country_names import COUNTRY_NAMES

TEST_PREFIX = "TEST-"
MAX_AFFIX = 25  # with 18 digits and "TEST-" a number stays within 80 characters
MAX_WIDTH = 18
MAX_START = 10**15
MAX_PRIORITY = 1_000_000
MAX_NAME = 100
MAX_ATTRIBUTE = 100
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("yyyy", "yy", "mm")

E = TypeVar("E", bound=StrEnum)
K = TypeVar("K", bound=Hashable)  # what a rule names its counter by (its id, when stored)


class DocumentType(StrEnum):
    """The business documents of seed 003 §3.4 that carry a number."""

    INVOICE = "INVOICE"
    CREDIT_MEMO = "CREDIT_MEMO"
    DELIVERY_NOTE = "DELIVERY_NOTE"
    OFFER = "OFFER"
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"


class CounterReset(StrEnum):
    """When a counter starts again at its ``start`` value."""

    NEVER = "NEVER"
    YEARLY = "YEARLY"
    MONTHLY = "MONTHLY"


class AffixSource(StrEnum):
    """Seed 001: whose prefix and suffix a number gets (the counter's or the strategy's)."""

    COUNTER = "COUNTER"
    STRATEGY = "STRATEGY"


class CustomerType(StrEnum):
    COMPANY = "COMPANY"
    PERSON = "PERSON"


class SequenceBase(StrEnum):
    """Seed 003 SequenceGroupDto.base."""

    ANNUAL = "ANNUAL"
    PERMANENT = "PERMANENT"


# Seed 003 example "R 2020 4": the letters German documents are numbered with.
DOCUMENT_CODES = {
    DocumentType.INVOICE: "R",
    DocumentType.CREDIT_MEMO: "G",
    DocumentType.DELIVERY_NOTE: "L",
    DocumentType.OFFER: "AN",
    DocumentType.ORDER_CONFIRMATION: "AB",
}
# The message codes of the documents of each type, as the default counters are named
# ("Rechnungen (Standard)"; the texts are in the catalogue, numbering.po).
DOCUMENT_NAMES = {
    DocumentType.INVOICE: "numbering.documents_invoice",
    DocumentType.CREDIT_MEMO: "numbering.documents_credit_memo",
    DocumentType.DELIVERY_NOTE: "numbering.documents_delivery_note",
    DocumentType.OFFER: "numbering.documents_offer",
    DocumentType.ORDER_CONFIRMATION: "numbering.documents_order_confirmation",
}


def parse_enum(kind: type[E], value: Any, field_name: str) -> E:
    """``value`` as a member of ``kind``, or a 400 naming the field and the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ValidationFailed(
            "numbering.not_one_of", field=field_name, name=field_name, allowed=allowed, value=value
        ) from None


@dataclass(frozen=True, slots=True)
class Affixes:
    """A prefix and suffix; they may hold the placeholders {yyyy}, {yy} and {mm}."""

    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class CounterConfig:
    """How a counter formats its numbers. ``width`` zero-pads the number (0: no padding);
    ``start`` is the first value of every period."""

    prefix: str = ""
    suffix: str = ""
    width: int = 0
    reset: CounterReset = CounterReset.NEVER
    start: int = 1
    affix_source: AffixSource = AffixSource.COUNTER

    @property
    def affixes(self) -> Affixes:
        return Affixes(self.prefix, self.suffix)


@dataclass(frozen=True, slots=True)
class DocumentCounter:
    """A counter of document numbers: its name and how it formats and restarts its numbers.
    Its values are a series of the one allocator (one per period)."""

    id: uuid.UUID
    name: str
    config: CounterConfig
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SequenceGroup:
    """Seed 003 SequenceGroupDto: a set of counters, one per document type; exactly one group
    of a tenant is its default (documents without ``sequenceGroup`` are numbered by it)."""

    id: uuid.UUID
    name: str
    base: SequenceBase
    default_group: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class GroupCounter:
    """What a sequence group holds for one document type: the group, its counter for the
    type (None: it has none) and whether its tenant numbers in test mode."""

    group_id: uuid.UUID
    counter: DocumentCounter | None
    test_mode: bool


def check_affix(text: str | None, field_name: str) -> str:
    """A prefix or suffix: at most 25 characters, placeholders only {yyyy}, {yy}, {mm}."""
    text = text or ""
    if len(text) > MAX_AFFIX:
        raise ValidationFailed(
            "numbering.too_long", field=field_name, name=field_name, limit=MAX_AFFIX
        )
    unknown = [p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS]
    if unknown or _PLACEHOLDER.sub("", text).count("{") or _PLACEHOLDER.sub("", text).count("}"):
        raise ValidationFailed("numbering.unknown_placeholder", field=field_name, name=field_name)
    if any(not ch.isprintable() for ch in text):
        raise ValidationFailed("numbering.not_printable", field=field_name, name=field_name)
    return text


def check_no_nul(text: str, field_name: str) -> str:
    """Refuse NUL characters (PostgreSQL cannot store them in text)."""
    if "\x00" in text:
        raise ValidationFailed("numbering.contains_nul", field=field_name, name=field_name)
    return text


def check_name(name: str | None, field_name: str = "name") -> str:
    """A display name: 1 to 100 characters after trimming."""
    text = check_no_nul((name or "").strip(), field_name)
    if not text or len(text) > MAX_NAME:
        raise ValidationFailed(
            "numbering.name_length", field=field_name, name=field_name, limit=MAX_NAME
        )
    return text


def _check_range(value: int, low: int, high: int, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            "numbering.out_of_range", field=field_name, name=field_name, low=low, high=high
        )
    return value


def check_counter(config: CounterConfig) -> CounterConfig:
    """A counter configuration with every field checked (400 naming the field)."""
    return CounterConfig(
        prefix=check_affix(config.prefix, "prefix"),
        suffix=check_affix(config.suffix, "suffix"),
        width=_check_range(config.width, 0, MAX_WIDTH, "width"),
        reset=parse_enum(CounterReset, config.reset, "reset"),
        start=_check_range(config.start, 0, MAX_START, "start"),
        affix_source=parse_enum(AffixSource, config.affix_source, "affixSource"),
    )


def period_key(reset: CounterReset, doc_date: date) -> str:
    """The period a counter value belongs to: ``-`` (never reset), ``2026``, ``2026-11``."""
    if reset is CounterReset.YEARLY:
        return f"{doc_date.year:04d}"
    if reset is CounterReset.MONTHLY:
        return f"{doc_date.year:04d}-{doc_date.month:02d}"
    return "-"


def expand(text: str, doc_date: date) -> str:
    """Replace {yyyy}, {yy} and {mm} with the document date's year and month."""
    values = {
        "yyyy": f"{doc_date.year:04d}",
        "yy": f"{doc_date.year % 100:02d}",
        "mm": f"{doc_date.month:02d}",
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def effective_affixes(config: CounterConfig, strategy: Affixes | None) -> Affixes:
    """Seed 001: the counter's own prefix and suffix, or with ``affix_source`` STRATEGY those
    of the document type's strategy (none configured: no prefix and no suffix)."""
    if config.affix_source is AffixSource.COUNTER:
        return config.affixes
    return strategy or Affixes()


def format_number(
    config: CounterConfig,
    value: int,
    doc_date: date,
    *,
    strategy: Affixes | None = None,
    test_mode: bool = False,
) -> str:
    """The printed document number: affixes with placeholders filled in around the value,
    zero-padded to ``width``; a test-mode tenant's numbers start with ``TEST-``."""
    if value < 0:
        raise ValueError("document numbers are not negative")
    affixes = effective_affixes(config, strategy)
    digits = f"{value:0{config.width}d}" if config.width else str(value)
    number = f"{expand(affixes.prefix, doc_date)}{digits}{expand(affixes.suffix, doc_date)}"
    return TEST_PREFIX + number if test_mode else number


def default_counter(doc_type: DocumentType, base: SequenceBase) -> CounterConfig:
    """The counter a new sequence group gets per document type: ``R {yyyy} `` restarting every
    year for ANNUAL groups (seed 003: ``R 2020 4``), ``R `` never restarting for PERMANENT."""
    code = DOCUMENT_CODES[doc_type]
    if base is SequenceBase.ANNUAL:
        return CounterConfig(prefix=f"{code} {{yyyy}} ", reset=CounterReset.YEARLY)
    return CounterConfig(prefix=f"{code} ", reset=CounterReset.NEVER)


@dataclass(frozen=True, slots=True)
class NumberingContext:
    """What the rules can look at when a document is numbered (seed 000)."""

    doc_type: DocumentType
    customer_type: CustomerType | None = None
    country: str | None = None
    billing_group: str | None = None
    operating_site: str | None = None


@dataclass(frozen=True, slots=True)
class NumberRule(Generic[K]):
    """Use ``counter_id`` for documents matching every condition that is set (None = any).
    ``doc_type`` None matches every document type. Stored rules name their counter by its
    id (``NumberRule[uuid.UUID]``); the choice itself works with any hashable key."""

    priority: int
    counter_id: K
    doc_type: DocumentType | None = None
    customer_type: CustomerType | None = None
    country: str | None = None
    billing_group: str | None = None
    operating_site: str | None = None

    def matches(self, context: NumberingContext) -> bool:
        wanted = (
            (self.doc_type, context.doc_type),
            (self.customer_type, context.customer_type),
            (self.country, (context.country or "").upper() or None),
            (self.billing_group, context.billing_group),
            (self.operating_site, context.operating_site),
        )
        return all(condition is None or condition == actual for condition, actual in wanted)


@dataclass(frozen=True, slots=True)
class NumberStrategy:
    """The number strategy of a document type (seeds 000, 001): the prefix and suffix that
    counters with affix source STRATEGY use, and the rules that pick a counter, in creation
    order (the order breaks priority ties)."""

    doc_type: DocumentType
    prefix: str = ""
    suffix: str = ""
    rules: tuple[NumberRule[uuid.UUID], ...] = ()


def pick_counter(rules: Sequence[NumberRule[K]], context: NumberingContext) -> K | None:
    """Seed 000: the counter of the matching rule with the highest priority; of rules with
    equal priority the one created first (earlier in ``rules``) wins. None: no rule matches."""
    best: tuple[int, int] | None = None
    chosen: K | None = None
    for index, rule in enumerate(rules):
        if not rule.matches(context):
            continue
        key = (rule.priority, -index)
        if best is None or key > best:
            best, chosen = key, rule.counter_id
    return chosen


def _optional_text(value: str | None, field_name: str) -> str | None:
    text = check_no_nul((value or "").strip(), field_name)
    if len(text) > MAX_ATTRIBUTE:
        raise ValidationFailed(
            "numbering.too_long", field=field_name, name=field_name, limit=MAX_ATTRIBUTE
        )
    return text or None


def check_country_code(value: str | None, field_name: str) -> str | None:
    """An ISO 3166-1 alpha-2 country code (upper case), or None."""
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if code not in COUNTRY_NAMES:
        raise ValidationFailed(
            "numbering.country_unknown", field=field_name, name=field_name, value=value
        )
    return code


def check_rule(rule: NumberRule[K], position: int) -> NumberRule[K]:
    """A rule with normalised conditions; errors name ``rules.<position>.<field>``."""
    at = f"rules.{position}."
    customer_type = (
        None
        if rule.customer_type is None
        else parse_enum(CustomerType, rule.customer_type, at + "customerType")
    )
    return NumberRule(
        priority=_check_range(rule.priority, -MAX_PRIORITY, MAX_PRIORITY, at + "priority"),
        counter_id=rule.counter_id,
        doc_type=rule.doc_type,
        customer_type=customer_type,
        country=check_country_code(rule.country, at + "country"),
        billing_group=_optional_text(rule.billing_group, at + "billingGroup"),
        operating_site=_optional_text(rule.operating_site, at + "operatingSite"),
    )
