"""Normal forms used for matching people: email, phone (E.164), skill names."""

from __future__ import annotations

import phonenumbers


def email_match_key(email: str | None) -> str | None:
    """What two addresses of one person compare equal on (the whole address, case-folded, as
    the `citext` column compares). Not for storing: accounts keep the local part's case
    (`hireflow.users.service.normalize_email`)."""
    email = (email or "").strip()
    return email.lower() or None


def normalize_phone(phone: str | None, default_region: str = "US") -> str | None:
    """E.164 (`+14155550100`) when the number parses as possible; else None."""
    raw = (phone or "").strip()
    if not raw:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_skill(name: str) -> str:
    """A skill's display form with spacing tidied ("  python " → "python"); comparisons use
    `.casefold()` of this."""
    return " ".join(name.split())
