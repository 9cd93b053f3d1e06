"""Use cases of usage: record events (one or a batch), cancel and delete an event."""
