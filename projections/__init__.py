"""Read models: each one answers one question from the event log."""
