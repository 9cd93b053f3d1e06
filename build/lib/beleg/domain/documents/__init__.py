"""Sales documents (seed 003 §3.4): offers, order confirmations, delivery notes, invoices and
credit memos; their lines, totals, payments, corrections and deposits. Pure rules only."""
