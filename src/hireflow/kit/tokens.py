"""Secret tokens (sessions, invitations, resets, API keys): 256 random bits from the CSPRNG,
shown once, stored only as a SHA-256 hash. A fast hash is right here: the tokens are random,
so there is nothing to guess by brute force, and lookups by hash must be quick."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())
