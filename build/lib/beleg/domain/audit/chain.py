"""Hash chain of the audit trail.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON encoding of the
entry's own fields (sorted keys, no whitespace, UTF-8). Editing any field of any entry changes its
hash; deleting an entry breaks the link of its successor (or the recorded chain head, for the
last entry); both are found by ``verify_chain``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CANCEL = "CANCEL"


HASHED_FIELDS = (
    "tenant_id",
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "ip_address",
    "request_id",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, compact separators, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``prev_hash`` followed by the canonical JSON of the hashed fields."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and why verification failed."""

    seq: int
    reason: str


def verify_chain(
    entries: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str
) -> list[ChainBreak]:
    """Check a tenant's entries in ``seq`` order against each other and the recorded head.

    Each entry carries its hashed fields plus ``prev_hash`` and ``hash``. Returns every break
    found (empty list = intact): a gap in ``seq`` (deleted rows), a ``prev_hash`` that is not the
    predecessor's hash, a ``hash`` that does not match the content, or a head that does not match
    the last entry (deleted tail).
    """
    breaks: list[ChainBreak] = []
    expected_seq, expected_prev = 1, GENESIS_HASH
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            breaks.append(ChainBreak(seq, f"entries {expected_seq}..{seq - 1} are missing"))
        if entry["prev_hash"] != expected_prev:
            breaks.append(ChainBreak(seq, "prev_hash does not match the preceding entry"))
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            breaks.append(ChainBreak(seq, "content does not match its hash (entry was altered)"))
        expected_seq, expected_prev = seq + 1, entry["hash"]
    last_seq = expected_seq - 1
    if last_seq != head_seq or expected_prev != head_hash:
        breaks.append(
            ChainBreak(
                last_seq,
                f"chain ends at entry {last_seq} but the head records entry {head_seq} "
                "with another hash (entries at the end were deleted or altered)",
            )
        )
    return breaks
