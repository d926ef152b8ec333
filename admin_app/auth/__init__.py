"""Sign-in with OpenID Connect, server-side sessions, roles and permissions."""
