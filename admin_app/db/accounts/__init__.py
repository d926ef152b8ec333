"""Billing accounts: finding them, their page, and their Sold To / Bill To contacts."""
