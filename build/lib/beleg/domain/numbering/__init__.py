"""Document numbers: counters, formats, rules."""
