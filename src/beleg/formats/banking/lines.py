"""Transactions of a parsed file as statement lines (seed 003 texts plus the import's
details), keyed for duplicate detection (``model.booking_key``, numbered within the file)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from beleg.domain.banking.statements import LineInput, numbered_keys
from beleg.formats.banking.model import Transaction, booking_key

MAX_TEXT = 2000  # a remittance is at most 140 characters in SEPA; banks concatenate more


def line_inputs(
    account: str, file_format: str, transactions: Sequence[Transaction]
) -> list[LineInput]:
    """One line per transaction, in file order, with its duplicate key as transaction id.

    A bank reference that several transactions of the file share is no reference (a bank
    that writes one stand-in reference everywhere would otherwise make the next day's transactions
    look like duplicates of today's): those are keyed by their booking's hash instead."""
    keys = [booking_key(account, t) for t in transactions]
    shared = {key for key, count in Counter(keys).items() if count > 1}
    keys = [
        booking_key(account, replace(t, reference=None)) if key in shared and t.reference else key
        for t, key in zip(transactions, keys, strict=True)
    ]
    keys = numbered_keys(keys)
    return [_line(t, key, file_format) for t, key in zip(transactions, keys, strict=True)]


def _line(t: Transaction, key: str, file_format: str) -> LineInput:
    party = t.counterparty
    code = t.code
    texts = {
        "partnerName": party.name,
        "partnerAccountNumber": party.iban,
        "partnerBankCode": party.bic,
        "reasonForTransfer": t.remittance[:MAX_TEXT] if t.remittance else None,
        "originatorBankReference": t.reference,
        "description": code.text or code.proprietary,
    }
    details = {
        "format": file_format,
        "structuredReference": t.structured_reference,
        "endToEndId": t.end_to_end_id,
        "mandateId": t.mandate_id,
        "creditorId": t.creditor_id,
        "domain": code.domain,
        "family": code.family,
        "subfamily": code.subfamily,
        "proprietaryCode": code.proprietary,
        "gvc": code.gvc,
        "returnReason": t.return_reason,
        "bankReference": t.reference,
        "entryReference": t.entry_reference,
        "batch": "true" if t.from_batch else None,
        "batchPart": str(t.part) if t.part else None,
        "reversal": "true" if t.reversal else None,
    }
    return LineInput(
        value_date=t.value_date,
        booking_date=t.booking_date,
        amount=t.amount,
        currency=t.currency,
        transaction_id=key,
        texts={k: v for k, v in texts.items() if v},
        details={k: v for k, v in details.items() if v},
    )
