"""Uploaded documents: what a file is (decided from its bytes), its text, and storing it."""
