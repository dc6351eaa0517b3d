"""The audit log: append-only events for authentication and access changes."""
