"""camt.053 (ISO 20022 BankToCustomerStatement) into ``model.ParsedFile``.

Namespace-agnostic (DESIGN: dependencies note, CAMT): elements are matched by local name, so
camt.053.001.02 to .13 and national namespaces (Austrian STUZZA) read alike; the root must
still be a camt.053 ``BkToCstmrStmt`` (a camt.052 intraday report is refused: its entries come
again, booked, in the day's camt.053). Only booked entries (``Sts`` BOOK, or none given) are
statement transactions; pending and information entries are left out. Balances: opening is
OPBD, else PRCD (German banks send PRCD); closing is CLBD. Amounts stay ``Decimal`` from the
text, never through float. External entities, DTDs and the network are never loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from lxml import etree
from lxml.etree import _Element as _El

from beleg.formats.banking.model import (
    CAMT053,
    BankCode,
    ParsedFile,
    Party,
    Statement,
    StatementRefused,
    Transaction,
)

_VERSION = re.compile(r"camt\.053\.001\.(\d\d)")
_AMOUNT = re.compile(r"^[0-9]{1,18}(\.[0-9]{1,5})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MIN_VERSION, MAX_VERSION = 2, 13
STORED_PLACES = Decimal("0.0001")
MAX_AMOUNT = Decimal(10) ** 10
BOOKED = "BOOK"
NOT_PROVIDED = "NOTPROVIDED"


def looks_like_camt(data: bytes) -> bool:
    """Whether ``data`` is XML (format detection by content, not by file name)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parse(data: bytes) -> ParsedFile:
    """Every statement of the camt.053 message ``data``; StatementRefused otherwise."""
    root = _document(data)
    message = _child(root, "BkToCstmrStmt")
    if message is None:
        kind = _local(root[0]) if len(root) else _local(root)
        raise StatementRefused(where=_path(root), rule=f"not a camt.053 statement ({kind})")
    statements = tuple(_statement(s) for s in _children(message, "Stmt"))
    if not statements:
        raise StatementRefused(where=_path(message), rule="no Stmt")
    return ParsedFile(CAMT053, statements)


def _document(data: bytes) -> _El:
    upper = data.upper()  # refused before libxml2 reads an internal subset at all
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise StatementRefused(where="line 1", rule="a DOCTYPE is not allowed")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        raise StatementRefused(
            where=f"line {error.lineno or 1}", rule=f"not well-formed XML: {error.msg}"
        ) from None
    if tree.docinfo.doctype:
        raise StatementRefused(where="line 1", rule="a DOCTYPE is not allowed")
    root = tree.getroot()
    if not isinstance(root.tag, str) or _local(root) != "Document":
        raise StatementRefused(where="/", rule="the root element is not Document")
    namespace = etree.QName(root).namespace or ""
    match = _VERSION.search(namespace)
    if "camt.052" in namespace or "camt.054" in namespace:
        raise StatementRefused(where="/Document", rule=f"not a camt.053 statement ({namespace})")
    if match and not MIN_VERSION <= int(match.group(1)) <= MAX_VERSION:
        raise StatementRefused(where="/Document", rule=f"unsupported version {namespace}")
    return root


def _statement(el: _El) -> Statement:
    account = _text(el, "Acct/Id/IBAN") or _text(el, "Acct/Id/Othr/Id")
    if not account:
        raise StatementRefused(where=_path(el) + "/Acct/Id", rule="no IBAN or account id")
    opening = _balance(el, "OPBD") or _balance(el, "PRCD")
    closing = _balance(el, "CLBD")
    entries = _children(el, "Ntry")
    currency = _text(el, "Acct/Ccy") or _first_currency(el, entries)
    transactions = tuple(t for entry in entries for t in _entry(entry))
    created = _text(el, "CreDtTm")
    when = _date_of(_find(el, "CreDtTm"), created) if created else closing_date(el)
    return Statement(
        account=account.replace(" ", "").upper(),
        currency=currency,
        statement_id=_text(el, "Id"),
        statement_date=when,
        opening_balance=opening,
        closing_balance=closing,
        transactions=transactions,
    )


def closing_date(el: _El) -> date:
    """The date of the closing balance, for a statement without ``CreDtTm``."""
    for bal in _children(el, "Bal"):
        if _text(bal, "Tp/CdOrPrtry/Cd") == "CLBD":
            return _date(bal, "Dt")
    raise StatementRefused(where=_path(el) + "/CreDtTm", rule="no statement date")


