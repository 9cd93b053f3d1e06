"""Mail texts (ADR 0021): the built-in templates and rendering a template with its context.

The built-in subjects and bodies are user-facing text, so they live beside the message
catalogue: ``messages/mail/<language>/<kind>.subject`` and ``.body`` (a translator finds
every text under ``messages/``). A tenant's own template replaces them per kind and language.

Templates are Jinja2 in a ``SandboxedEnvironment`` (a tenant's template cannot reach Python
objects) with ``StrictUndefined`` (a missing value is an error, never an empty gap) and no
autoescaping (the mails are plain text). ``check_template`` refuses, naming the field, a
syntax error and a variable the kind does not provide (``domain.delivery.mails.VARIABLES``).

The sandbox bounds what a template may touch, not what it costs: ``{{ 'a' * 10**9 }}`` or two
nested loops would tie up a worker and fill ``mails.body``. A template may therefore use only
a bounded part of the language (``ALLOWED_NODES``): text, variables, ``if``/``elif``/``else``,
comparisons, ``and``/``or``/``not``, ``~`` and the case and trim filters, so that what it
renders is at most linear in its own length and its variables' (no loops, calls, arithmetic,
macros, attribute access or assignments). It is checked on saving and again before every
render, so a template stored before the rule cannot run either.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from beleg import messages
from beleg.domain.delivery.mails import BODY_LIMIT, SUBJECT_LIMIT, VARIABLES, MailKind
from beleg.domain.errors import ValidationFailed

BUILT_IN = Path(messages.__file__).parent / "mail"
LOCALES = {"de": "de_DE", "en": "en_US"}
ENVIRONMENT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
ENVIRONMENT.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.CondExpr, nodes.Concat,
    nodes.Filter,
)  # fmt: skip
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})


class TemplateNotAllowed(TemplateError):
    """A template uses a part of the language that mail templates may not (see above)."""


def bounded(source: str) -> nodes.Template:
    """``source`` parsed, if it keeps to ``ALLOWED_NODES`` and ``ALLOWED_FILTERS``."""
    parsed = ENVIRONMENT.parse(source)
    for node in parsed.find_all(nodes.Node):
        if not isinstance(node, ALLOWED_NODES):
            raise TemplateNotAllowed(type(node).__name__)
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateNotAllowed(f"|{node.name}")
    return parsed


@cache
def built_in(kind: MailKind, language: str) -> tuple[str, str]:
    """The built-in (subject, body) sources of ``kind`` in ``language``."""
    folder = BUILT_IN / language
    subject = (folder / f"{kind.value}.subject").read_text("utf-8").strip()
    return subject, (folder / f"{kind.value}.body").read_text("utf-8")


def check_template(kind: MailKind, *, subject: str, body: str) -> None:
    """Refuse a template that does not parse, uses a variable ``kind`` lacks, or does not
    render with sample values (the sandbox's refusals); the error names ``subject`` or
    ``body``."""
    allowed = VARIABLES[kind]
    sample = {name: f"<{name}>" for name in allowed}
    for field, source in (("subject", subject), ("body", body)):
        try:
            parsed = bounded(source)
        except TemplateSyntaxError as error:
            raise ValidationFailed(
                "delivery.mail_template_syntax", field=field, line=error.lineno, error=error.message
            ) from None
        except TemplateNotAllowed as error:
            raise ValidationFailed(
                "delivery.mail_template_construct", field=field, construct=str(error)
            ) from None
        unknown = sorted(meta.find_undeclared_variables(parsed) - set(allowed))
        if unknown:
            raise ValidationFailed(
                "delivery.mail_template_variable",
                field=field,
                names=", ".join(unknown),
                allowed=", ".join(allowed),
            )
        try:
            ENVIRONMENT.from_string(source).render(sample)
        except TemplateError as error:
            raise ValidationFailed(
                "delivery.mail_template_render", field=field, error=str(error)
            ) from None
    if not subject.strip() or len(subject) > SUBJECT_LIMIT:
        raise ValidationFailed("delivery.mail_subject_length", field="subject", limit=SUBJECT_LIMIT)
    if len(body) > BODY_LIMIT:
        raise ValidationFailed("delivery.mail_body_length", field="body", limit=BODY_LIMIT)


def render(subject: str, body: str, context: Mapping[str, str]) -> tuple[str, str]:
    """(subject, body) rendered; the subject on one line, at most ``SUBJECT_LIMIT``. A
    template outside the bounded language raises ``TemplateNotAllowed`` (a TemplateError)."""
    line = " ".join(_compiled(subject).render(context).split())
    return line[:SUBJECT_LIMIT], _compiled(body).render(context)


def _compiled(source: str) -> Template:
    return ENVIRONMENT.from_string(bounded(source))


def money(amount: Decimal, currency: str, language: str) -> str:
    """``1.234,56 €`` (de), ``€1,234.56`` (en)."""
    return format_currency(amount, currency, locale=LOCALES[language])


def day(value: date | None, language: str) -> str:
    """``04.12.2026`` (de), ``Dec 4, 2026`` (en); empty for None."""
    return "" if value is None else format_date(value, "medium", locale=LOCALES[language])


def moment(value: datetime, language: str) -> str:
    return format_datetime(value, "medium", tzinfo=value.tzinfo, locale=LOCALES[language])
