"""Read side of document numbering."""
