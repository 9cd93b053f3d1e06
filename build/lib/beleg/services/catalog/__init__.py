"""Use cases of items and item categories."""
