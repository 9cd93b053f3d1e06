"""Contracts: their terms, lifecycle and items (pure rules)."""
