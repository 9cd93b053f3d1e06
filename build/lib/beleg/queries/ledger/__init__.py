"""Read side of the ledger: accounts, balances, trial balance, journal."""
