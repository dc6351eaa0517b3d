"""Candidates: people an organization considers, apart from their applications."""
