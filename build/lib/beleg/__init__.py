"""Beleg: the money side of a subscription business in one transactional system."""

__version__ = "0.1.0"
