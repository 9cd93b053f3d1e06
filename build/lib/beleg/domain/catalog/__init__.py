"""Items and item categories."""
