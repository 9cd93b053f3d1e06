"""Usage: the metered events of contracts and how a period's events add up (spec/billing-api.md
"Usage"). Pure rules: the shape of an event, its check against the contract and the option, and
the aggregation of a window's events."""
