"""Bank statement files in: camt.053 (ISO 20022) and SWIFT MT940, parsed into
``model.ParsedFile``; ``detect.parse_statement_file`` picks the format by content."""
