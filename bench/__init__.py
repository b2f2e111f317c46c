"""Benchmarks: each script prints one JSON object of figures (see docs/benchmarks.md)."""
