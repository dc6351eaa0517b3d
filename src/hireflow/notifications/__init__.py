"""Email: messages are written to the outbox in the caller's transaction and delivered by a
job (`send_email` in `service`); platform admins read the outbox through `api`."""
