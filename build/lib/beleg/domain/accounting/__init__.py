"""Cash-based invoicing (seed 003 §3.3): lines, components, EA and DE booking rules."""
