"""Read side of items and item categories."""
