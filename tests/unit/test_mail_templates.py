"""Mail texts (ADR 0021): every built-in template passes the checks a tenant's template must
pass and renders every variable of its kind; values are formatted for the language; the
sandbox keeps a template away from Python objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from beleg.domain.delivery.mails import LANGUAGES, VARIABLES, MailKind, checked_address
from beleg.domain.errors import ValidationFailed
from beleg.formats import mail as texts

# the total carries the currency; a credit note is not due; a receipt names its register
UNUSED = {
    MailKind.INVOICE: {"currency"},
    MailKind.CREDIT_NOTE: {"currency", "due_date"},
    MailKind.WEBHOOK_ENDPOINT_DISABLED: set(),
    MailKind.RECEIPT: {"currency", "register"},
}


@pytest.mark.parametrize("kind", list(MailKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_built_in_templates_pass_the_checks_and_use_their_variables(
    kind: MailKind, language: str
) -> None:
    subject, body = texts.built_in(kind, language)
    texts.check_template(kind, subject=subject, body=body)
    context = {name: f"<{name}>" for name in VARIABLES[kind]}
    rendered_subject, rendered_body = texts.render(subject, body, context)
    assert "\n" not in rendered_subject
    used = {name for name in VARIABLES[kind] if f"<{name}>" in rendered_subject + rendered_body}
    assert used == set(VARIABLES[kind]) - UNUSED[kind]


def test_values_are_formatted_for_the_language() -> None:
    assert texts.money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert texts.money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    assert texts.day(date(2026, 5, 1), "de") == "01.05.2026"
    assert texts.day(date(2026, 5, 1), "en") == "May 1, 2026"
    assert texts.day(None, "de") == ""
    assert texts.moment(datetime(2026, 5, 1, 12, 30, tzinfo=UTC), "de") == "01.05.2026, 12:30:00"


def test_the_invoice_text_leaves_out_a_missing_due_date() -> None:
    subject, body = texts.built_in(MailKind.INVOICE, "en")
    context = {name: "x" for name in VARIABLES[MailKind.INVOICE]} | {"due_date": ""}
    assert "Please pay" not in texts.render(subject, body, context)[1]
    context["due_date"] = "May 15, 2026"
    assert "Please pay the amount by May 15, 2026." in texts.render(subject, body, context)[1]


@pytest.mark.parametrize(
    ("subject", "body", "field", "code"),
    [
        ("{% if %}", "x", "subject", "delivery.mail_template_syntax"),
        ("x", "{{ endpoint_url }}", "body", "delivery.mail_template_variable"),
        ("x", "{{ ''.__class__.__mro__ }}", "body", "delivery.mail_template_construct"),
        # what would cost without bound: arithmetic, loops, calls, padding filters
        ("x", "{{ 'a' * 300000000 }}", "body", "delivery.mail_template_construct"),
        ("{{ '9' ** 999999 }}", "x", "subject", "delivery.mail_template_construct"),
        (
            "x",
            "{% for c in customer_name %}{{ c }}{% endfor %}",
            "body",
            "delivery.mail_template_construct",
        ),
        ("x", "{{ customer_name|center(999999999) }}", "body", "delivery.mail_template_construct"),
        ("x", "{{ range(99) }}", "body", "delivery.mail_template_construct"),
        ("x", "{% set a = 1 %}", "body", "delivery.mail_template_construct"),
        ("x" * 501, "x", "subject", "delivery.mail_subject_length"),
        ("x", "x" * 20_001, "body", "delivery.mail_body_length"),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(
    subject: str, body: str, field: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        texts.check_template(MailKind.INVOICE, subject=subject, body=body)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_a_stored_template_outside_the_bounded_language_does_not_render() -> None:
    """Checked again at render time: a template stored before the rule cannot run."""
    with pytest.raises(texts.TemplateNotAllowed):
        texts.render("x", "{% for i in range(100000) %}{% endfor %}", {})
    subject, body = texts.render(
        "{{ document_number|upper }}",
        "{% if due_date %}{{ customer_name|title ~ '!' }}{% else %}-{% endif %}",
        {"document_number": "re-1", "due_date": "", "customer_name": "muster ag"},
    )
    assert (subject, body) == ("RE-1", "-")


@pytest.mark.parametrize(
    "address", ["a@b", "a b@c.example", "Name <a@b.example>", "a@b.example, c@d.example"]
)
def test_only_plain_addresses_are_accepted(address: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        checked_address(address, "replyTo")
    assert raised.value.field == "replyTo"
    assert checked_address(" a@b.example ", "replyTo") == "a@b.example"
