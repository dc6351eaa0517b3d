"""Authentication: passwords, sessions, MFA, SSO."""
