from typing import Any

from beleg.domain.audit.chain import GENESIS_HASH, entry_hash, verify_chain


def _chain(n: int) -> list[dict[str, Any]]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = {
            "tenant_id": "t",
            "seq": seq,
            "occurred_at": f"2026-01-0{seq}T00:00:00+00:00",
            "actor_type": "API_KEY",
            "actor_id": "k",
            "actor_name": "key",
            "ip_address": "10.0.0.1",
            "request_id": None,
            "action": "UPDATE",
            "entity_type": "User",
            "entity_id": "u",
            "before": {"role": "VIEWER"},
            "after": {"role": "ADMIN", "name": "Jürgen"},
        }
        digest = entry_hash(prev, fields)
        entries.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    return entries


def test_intact_chain_verifies() -> None:
    entries = _chain(5)
    assert verify_chain(entries, head_seq=5, head_hash=entries[-1]["hash"]) == []
    assert verify_chain([], head_seq=0, head_hash=GENESIS_HASH) == []


def test_altered_field_is_detected() -> None:
    entries = _chain(5)
    entries[2]["after"] = {"role": "SUPERUSER", "name": "Jürgen"}
    breaks = verify_chain(entries, head_seq=5, head_hash=entries[-1]["hash"])
    assert [(b.seq, "altered" in b.reason) for b in breaks] == [(3, True)]


def test_deleted_middle_entry_is_detected() -> None:
    entries = _chain(5)
    del entries[1]
    breaks = verify_chain(entries, head_seq=5, head_hash=entries[-1]["hash"])
    assert breaks[0].seq == 3 and "missing" in breaks[0].reason


def test_deleted_tail_is_detected_by_the_head() -> None:
    entries = _chain(5)
    head_hash = entries[-1]["hash"]
    breaks = verify_chain(entries[:4], head_seq=5, head_hash=head_hash)
    assert len(breaks) == 1 and breaks[0].seq == 4 and "head" in breaks[0].reason


def test_recomputed_hash_after_edit_still_breaks_the_link() -> None:
    entries = _chain(4)
    entries[1]["actor_name"] = "someone else"
    entries[1]["hash"] = entry_hash(entries[1]["prev_hash"], entries[1])
    breaks = verify_chain(entries, head_seq=4, head_hash=entries[-1]["hash"])
    assert [b.seq for b in breaks] == [3]
