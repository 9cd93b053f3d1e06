"""The input rules of issue 12 (findings 3 and 6) in isolation: which characters a text may not
hold, where the walk names them, the business date range and the texts of our own error
kinds in both languages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest

from beleg.api.errors import validation_text
from beleg.api.inputs import (
    _ENCODED,
    FORBIDDEN,
    OWN_KINDS,
    _walk,
    field_name,
    json_may_hold_forbidden,
)
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


FORBIDDEN_CHARS = [chr(c) for c in range(0x110000) if FORBIDDEN.match(chr(c))]


def test_every_forbidden_character_in_a_json_body_is_looked_at_closer() -> None:
    """The raw-bytes prefilter never lets one through, however the body is encoded."""
    for char in FORBIDDEN_CHARS:
        body = {"name": f"a{char}b"}
        encodings = [json.dumps(body).encode()]  # escaped
        if not "\ud800" <= char <= "\udfff":
            raw = json.dumps(body, ensure_ascii=False)
            encodings += [raw.encode(), raw.encode("utf-16"), raw.encode("utf-32")]
        for encoded in encodings:
            assert json_may_hold_forbidden(encoded), (hex(ord(char)), encoded)


def test_every_forbidden_character_in_a_query_or_form_is_looked_at_closer() -> None:
    for char in FORBIDDEN_CHARS:
        if "\ud800" <= char <= "\udfff":
            continue  # not encodable as UTF-8: decodes to U+FFFD
        for encoded in (urlencode({"q": f"a{char}b"}), f"q=a{char}b"):
            assert _ENCODED.search(encoded.encode("utf-8")), (hex(ord(char)), encoded)


def test_ordinary_texts_are_not_looked_at_closer() -> None:
    body = {"name": "Kunde GmbH", "lines": [{"description": "Beratung, 3 Stunden"}]}
    assert not json_may_hold_forbidden(json.dumps(body).encode())
    assert _ENCODED.search(b"search=type%3D%3DINVOICE%3Bdate%3Dge%3D2026-01-01&page=1") is None
