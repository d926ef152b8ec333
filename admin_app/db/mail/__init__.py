"""Mail: the outbox every email the app sends goes through."""
