"""Read side: SQL-first functions returning read models (lists, details, reports)."""
