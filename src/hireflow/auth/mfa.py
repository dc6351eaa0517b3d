"""The second factor's primitives: TOTP secrets, codes and QR codes (RFC 6238), and recovery codes.

Pure functions, no database: callers store the secret, the last accepted time step and the
recovery-code hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

import pyotp
import segno

# What every authenticator app supports: 6 digits, 30-second steps, HMAC-SHA1.
TOTP_DIGITS = 6
TOTP_PERIOD_SECONDS = 30
# Steps accepted either side of the current one, for clock drift and typing time (RFC 6238 §5.2).
TOTP_WINDOW = 1
_SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 key length RFC 4226 recommends.

# Crockford's base32: no i, l, o or u, so nothing reads as a different symbol; what users might
# still type for 0 and 1 is mapped back when checking. 32 symbols give 5 bits each.
RECOVERY_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_GROUPS = 4
RECOVERY_CODE_GROUP_LENGTH = 4  # 4 x 4 symbols x 5 bits = 80 bits per code
_RECOVERY_CODE_LENGTH = RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH
_LOOKALIKES = str.maketrans({"o": "0", "i": "1", "l": "1", "-": None})


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits from the `secrets` CSPRNG, no padding)."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def provisioning_uri(secret: str, *, account: str, issuer: str = "hireflow") -> str:
    """The `otpauth://totp/...` URI authenticator apps read from the QR code."""
    if not account.strip():
        raise ValueError("the account label must not be empty")
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, *, title: str = "QR code for your authenticator app") -> str:
    """`uri` as an inline SVG QR code, ready to embed in a page.

    Plain path markup with presentation attributes only: no `style` attribute or element and no
    script, so it renders under the site's `style-src 'self'` CSP. It carries a viewBox and no
    width or height, so the page's stylesheet sizes it through the `qr-code` class. The light
    background is drawn, so the code scans on a dark theme too.
    """
    return segno.make(uri, error="m").svg_inline(
        scale=1,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        title=title,
    )


def verify_totp(
    secret: str, code: str, *, last_used_step: int | None, at: datetime | None = None
) -> int | None:
    """The time step that `code` belongs to, or None if it is wrong, outside the window, or its
    step is not after `last_used_step` (a replay: RFC 6238 §5.2 allows each code once).

    The caller stores the returned step as the next `last_used_step`. Spaces in `code` are
    ignored ("123 456"). `at` must be timezone-aware; it defaults to now.
    """
    candidate = "".join(code.split())
    if len(candidate) != TOTP_DIGITS or not (candidate.isascii() and candidate.isdigit()):
        return None
    moment = datetime.now(UTC) if at is None else at
    if moment.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    totp = _totp(secret)
    current = totp.timecode(moment)
    matched: int | None = None
    # Every step in the window is computed and compared in constant time, so the response time
    # does not tell which step (if any) the code was for.
    for step in range(max(current - TOTP_WINDOW, 0), current + TOTP_WINDOW + 1):
        fresh = last_used_step is None or step > last_used_step
        if hmac.compare_digest(totp.generate_otp(step), candidate) and fresh:
            matched = step
    return matched


def new_recovery_codes(n: int = 10) -> list[str]:
    """`n` distinct recovery codes like "k7f3-9wqm-2xpd-4hnr" (80 bits each), to show to the user
    once; store only `hash_recovery_code` of each."""
    codes: list[str] = []
    while len(codes) < n:
        symbols = "".join(
            secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(_RECOVERY_CODE_LENGTH)
        )
        code = "-".join(
            symbols[i : i + RECOVERY_CODE_GROUP_LENGTH]
            for i in range(0, _RECOVERY_CODE_LENGTH, RECOVERY_CODE_GROUP_LENGTH)
        )
        if code not in codes:
            codes.append(code)
    return codes


def hash_recovery_code(code: str) -> str:
    """SHA-256 (hex) of the code with case, spaces, dashes and look-alike letters normalized.

    A fast hash is right here, unlike for passwords: the codes are uniformly random with 80 bits
    of entropy, so there is no dictionary to try first and brute force costs ~2^80 hashes per
    code. A slow hash would mostly add latency, and a recovered code is still useless without
    the password.
    """
    return hashlib.sha256(_normalize_recovery_code(code).encode()).hexdigest()


def match_recovery_code(code: str, hashes: Iterable[str]) -> str | None:
    """The hash in `hashes` that `code` matches, or None. The caller deletes that hash, so each
    code works once."""
    if not _is_well_formed(_normalize_recovery_code(code)):
        return None
    candidate = hash_recovery_code(code).encode()
    matched: str | None = None
    # Compared with every stored hash in constant time, without stopping at a match.
    for stored in hashes:
        if hmac.compare_digest(candidate, stored.encode()):
            matched = stored
    return matched


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS)


def _normalize_recovery_code(code: str) -> str:
    return "".join(code.casefold().split()).translate(_LOOKALIKES)


def _is_well_formed(normalized: str) -> bool:
    return len(normalized) == _RECOVERY_CODE_LENGTH and all(
        symbol in RECOVERY_CODE_ALPHABET for symbol in normalized
    )
