"""Use cases of document numbering: counters, strategies, sequence groups."""
