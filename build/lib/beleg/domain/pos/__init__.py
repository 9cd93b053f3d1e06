"""Cash registers under the Austrian RKSV."""
