"""Benchmarks and the scale-data generator (see docs/performance.md)."""
