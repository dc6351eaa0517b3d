"""Organizations: the tenants of an installation."""
