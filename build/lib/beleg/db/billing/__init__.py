"""Data access of billing runs: billing groups and settings (``groups``), runs with their
chunks and results (``runs``), and the billed lines of issued charges (``billed``)."""
