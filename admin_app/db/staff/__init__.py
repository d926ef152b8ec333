"""Staff: their sessions, the sign-in audit, and the views they save."""
