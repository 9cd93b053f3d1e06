"""Persistence: tables, types, transactions, repositories. Engine from settings."""
