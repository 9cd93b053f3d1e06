"""Data access of the cash registers (the pos context): registers and their signing keys
(``registers``), daily closings (``closings``) and receipts (``receipts``). Every function
runs in the caller's transaction and is scoped to one tenant."""
