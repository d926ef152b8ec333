"""Deterministic demo data at a chosen scale (`python -m admin_app.seed`)."""
