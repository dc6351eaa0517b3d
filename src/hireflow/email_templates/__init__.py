"""Organizations' own email templates: list, edit, preview, reset to default."""
