"""Subscriptions: finding them, and what a subscription's page shows."""
