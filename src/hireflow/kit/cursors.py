"""Keyset page cursors: an opaque token for the (instant, id) a page continues after."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from hireflow.errors import Invalid


def encode(moment: datetime, row_id: uuid.UUID) -> str:
    raw = f"{moment.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (instant, id) a page continues after, None for the first page; `Invalid` (422 on
    the `cursor` field) for a cursor we did not make."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, row_id = raw.partition("|")
        parsed = datetime.fromisoformat(moment), uuid.UUID(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        parsed = None
    if parsed is None or parsed[0].tzinfo is None:
        raise Invalid(
            "This page cursor is not valid: use `next_cursor` from the previous page, or start "
            "from the first page.",
            extra={"field": "cursor"},
        )
    return parsed
