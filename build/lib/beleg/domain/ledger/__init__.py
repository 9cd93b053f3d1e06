"""The ledger: journals of balanced postings, numbering, tax per line, proportional shares."""
