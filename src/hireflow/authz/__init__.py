"""Authorization: permissions, roles, and the per-request context (`ctx`)."""