def _first_currency(el: _El, entries: list[_El]) -> str:
    for holder in [*_children(el, "Bal"), *entries]:
        amount = _find(holder, "Amt")
        if amount is not None and amount.get("Ccy"):
            return _currency(amount)
    raise StatementRefused(where=_path(el) + "/Acct/Ccy", rule="no currency")


def _balance(el: _El, code: str) -> Decimal | None:
    for bal in _children(el, "Bal"):
        if _text(bal, "Tp/CdOrPrtry/Cd") == code:
            return _signed(bal)
    return None


def _entry(el: _El) -> list[Transaction]:
    """The transactions of one entry: split per ``TxDtls`` when each detail has an amount
    and they add up to the entry's signed amount; one transaction otherwise."""
    status = _text(el, "Sts/Cd") or _text(el, "Sts")
    if status and status != BOOKED:
        return []
    amount = _signed(el)
    details = [tx for d in _children(el, "NtryDtls") for tx in _children(d, "TxDtls")]
    sizes = [
        _text(b, "NbOfTxs") or "" for d in _children(el, "NtryDtls") for b in _children(d, "Btch")
    ]
    batch = any(re.fullmatch(r"[0-9]{1,9}", n) and int(n) > 1 for n in sizes)
    parts = [_detail_amount(tx, el) for tx in details]
    known = [p for p in parts if p is not None]
    if len(details) > 1 and len(known) == len(parts) and sum(known, Decimal(0)) == amount:
        return [
            replace(_transaction(el, tx, p, from_batch=True), part=n)
            for n, (tx, p) in enumerate(zip(details, known, strict=True), start=1)
        ]
    only = details[0] if len(details) == 1 else None
    return [_transaction(el, only, amount, from_batch=batch or len(details) > 1)]


def _detail_amount(tx: _El, entry: _El) -> Decimal | None:
    amount = _find(tx, "Amt")
    if amount is None:
        amount = _find(tx, "AmtDtls/TxAmt/Amt")
    if amount is None:
        return None
    indicator = _text(tx, "CdtDbtInd") or _text(entry, "CdtDbtInd")
    return _amount(amount, indicator)


def _transaction(entry: _El, tx: _El | None, amount: Decimal, *, from_batch: bool) -> Transaction:
    amt = _find(entry, "Amt")
    if amt is None:  # _signed(entry) refused this already
        raise StatementRefused(where=_path(entry) + "/Amt", rule="missing")
    credit = amount >= 0
    src = tx if tx is not None else entry
    booking = _one_date(entry, "BookgDt") or _one_date(entry, "ValDt")
    value = _one_date(entry, "ValDt") or booking
    if booking is None or value is None:
        raise StatementRefused(where=_path(entry) + "/BookgDt", rule="no booking date")
    return Transaction(
        booking_date=booking,
        value_date=value,
        amount=amount,
        currency=_currency(amt),
        counterparty=_party(tx, credit=credit) if tx is not None else Party(),
        remittance=_remittance(tx) or _text(entry, "AddtlNtryInf"),
        structured_reference=_opt(tx, "RmtInf/Strd/CdtrRefInf/Ref"),
        end_to_end_id=_ref(tx, "EndToEndId"),
        mandate_id=_ref(tx, "MndtId"),
        creditor_id=_creditor_id(tx),
        code=_code(src) if _find(src, "BkTxCd") is not None else _code(entry),
        return_reason=_opt(tx, "RtrInf/Rsn/Cd") or _opt(tx, "RtrInf/Rsn/Prtry"),
        reference=_ref(tx, "AcctSvcrRef") or _provided(_text(entry, "AcctSvcrRef")),
        entry_reference=_text(entry, "NtryRef"),
        from_batch=from_batch,
        reversal=(_text(entry, "RvslInd") or "").lower() == "true",
    )


def _party(tx: _El, *, credit: bool) -> Party:
    """The debtor of a credit, the creditor of a debit (v2 ``Dbtr/Nm``, v8 ``Dbtr/Pty/Nm``)."""
    role = "Dbtr" if credit else "Cdtr"
    parties = _find(tx, "RltdPties")
    agents = _find(tx, "RltdAgts")
    name = None
    if parties is not None:
        name = _text(parties, f"{role}/Nm") or _text(parties, f"{role}/Pty/Nm")
    iban = _text(parties, f"{role}Acct/Id/IBAN") if parties is not None else None
    bic = None
    if agents is not None:
        bic = _text(agents, f"{role}Agt/FinInstnId/BIC") or _text(
            agents, f"{role}Agt/FinInstnId/BICFI"
        )
    return Party(name=name, iban=iban, bic=bic)


