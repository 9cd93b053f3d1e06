"""Pure rules of items (seed 003 §3.5): price build-up, HTML description to text, colour,
required fields and defaults."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from beleg.domain.catalog.descriptions import html_to_text
from beleg.domain.catalog.items import (
    ItemCategory,
    ItemCategoryInUse,
    PriceMode,
    build_category,
    build_item,
    calculated_net_price,
    check_color,
    normalise_category,
    normalise_item,
    parse_mode,
)
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.tax import AmountType
from beleg.money import Currency

EUR, JPY = Currency.of("EUR"), Currency.of("JPY")
MINIMAL = {"name": "API", "sellingPrice": Decimal(12), "amountType": "N"}


def price(
    purchase: str | None,
    margin: str | None,
    margin_mode: PriceMode,
    charge: str | None = None,
    *,
    charge_mode: PriceMode = PriceMode.CONSTANT,
    rate: str = "20",
    currency: Currency = EUR,
) -> Decimal | None:
    def dec(v: str | None) -> Decimal | None:
        return None if v is None else Decimal(v)

    return calculated_net_price(
        purchase=dec(purchase),
        margin=dec(margin),
        margin_mode=margin_mode,
        charge=dec(charge),
        charge_mode=charge_mode,
        tax_rate=Decimal(rate),
        currency=currency,
    )


# --- descriptionFormatted ---------------------------------------------------------------------


def test_seed_example_description_becomes_text_with_block_break() -> None:
    # seed 003 §2.4.1
    assert (
        html_to_text("<p><b>Beschreibung</b> des <i>Produktes</i></p>")
        == "Beschreibung des Produktes\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\r\n\r\ntwo\r\n\r\n"),
        ("<div><p>  nested  </p></div>", "nested\r\n\r\n"),
        ("a<br>b<br/>c", "a\r\nb\r\nc"),
        ("<ul><li>a</li><li>b</li></ul>", "a\r\nb\r\n\r\n"),
        ("x &amp; y &lt;3 &uuml;", "x & y <3 ü"),
        ("<h1>Title</h1>\n\n   <p>Body\n  text</p>", "Title\r\n\r\nBody text\r\n\r\n"),
        ("<style>p {color: red}</style><script>alert(1)</script><p>safe</p>", "safe\r\n\r\n"),
        ("<pre>keep\n  spaces</pre>", "keep\n  spaces\r\n\r\n"),
        ("text<p>para</p>tail", "text\r\npara\r\n\r\ntail"),
        ("<p></p>", ""),
        ("<p>unclosed <b>bold", "unclosed bold"),
    ],
)
def test_html_is_rendered_as_readable_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_plain_text_keeps_its_line_breaks_as_crlf() -> None:
    assert html_to_text("Zeile 1\nZeile 2\r\nZeile 3 < 4") == "Zeile 1\r\nZeile 2\r\nZeile 3 < 4"
    assert html_to_text("Fish & Chips") == "Fish & Chips"  # a bare ampersand is no entity


# --- price build-up ---------------------------------------------------------------------------


def test_constant_parts_are_added_to_the_purchase_price() -> None:
    assert price("100", "20", PriceMode.CONSTANT, "5.5") == Decimal("125.50")


def test_rate_parts_are_percentages_of_the_purchase_price() -> None:
    # margin 20 % of 80 = 16, charge 10 % of 80 = 8 (not of 96)
    assert price("80", "20", PriceMode.RATE, "10", charge_mode=PriceMode.RATE) == Decimal("104.00")


def test_constant_total_is_a_gross_amount_whose_tax_is_taken_out() -> None:
    assert price("100", "12", PriceMode.CONSTANT_TOTAL) == Decimal("110.00")
    assert price("100", "12", PriceMode.CONSTANT_TOTAL, rate="0") == Decimal("112.00")


def test_the_sum_is_rounded_once_half_up_to_the_currency() -> None:
    # 10.005 + 0 -> 10.01 (half up); parts are not rounded on their own
    assert price("10.005", None, PriceMode.CONSTANT) == Decimal("10.01")
    assert price("0.333", "0.333", PriceMode.CONSTANT, "0.333") == Decimal("1.00")
    assert price("99.5", None, PriceMode.CONSTANT, currency=JPY) == Decimal("100")


def test_missing_parts_count_as_zero_and_nothing_given_is_no_price() -> None:
    assert price(None, "5", PriceMode.CONSTANT) == Decimal("5.00")
    assert price(None, "50", PriceMode.RATE) == Decimal("0.00")
    assert price(None, None, PriceMode.CONSTANT) is None


def test_modes_default_to_constant_and_unknown_modes_are_refused() -> None:
    assert parse_mode(None, "marginMode") is PriceMode.CONSTANT
    assert parse_mode("", "marginMode") is PriceMode.CONSTANT
    assert parse_mode("RATE", "marginMode") is PriceMode.RATE
    with pytest.raises(ValidationFailed) as error:
        parse_mode("PERCENT", "additionalChargeMode")
    assert error.value.field == "additionalChargeMode"


# --- colour -----------------------------------------------------------------------------------


def test_colour_is_six_hex_digits_in_lower_case() -> None:
    assert check_color("2bc25d") == "2bc25d"
    assert check_color("B51010") == "b51010"
    for bad in ("#2bc25d", "2bc25", "2bc25dd", "red", "gggggg"):
        with pytest.raises(ValidationFailed) as error:
            check_color(bad)
        assert error.value.field == "color"


# --- fields -----------------------------------------------------------------------------------


def test_minimal_item_gets_the_seed_defaults() -> None:
    fields = normalise_item(MINIMAL)
    assert fields == {
        "name": "API",
        "sellingPrice": Decimal(12),
        "amountType": "N",
        "marginMode": "CONSTANT",
        "additionalChargeMode": "CONSTANT",
    }


def test_output_only_fields_and_empty_references_are_dropped() -> None:
    fields = normalise_item(
        {
            **MINIMAL,
            "id": "x",
            "descriptionFormatted": "x",
            "calculatedNetPrice": Decimal(1),
            "itemCategory": "",
            "account": "",
            "color": "",
            "number": "",
        }
    )
    assert "id" not in fields and "calculatedNetPrice" not in fields
    assert "itemCategory" not in fields and "account" not in fields and "color" not in fields
    assert fields["number"] == ""  # a supplied empty text is kept (seed 003 §2)


def test_g_is_accepted_as_t() -> None:
    assert normalise_item({**MINIMAL, "amountType": "G"})["amountType"] == "T"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"sellingPrice": None}, "sellingPrice"),
        ({"amountType": None}, "amountType"),
        ({"amountType": "X"}, "amountType"),
        ({"sellingPrice": Decimal("1.123456")}, "sellingPrice"),
        ({"sellingPrice": Decimal("12345678901")}, "sellingPrice"),
        ({"sellingPrice": Decimal("NaN")}, "sellingPrice"),
        ({"purchasePrice": Decimal(-1)}, "purchasePrice"),
        ({"weight": Decimal("-0.5")}, "weight"),
        ({"marginMode": "NET"}, "marginMode"),
        ({"currency": "EURO"}, "currency"),
        ({"unitOfMeasure": "BOTTLE"}, "unitOfMeasure"),
        ({"color": "zzzzzz"}, "color"),
        ({"name": "x" * 201}, "name"),
        ({"number": "a\x00b"}, "number"),
    ],
)
def test_bad_item_fields_are_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        normalise_item({**MINIMAL, **change})
    assert error.value.field == field
    assert error.value.text("de") != error.value.text("en")  # a German text exists


def test_negative_selling_price_margin_and_charge_are_allowed() -> None:
    fields = normalise_item(
        {
            **MINIMAL,
            "sellingPrice": Decimal(-5),
            "margin": Decimal(-1),
            "additionalCharge": Decimal("-0.5"),
        }
    )
    assert fields["sellingPrice"] == Decimal(-5)


def test_category_needs_a_name_and_checks_unit_and_colour() -> None:
    assert normalise_category({"name": "Waren", "code": "W", "color": "ABCDEF"}) == {
        "name": "Waren",
        "code": "W",
        "color": "abcdef",
    }
    for change, field in (
        ({"name": ""}, "name"),
        ({"unitOfMeasure": "X"}, "unitOfMeasure"),
        ({"color": "fff"}, "color"),
    ):
        with pytest.raises(ValidationFailed) as error:
            normalise_category({"name": "Waren", **change})
        assert error.value.field == field


def test_category_in_use_is_a_validation_error_with_its_own_code() -> None:
    error = ItemCategoryInUse("in use", field="itemCategory")
    assert isinstance(error, ValidationFailed)
    assert error.error == "ItemCategoryInUseException"


# --- records ----------------------------------------------------------------------------------


def test_an_item_record_is_built_from_its_checked_fields() -> None:
    fields = {
        **normalise_item(
            {
                **MINIMAL,
                "description": "<p>Gut</p>",
                "purchasePrice": Decimal(100),
                "margin": Decimal(10),
                "marginMode": "RATE",
                "color": "ABCDEF",
            }
        ),
        "account": "4000",
        "taxClassEntry": "020",
        "currency": "EUR",
    }
    item_id, category_id = uuid.uuid4(), uuid.uuid4()
    item = build_item(
        fields, item_id=item_id, tax_rate=Decimal(20), color="000000", category_id=category_id
    )
    assert (item.id, item.name, item.selling_price) == (item_id, "API", Decimal(12))
    assert item.amount_type is AmountType.NET and item.currency == EUR
    assert item.margin_mode is PriceMode.RATE and item.additional_charge_mode is PriceMode.CONSTANT
    assert item.description_formatted == "Gut\r\n\r\n"
    assert item.calculated_net_price == Decimal("110.00")
    assert (item.color, item.item_category_id, item.supplier_id) == ("abcdef", category_id, None)
    plain = build_item(
        {**fields, "color": None, "description": None, "purchasePrice": None, "margin": None},
        item_id=item_id,
        tax_rate=Decimal(20),
        color="2bc25d",
    )
    assert plain.color == "2bc25d"  # the given colour when the fields have none
    assert plain.description_formatted is None and plain.calculated_net_price is None


def test_a_category_record_takes_its_defaults_and_a_colour() -> None:
    category_id = uuid.uuid4()
    fields = normalise_category({"name": "Waren", "account": "4000", "unitOfMeasure": "PC"})
    category = build_category(fields, category_id=category_id, color="2bc25d")
    assert category == ItemCategory(
        id=category_id, name="Waren", color="2bc25d", account="4000", unit_of_measure="PC"
    )
    coloured = build_category({**fields, "color": "ffffff"}, category_id=category_id, color="0")
    assert coloured.color == "ffffff"
