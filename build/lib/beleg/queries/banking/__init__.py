"""Read side of bank accounts and statements."""
