"""Read side of cash registers, receipts and daily closings."""
