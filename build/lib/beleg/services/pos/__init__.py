"""Use cases of cash registers under the Austrian RKSV: registers, receipts, daily closings."""
