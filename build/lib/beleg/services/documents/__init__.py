"""Use cases of sales documents: create and issue, pay, cancel, correct, templates, PDFs."""
