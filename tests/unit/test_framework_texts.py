"""The framework's validation texts in the catalogue: English exactly as the framework writes
it (the billing API's bodies are unchanged), German with the same context filled in."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticKnownError

from beleg import messages
from beleg.api.errors import validation_text
from beleg.api.inputs import OWN_KINDS

SAMPLE_CONTEXT = {
    "error": "input is too short",
    "expected": "'N' or 'T'",
    "gt": 0,
    "ge": 1,
    "lt": 10,
    "le": 9,
    "min_length": 2,
    "max_length": 1,
    "pattern": "^[A-Z]+$",
    "max_digits": 12,
    "decimal_places": 2,
    "whole_digits": 10,
    "multiple_of": 5,
    "field_type": "List",
    "actual_length": 0,
}
KINDS = sorted(
    code.removeprefix("framework.")
    for code in messages.catalogue("en")
    if code.startswith("framework.") and code.removeprefix("framework.") not in OWN_KINDS
)  # our own kinds (input rules) are checked in test_input_rules


def _error(kind: str) -> dict[str, object]:
    template = PydanticKnownError(kind, SAMPLE_CONTEXT).message_template
    context = {k: v for k, v in SAMPLE_CONTEXT.items() if "{" + k + "}" in template}
    known = PydanticKnownError(kind, context or None)
    return {"type": kind, "msg": known.message(), "ctx": context}


@pytest.mark.parametrize("kind", KINDS)
def test_english_is_the_frameworks_own_text(kind: str) -> None:
    error = _error(kind)
    assert validation_text(error, "en") == error["msg"]
    german = validation_text(error, "de")
    assert german and german != error["msg"]
    assert "{" not in german


def test_real_validation_errors_render_in_both_languages() -> None:
    class Body(BaseModel):
        model_config = ConfigDict(extra="forbid")
        amount: int
        name: str

    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"amount": "zwölf", "unknown": 1})
    errors = caught.value.errors()
    assert [validation_text(e, "en") for e in errors] == [e["msg"] for e in errors]
    assert [validation_text(e, "de") for e in errors] == [
        "Wert muss eine ganze Zahl sein; der Text ist keine ganze Zahl",
        "Feld ist erforderlich",
        "Unbekanntes Feld ist nicht erlaubt",
    ]


def test_an_unknown_kind_keeps_the_frameworks_text() -> None:
    error = {"type": "no_such_kind", "msg": "Something odd", "ctx": {}}
    assert validation_text(error, "de") == "Something odd"
