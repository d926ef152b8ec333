"""Customers: finding them, their page, editing them, their login status, the emails and one-time links
support sends them.
"""
