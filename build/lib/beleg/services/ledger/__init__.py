"""Use cases of the ledger: accounts, journals, rebooks, charts, closed periods."""