def _creditor_id(tx: _El | None) -> str | None:
    """The SEPA creditor identifier (``Cdtr/Id/PrvtId/Othr`` with scheme SEPA)."""
    if tx is None:
        return None
    for path in ("RltdPties/Cdtr/Id/PrvtId/Othr", "RltdPties/Cdtr/Pty/Id/PrvtId/Othr"):
        for other in _all(tx, path):
            if _text(other, "SchmeNm/Prtry") == "SEPA":
                return _text(other, "Id")
    return None


def _remittance(tx: _El | None) -> str | None:
    if tx is None:
        return None
    lines = [(u.text or "").strip() for u in _all(tx, "RmtInf/Ustrd")]
    return " ".join(x for x in lines if x) or None


def _code(el: _El) -> BankCode:
    return BankCode(
        domain=_text(el, "BkTxCd/Domn/Cd"),
        family=_text(el, "BkTxCd/Domn/Fmly/Cd"),
        subfamily=_text(el, "BkTxCd/Domn/Fmly/SubFmlyCd"),
        proprietary=_text(el, "BkTxCd/Prtry/Cd"),
    )


def _signed(el: _El) -> Decimal:
    amount = _find(el, "Amt")
    if amount is None:
        raise StatementRefused(where=_path(el) + "/Amt", rule="missing")
    return _amount(amount, _text(el, "CdtDbtInd"))


def _amount(amount: _El, indicator: str | None) -> Decimal:
    text = (amount.text or "").strip()
    if not _AMOUNT.match(text):
        raise StatementRefused(where=_path(amount), rule=f"not an amount: {text[:40]!r}")
    _currency(amount)
    if indicator not in ("CRDT", "DBIT"):
        parent = amount.getparent()
        holder = _path(parent if parent is not None else amount)
        raise StatementRefused(where=holder + "/CdtDbtInd", rule="not CRDT or DBIT")
    value = Decimal(text)
    if value != value.quantize(STORED_PLACES) or value >= MAX_AMOUNT:
        # Beleg stores amounts with 4 decimals below 10^10 (domain.amounts.check_amount)
        raise StatementRefused(where=_path(amount), rule=f"amount out of range: {text[:40]}")
    return value if indicator == "CRDT" else -value


def _currency(amount: _El) -> str:
    code = amount.get("Ccy") or ""
    if not _CURRENCY.match(code):
        raise StatementRefused(where=_path(amount) + "/@Ccy", rule=f"not a currency: {code!r}")
    return code


def _one_date(el: _El, name: str) -> date | None:
    holder = _find(el, name)
    if holder is None:
        return None
    return _date(holder, "Dt") if _find(holder, "Dt") is not None else _date(holder, "DtTm")


def _date(el: _El, name: str) -> date:
    found = _find(el, name)
    if found is None:
        raise StatementRefused(where=_path(el) + "/" + name, rule="missing")
    return _date_of(found, found.text or "")


def _date_of(el: _El | None, text: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        where = _path(el) if el is not None else "/"
        raise StatementRefused(where=where, rule=f"not a date: {text[:30]!r}") from None


def _ref(tx: _El | None, name: str) -> str | None:
    """A reference of the detail (``Refs/...``), without the NOTPROVIDED stand-in."""
    return _provided(_opt(tx, f"Refs/{name}"))


def _provided(value: str | None) -> str | None:
    """``value`` unless it is the NOTPROVIDED stand-in (ISO 20022: "no reference")."""
    return None if value is None or value.upper() == NOT_PROVIDED else value


def _opt(el: _El | None, path: str) -> str | None:
    return _text(el, path) if el is not None else None


def _text(el: _El, path: str) -> str | None:
    found = _find(el, path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _find(el: _El, path: str) -> _El | None:
    return next(_walk(el, path.split("/")), None)


def _all(el: _El, path: str) -> list[_El]:
    return list(_walk(el, path.split("/")))


def _walk(el: _El, names: list[str]) -> Iterator[_El]:
    if not names:
        yield el
        return
    for child in _children(el, names[0]):
        yield from _walk(child, names[1:])


def _child(el: _El, name: str) -> _El | None:
    return next(iter(_children(el, name)), None)


def _children(el: _El, name: str) -> list[_El]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _local(el: _El) -> str:
    return etree.QName(el).localname


def _path(el: _El) -> str:
    """``/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``: local names, 1-based positions."""
    parts: list[str] = []
    node: _El | None = el
    while node is not None:
        parent = node.getparent()
        name = _local(node)
        if parent is not None:
            same = _children(parent, name)
            name = f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))
