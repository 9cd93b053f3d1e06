"""SWIFT MT940 into ``model.ParsedFile``, on the mt-940 library (dependencies note: with
``Options.all()``, so ``?31`` is the IBAN and not glued to the name, and RC/RD reversals are
signed by what they do to the balance).

The file is cut into statements at each ``:20:`` line and every statement parsed on its own,
so each transaction knows its ``:25:`` account. A statement the library cannot read is parsed
once more with the library's relaxed ``:61:`` (ASN Bank, GLS/Atruvia put a 34-character
reference where SWIFT allows 16); if that fails too, the file is refused naming the line.
The account of ``:25:`` becomes an IBAN where it is one, or a German ``BLZ/account`` or an
Austrian ``AT<BLZ>/account`` that an IBAN is computed from (schwifty). Any exception out of
the library is a refusal: a fuzzed or truncated file must never escape as another error.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940
import mt940.tags
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from beleg.formats.banking.model import (
    MT940,
    BankCode,
    ParsedFile,
    Party,
    Statement,
    StatementRefused,
    Transaction,
)

_START = re.compile(r"^:20:", re.M)
_TAG = re.compile(r"^:(\d\d[A-Z]?):")
_GERMAN = re.compile(r"^(\d{8})/(\d{1,10})(?:/?[A-Z]{3})?$")
_AUSTRIAN = re.compile(r"^/*AT(\d{5})/(\d{1,11})(?:/[A-Z]{3})?$")
_ISO_RETURN = re.compile(
    r"\b(AC0[1-6]|AC13|AG0[12]|AM0[45]|BE05|CNOR|DNOR|FF01|MD0[1-7]|MS0[23]|RC01|RR0[1-4]|SL01)\b"
)
# DK GVCs of returns: 108/109 direct-debit return, 159 SEPA transfer returned (DFÜ-Abkommen
# Anlage 3, Geschäftsvorfallcodes); only for them is ``?34`` a return reason.
RETURN_GVCS = frozenset({"108", "109", "159"})
NO_REFERENCE = "NONREF"
STORED_PLACES = Decimal("0.0001")
MAX_AMOUNT = Decimal(10) ** 10
MAX_BYTES = 20_000_000


def looks_like_mt940(text: str) -> bool:
    """Whether ``text`` has MT940's ``:20:`` and ``:61:``/``:60F:``-style tags."""
    return bool(_START.search(text)) and bool(re.search(r"^:6[02][FM]?:", text, re.M))


