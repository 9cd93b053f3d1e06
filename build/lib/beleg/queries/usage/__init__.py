"""Read models of usage: events as ``/v2/usages`` shows them."""
