"""Customer Admin: the internal admin dashboard for sales, support and managers."""
