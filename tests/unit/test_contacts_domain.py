"""Contact rules without a database: the code of a new personal contra account and the
message a missing contact of each kind is reported with (seed 003 §3.9)."""

from __future__ import annotations

import pytest

from beleg.domain.contacts.partners import ContactKind, contra_account_code
from beleg.domain.errors import Conflict, ValidationFailed


def test_a_contra_account_takes_the_first_free_code_after_the_base() -> None:
    assert contra_account_code(None, base="2000", used={"2000", "20001", "20002"}) == "20003"
    assert contra_account_code("", base="3300", used=set()) == "33001"


def test_a_requested_contra_account_code_is_checked() -> None:
    assert contra_account_code("23456", base="2000", used={"2000"}) == "23456"
    for code in ("12", "12345678901", "20a1"):
        with pytest.raises(ValidationFailed, match="3 to 10 digits") as refused:
            contra_account_code(code, base="2000", used=set())
        assert refused.value.field == "contraAccount"
    with pytest.raises(Conflict) as taken:
        contra_account_code("2000", base="2000", used={"2000"})
    assert taken.value.message == "account 2000 is already in use"
    assert taken.value.text("de") == "Konto 2000 ist bereits vergeben"


def test_a_missing_contact_is_named_by_its_kind() -> None:
    assert ContactKind.CUSTOMER.not_found == "contacts.customer_not_found"
    assert ContactKind.SUPPLIER.not_found == "contacts.supplier_not_found"
