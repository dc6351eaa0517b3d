"""The public careers page of an organization and its apply form."""
