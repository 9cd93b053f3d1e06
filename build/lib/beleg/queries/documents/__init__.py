"""Read side of sales documents, templates and the invoicing setup."""
