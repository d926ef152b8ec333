"""Billing-account memberships: finding them, adding and deleting them, and ownership changes with their
evidence.
"""
