"""The business-document resources of the accounting API."""
