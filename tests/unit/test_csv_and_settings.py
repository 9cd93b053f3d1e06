import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from beleg.domain.errors import ValidationFailed
from beleg.domain.tenancy.settings import check_country, check_currency, check_locale, check_name
from beleg.formats.csv_export import ROWS_PER_CHUNK, cell, csv_chunks


def test_csv_is_rfc_4180_with_crlf_and_quoting() -> None:
    rows = [{"a": 'say "hi"', "b": "x,y", "c": "line\nbreak"}, {"a": None, "b": True, "c": 1}]
    text = b"".join(csv_chunks(rows, ["a", "b", "c"])).decode("utf-8")
    assert text == ('a,b,c\r\n"say ""hi""","x,y","line\nbreak"\r\n,true,1\r\n')
    assert list(csv.reader(io.StringIO(text)))[1] == ['say "hi"', "x,y", "line\nbreak"]


def test_cells_format_values_and_defuse_formulas() -> None:
    assert cell(Decimal("-12.50")) == "-12.50"
    assert cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell("-1+2") == "'-1+2"
    assert cell(["a:read", "b:write"]) == "a:read b:write"
    assert cell({"b": 1, "a": "ü"}) == '{"a":"ü","b":1}'
    assert cell(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00+00:00"


def test_csv_is_produced_in_chunks() -> None:
    rows = ({"n": i} for i in range(ROWS_PER_CHUNK * 3 + 1))
    chunks = list(csv_chunks(rows, ["n"]))
    assert len(chunks) == 4
    assert b"".join(chunks).count(b"\r\n") == ROWS_PER_CHUNK * 3 + 2


def test_tenant_settings_rules_name_the_field() -> None:
    assert check_country("AT") == "AT"
    cases = [
        (check_country, "FR", "country"),
        (check_currency, "EURO", "currency"),
        (check_locale, "fr_FR", "locale"),
        (check_name, "  ", "name"),
    ]
    for check, value, field in cases:
        with pytest.raises(ValidationFailed) as info:
            check(value)
        assert info.value.field == field
