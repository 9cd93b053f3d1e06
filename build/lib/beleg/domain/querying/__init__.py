"""Query languages of the API: RSQL filters."""
