"""`ILIKE` patterns from user text: the wildcards it contains are matched literally."""

from __future__ import annotations


def contains(text: str) -> str:
    """A pattern matching any value that contains `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
