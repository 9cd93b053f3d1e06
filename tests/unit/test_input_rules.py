"""The input rules of issue 12 (findings 3 and 6) in isolation: which characters a text may not
hold, where the walk names them, the business date range and the texts of our own error
kinds in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from beleg.api.errors import validation_text
from beleg.api.inputs import FORBIDDEN, OWN_KINDS, _walk, field_name
from beleg.domain import dates
from beleg.domain.errors import ValidationFailed


def test_forbidden_are_c0_but_tab_cr_lf_del_c1_and_surrogates() -> None:
    refused = [chr(c) for c in range(0x110000) if FORBIDDEN.match(chr(c))]
    expected = [chr(c) for c in range(0x20) if chr(c) not in "\t\r\n"]
    expected += [chr(c) for c in range(0x7F, 0xA0)]
    expected += [chr(c) for c in range(0xD800, 0xE000)]
    assert refused == expected


def test_the_walk_names_every_text_keys_included_at_any_depth() -> None:
    deep: object = "ok\x00"
    for _ in range(5000):  # deeper than Python's recursion limit
        deep = [deep]
    body = {"a": [{"b": "x\x01"}, "fine"], "k\x02": 1, "deep": deep, "n": 5, "t": "\t\r\n"}
    found = {field_name(e["loc"]): e["ctx"] for e in _walk(("body",), body)}
    assert set(found) == {"a.0.b", "k\\u0002", "deep" + ".0" * 5000}
    assert found["a.0.b"] == {"character": "U+0001", "position": 2}


@pytest.mark.parametrize("kind", OWN_KINDS)
def test_our_kinds_have_texts_in_both_languages(kind: str) -> None:
    context = {"character": "U+0000", "position": 3, "earliest": "1900-01-01"}
    error = {"type": kind, "msg": kind, "ctx": context | {"latest": "2199-12-31"}}
    english, german = validation_text(error, "en"), validation_text(error, "de")
    assert english != kind and german not in (english, kind)
    assert "{" not in english + german


def test_the_business_date_range() -> None:
    assert dates.in_range(date(1900, 1, 1)) and dates.in_range(date(2199, 12, 31))
    assert not dates.in_range(date(1899, 12, 31)) and not dates.in_range(date(2200, 1, 1))
    assert dates.in_range(datetime(2199, 12, 31, 23, 59, tzinfo=UTC))
    assert not dates.in_range(datetime(9999, 12, 31, 23, 59))
    with pytest.raises(ValidationFailed) as refused:
        dates.check_date(date(1, 1, 1), "invoiceDate")
    assert refused.value.field == "invoiceDate"
    assert refused.value.message == (
        "invoiceDate 0001-01-01 is outside the allowed range 1900-01-01 to 2199-12-31"
    )
