"""Contracts: create, change, activate, terminate, pause, delete (one transaction each)."""