def decode(data: bytes) -> str:
    """The file's text: UTF-8, else Windows-1252, else Latin-1 (which always decodes);
    SWIFT's SOH/ETX wrappers and CR are dropped."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x01", "").replace("\x03", "")


def parse(data: bytes) -> ParsedFile:
    """Every statement of the MT940 file ``data``; StatementRefused otherwise."""
    text = decode(data)
    starts = [m.start() for m in _START.finditer(text)]
    if not starts:
        raise StatementRefused(where="line 1", rule="no :20: statement")
    bounds = [*starts[1:], len(text)]
    statements = tuple(
        _statement(text[a:b], text.count("\n", 0, a) + 1)
        for a, b in zip(starts, bounds, strict=True)
    )
    return ParsedFile(MT940, statements)


def _library(chunk: str, relaxed: bool) -> mt940.models.Transactions:
    tags: dict[int | str, mt940.tags.Tag] = {}
    if relaxed:
        statement = mt940.tags.StatementASNB()
        tags[statement.id] = statement
    parsed = mt940.models.Transactions(tags=tags, options=mt940.Options.all())
    parsed.parse(chunk)
    return parsed


def _read(chunk: str) -> mt940.models.Transactions:
    """The library's reading of one statement, relaxed ``:61:`` as the fallback; the error
    of the strict reading if both fail."""
    try:
        return _library(chunk, relaxed=False)
    except Exception as error:  # the library's own errors: any of them means unreadable
        try:
            return _library(chunk, relaxed=True)
        except Exception:
            raise error from None


def _statement(chunk: str, first_line: int) -> Statement:
    try:
        parsed = _read(chunk)
    except Exception as error:
        raise _refusal(chunk, first_line, error) from None
    try:
        return _build(parsed, first_line)
    except StatementRefused:
        raise
    except Exception as error:  # a value the library let through but that is not usable
        raise _refusal(chunk, first_line, error, locate=False) from None


def _refusal(
    chunk: str, first_line: int, error: Exception, *, locate: bool = True
) -> StatementRefused:
    """The refusal naming the line of the first tag that makes the statement unreadable:
    the shortest run of whole tags from the start the library fails on (binary search, so a
    long statement costs a few more readings, only when it is refused); the statement's
    first line when the library read it but a value is unusable."""
    lines = chunk.split("\n")
    starts = [i for i, line in enumerate(lines) if _TAG.match(line)] or [0]
    low, high = 0, len(starts) - 1 if locate else 0
    while low < high:
        middle = (low + high) // 2
        end = starts[middle + 1] if middle + 1 < len(starts) else len(lines)
        try:
            _read("\n".join(lines[:end]))
            low = middle + 1
        except Exception:
            high = middle
    at = starts[low]
    tag = _TAG.match(lines[at])
    message = str(error.args[0] if error.args else error).splitlines()
    rule = (message[0] if message else type(error).__name__)[:200]
    if tag and locate:
        rule = f":{tag.group(1)}: {rule}"
    return StatementRefused(where=f"line {first_line + at}", rule=rule)


def _build(parsed: mt940.models.Transactions, first_line: int) -> Statement:
    data = parsed.data
    where = f"line {first_line}"
    account = str(data.get("account_identification") or "").strip()
    if not account:
        raise StatementRefused(where=where, rule="no :25: account")
    opening = _balance(
        data, "final_opening_balance", "opening_balance", "intermediate_opening_balance"
    )
    closing = _balance(
        data, "final_closing_balance", "closing_balance", "intermediate_closing_balance"
    )
    currency = parsed.currency
    if not currency or not re.fullmatch(r"[A-Z]{3}", currency):
        raise StatementRefused(where=where, rule="no currency in :60: or :62:")
    closing_balance = (
        data.get("final_closing_balance")
        or data.get("closing_balance")
        or data.get("intermediate_closing_balance")
    )
    when = _date(closing_balance.date) if closing_balance is not None else None
    transactions = tuple(_transaction(t.data, currency) for t in parsed)
    if when is None:
        when = transactions[-1].booking_date if transactions else None
    if when is None:
        raise StatementRefused(where=where, rule="no :62: closing balance")
    return Statement(
        account=iban_of(account),
        currency=currency,
        statement_id=str(data.get("transaction_reference") or "").strip() or None,
        statement_date=when,
        opening_balance=opening,
        closing_balance=closing,
        transactions=transactions,
    )


def iban_of(account: str) -> str:
    """The IBAN of a ``:25:`` account where one can be had; the text as given otherwise."""
    compact = account.replace(" ", "").upper()
    candidates = [compact, compact.split("/")[0]]
    for candidate in candidates:
        try:
            return str(IBAN(candidate).compact)
        except (SchwiftyException, ValueError):
            pass
    generated = None
    if german := _GERMAN.match(compact):
        generated = ("DE", german.group(1), german.group(2))
    elif austrian := _AUSTRIAN.match(compact):
        generated = ("AT", austrian.group(1), austrian.group(2))
    if generated:
        try:
            country, bank, number = generated
            return str(IBAN.generate(country, bank_code=bank, account_code=number).compact)
        except (SchwiftyException, ValueError):
            pass
    return compact


def _balance(data: dict[str, Any], *names: str) -> Decimal | None:
    for name in names:
        balance = data.get(name)
        if balance is not None:
            return Decimal(balance.amount.amount)
    return None


def _date(value: Any) -> date:
    return date(value.year, value.month, value.day)


def _clean(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text if text and text.upper() != NO_REFERENCE else None


def _transaction(d: dict[str, Any], currency: str) -> Transaction:
    amount = d["amount"]
    value_of = Decimal(amount.amount)
    if value_of != value_of.quantize(STORED_PLACES) or abs(value_of) >= MAX_AMOUNT:
        # Beleg stores amounts with 4 decimals below 10^10 (domain.amounts.check_amount)
        raise ValueError(f":61: amount out of range: {value_of}")
    value = _date(d["date"])
    entry = d.get("entry_date")
    gvc = _clean(d.get("transaction_code"))
    posting = _clean(d.get("posting_text"))
    details = _clean(d.get("transaction_details"))
    remittance = _clean(d.get("purpose")) or details
    text = " ".join(x for x in (posting, remittance, details) if x)
    return Transaction(
        booking_date=_date(entry) if entry is not None else value,
        value_date=value,
        amount=value_of,
        currency=str(amount.currency or currency),
        counterparty=Party(
            name=_clean(d.get("applicant_name")),
            iban=_clean(d.get("applicant_iban")),
            bic=_clean(d.get("applicant_bin")),
        ),
        remittance=remittance,
        end_to_end_id=_clean(d.get("end_to_end_reference")),
        mandate_id=_clean(d.get("additional_position_reference")),
        creditor_id=_clean(d.get("applicant_creditor_id")),
        code=_code(_clean(d.get("id")), gvc, posting),
        return_reason=_return_reason(gvc, text, _clean(d.get("return_debit_notes"))),
        reference=_clean(d.get("bank_reference")),
        entry_reference=_clean(d.get("customer_reference")),
        from_batch="SAMMLER" in (posting or "").upper() or "SAMMEL" in (posting or "").upper(),
        reversal=str(d.get("status") or "").upper().startswith("R"),
    )


def _code(swift: str | None, gvc: str | None, posting: str | None) -> BankCode:
    """``:61:`` transaction type (``NTRF``) and the DK GVC, as DK's camt ``Prtry`` writes
    them (``NTRF+166``)."""
    proprietary = "+".join(x for x in (swift, gvc) if x) or None
    return BankCode(proprietary=proprietary, gvc=gvc, text=posting)


def _return_reason(gvc: str | None, text: str, dk_code: str | None) -> str | None:
    """An ISO return reason named in the text (``AC04``), else the DK ``?34`` code of a
    return GVC; ``None`` for other transactions."""
    if gvc not in RETURN_GVCS and not _ISO_RETURN.search(text):
        return None
    found = _ISO_RETURN.search(text)
    return found.group(1) if found else dk_code
