"""E-invoices (EN 16931): a document's business terms (``terms.py``) rendered as UN/CEFACT
CII or OASIS UBL 2.1 (``syntax.py``) and validated in the three official layers: XSD, the
EN 16931 Schematron and, for XRechnung, KoSIT's (``validation.py``; the rule files, copied
unmodified from their publishers, are in ``rules/``, their sources in ``rules/README.md``)."""
