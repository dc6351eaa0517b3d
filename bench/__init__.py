"""Benchmarks run by `make bench`: they print figures and never gate CI (docs/benchmarks.md)."""
