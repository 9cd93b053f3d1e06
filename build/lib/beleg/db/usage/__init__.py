"""Data access of usage: the set-based lookups a batch is checked with, the bulk write of its
events, single events by client id, and the aggregation the billing run calls
(``aggregated_usage``). Every function runs in the caller's transaction, scoped to one tenant."""

from beleg.db.usage.aggregation import aggregated_usage

__all__ = ["aggregated_usage"]
