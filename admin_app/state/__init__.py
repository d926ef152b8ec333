"""Reflex states, one module per page: authorize, call admin_app.db, hold what the page shows."""
