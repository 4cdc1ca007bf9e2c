"""The HTTP server around the doors: the app factory, idempotency, rate limits, probes and metrics, serving."""
