"""Read side of customers, suppliers and addresses."""
