"""Use cases of bank accounts and bank statements."""
