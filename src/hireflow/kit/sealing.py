"""Sealing small secrets at rest: AES-GCM under a key derived (HKDF-SHA256) from a secret and a
purpose, so one installation key yields independent keys per use."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


def derive_key(secret: bytes, purpose: bytes, *, salt: bytes | None = None) -> bytes:
    """A 32-byte key for `purpose` (e.g. b"hireflow invitation link v1")."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(secret)


def seal(data: bytes, key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, None)


def unseal(sealed: bytes, key: bytes) -> bytes:
    """The data, or `cryptography.exceptions.InvalidTag` when the key changed or it was altered."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)
