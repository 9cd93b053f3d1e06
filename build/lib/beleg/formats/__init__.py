"""Files in and out: CSV now; PDF, e-invoices, SEPA, bank statements and DATEV later."""
