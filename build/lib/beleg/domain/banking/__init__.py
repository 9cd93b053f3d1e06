"""Bank accounts and bank statements (seed 003 §3.8): statement headers and their lines."""
