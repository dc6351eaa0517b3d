"""Tamper-proof, expiring values for the browser (HMAC-SHA256 over JSON)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def sign(data: dict[str, Any], key: bytes) -> str:
    payload = (
        base64.urlsafe_b64encode(
            json.dumps({"d": data, "t": int(time.time())}, separators=(",", ":")).encode()
        )
        .decode()
        .rstrip("=")
    )
    mac = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def unsign(value: str, key: bytes, *, max_age_seconds: int) -> dict[str, Any] | None:
    """The signed data, or None when the value was altered, is malformed or is too old."""
    payload, _, mac = value.rpartition(".")
    expected = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
    if not payload or not hmac.compare_digest(mac, expected):
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("d"), dict):
        return None
    if time.time() - float(decoded.get("t", 0)) > max_age_seconds:
        return None
    data: dict[str, Any] = decoded["d"]
    return data
