"""Helpers for tests, benchmarks and local tooling (never imported by the running app)."""
