"""Pure business rules per context: no I/O, no ORM, no HTTP, no clock, no settings."""
