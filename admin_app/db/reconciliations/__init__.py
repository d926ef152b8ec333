"""Reconciliations (quarterly seat true-ups): finding them, and the charts' roll-ups and aggregates."""
