from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from hireflow.auth.mfa import (
    RECOVERY_CODE_ALPHABET,
    hash_recovery_code,
    match_recovery_code,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
    verify_totp,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
STEP = int(AT.timestamp()) // 30


def code_at(step_offset: int, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(AT, counter_offset=step_offset)


# --- TOTP secrets and provisioning ---------------------------------------------------------


def test_a_new_secret_is_160_bits_of_base32() -> None:
    secret = new_totp_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20


def test_new_secrets_differ() -> None:
    assert len({new_totp_secret() for _ in range(20)}) == 20


def test_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = provisioning_uri(SECRET, account="jane@acme.example", issuer="Acme Hiring")
    assert uri.startswith("otpauth://totp/")
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.secret == SECRET
    assert parsed.name == "jane@acme.example"
    assert parsed.issuer == "Acme Hiring"
    assert parsed.digits == 6
    assert parsed.interval == 30


def test_provisioning_uri_defaults_to_the_hireflow_issuer() -> None:
    assert pyotp.parse_uri(provisioning_uri(SECRET, account="jane@acme.example")).issuer == (
        "hireflow"
    )


def test_provisioning_uri_needs_an_account() -> None:
    with pytest.raises(ValueError, match="account"):
        provisioning_uri(SECRET, account="  ")


# --- QR code ---------------------------------------------------------------------------------


def test_qr_svg_is_well_formed_svg_without_styles_or_scripts() -> None:
    svg = qr_svg(provisioning_uri(SECRET, account="jane@acme.example"))
    root = ET.fromstring(svg)
    assert root.tag == "svg"
    assert "viewBox" in root.attrib
    elements = list(root.iter())
    assert {element.tag for element in elements} <= {"svg", "title", "path"}
    assert not any("style" in element.attrib for element in elements)
    assert "style" not in svg.lower()
    assert "<script" not in svg.lower()
    # A light background and the dark modules are both drawn as paths.
    paths = root.findall("path")
    assert any(path.get("fill") == "#fff" for path in paths)
    assert any(path.get("stroke") == "#000" and path.get("d") for path in paths)


def test_qr_svg_escapes_its_title() -> None:
    svg = qr_svg("otpauth://totp/x?secret=" + SECRET, title='Scan <me> & "go"')
    title = ET.fromstring(svg).find("title")
    assert title is not None
    assert title.text == 'Scan <me> & "go"'


def test_qr_svg_encodes_its_input() -> None:
    first = qr_svg(provisioning_uri(SECRET, account="jane@acme.example"))
    second = qr_svg(provisioning_uri(new_totp_secret(), account="jane@acme.example"))
    assert first != second


# --- TOTP verification -----------------------------------------------------------------------


def test_the_current_code_is_accepted_and_its_step_returned() -> None:
    assert verify_totp(SECRET, code_at(0), last_used_step=None, at=AT) == STEP


@pytest.mark.parametrize("offset", [-1, 1])
def test_codes_one_step_either_side_are_accepted(offset: int) -> None:
    assert verify_totp(SECRET, code_at(offset), last_used_step=None, at=AT) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_outside_the_window_are_refused(offset: int) -> None:
    assert code_at(offset) != code_at(0)
    assert verify_totp(SECRET, code_at(offset), last_used_step=None, at=AT) is None


def test_the_window_follows_the_clock() -> None:
    later = AT + timedelta(seconds=60)
    assert verify_totp(SECRET, code_at(0), last_used_step=None, at=later) is None
    assert verify_totp(SECRET, code_at(2), last_used_step=None, at=later) == STEP + 2


def test_a_code_is_refused_the_second_time() -> None:
    step = verify_totp(SECRET, code_at(0), last_used_step=None, at=AT)
    assert step == STEP
    assert verify_totp(SECRET, code_at(0), last_used_step=step, at=AT) is None


def test_an_older_code_is_refused_after_a_newer_one() -> None:
    step = verify_totp(SECRET, code_at(1), last_used_step=None, at=AT)
    assert step == STEP + 1
    assert verify_totp(SECRET, code_at(0), last_used_step=step, at=AT) is None
    assert verify_totp(SECRET, code_at(-1), last_used_step=step, at=AT) is None


def test_a_newer_code_is_accepted_after_an_older_one() -> None:
    assert verify_totp(SECRET, code_at(0), last_used_step=STEP - 1, at=AT) == STEP
    assert verify_totp(SECRET, code_at(1), last_used_step=STEP, at=AT) == STEP + 1


def test_spaces_in_the_code_are_ignored() -> None:
    code = code_at(0)
    spaced = f" {code[:3]} {code[3:]}\t"
    assert verify_totp(SECRET, spaced, last_used_step=None, at=AT) == STEP


def test_a_wrong_code_is_refused() -> None:
    window = {code_at(offset) for offset in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in window)
    assert verify_totp(SECRET, wrong, last_used_step=None, at=AT) is None


def test_a_code_for_another_secret_is_refused() -> None:
    other = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
    assert code_at(0, other) not in {code_at(offset) for offset in (-1, 0, 1)}
    assert verify_totp(SECRET, code_at(0, other), last_used_step=None, at=AT) is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: code[:5],  # too short
        lambda code: code + "0",  # too long
        lambda code: code[:5] + "x",  # not a digit
        lambda code: code[:3] + "-" + code[3:],  # only spaces are ignored
        lambda code: code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # non-ASCII
        lambda code: "",
    ],
)
def test_malformed_codes_are_refused(mangle: Callable[[str], str]) -> None:
    assert verify_totp(SECRET, mangle(code_at(0)), last_used_step=None, at=AT) is None


def test_verification_defaults_to_now() -> None:
    totp = pyotp.TOTP(SECRET)
    now_step = totp.timecode(datetime.now(UTC))
    step = verify_totp(SECRET, totp.now(), last_used_step=None)
    assert step is not None
    assert abs(step - now_step) <= 1


def test_a_naive_datetime_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_totp(SECRET, code_at(0), last_used_step=None, at=AT.replace(tzinfo=None))


# --- Recovery codes --------------------------------------------------------------------------

GROUP = f"[{RECOVERY_CODE_ALPHABET}]{{4}}"
CODE_FORMAT = re.compile(f"{GROUP}-{GROUP}-{GROUP}-{GROUP}")


def test_ten_recovery_codes_by_default_in_the_documented_format() -> None:
    codes = new_recovery_codes()
    assert len(codes) == 10
    assert all(CODE_FORMAT.fullmatch(code) for code in codes)


def test_recovery_codes_are_unique() -> None:
    codes = new_recovery_codes(200)
    assert len(codes) == 200
    assert len(set(codes)) == 200


def test_the_recovery_code_alphabet_is_unambiguous_and_gives_80_bits() -> None:
    assert len(set(RECOVERY_CODE_ALPHABET)) == len(RECOVERY_CODE_ALPHABET) == 32
    assert not set(RECOVERY_CODE_ALPHABET) & set("ilou")
    assert RECOVERY_CODE_ALPHABET.islower()
    symbols_per_code = len(new_recovery_codes(1)[0].replace("-", ""))
    assert symbols_per_code * math.log2(len(RECOVERY_CODE_ALPHABET)) >= 80


def test_recovery_codes_draw_on_the_whole_alphabet() -> None:
    # 1,600 random symbols miss one of 32 with a probability around 10^-20.
    used = set("".join(new_recovery_codes(100)).replace("-", ""))
    assert used == set(RECOVERY_CODE_ALPHABET)


def test_a_recovery_code_hash_is_sha256_hex() -> None:
    digest = hash_recovery_code("k7f3-9wqm-2xpd-4hnr")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert "k7f3" not in digest


@pytest.mark.parametrize(
    "typed",
    [
        "K7F3-9WQM-2XPD-4HNR",
        "k7f39wqm2xpd4hnr",
        " k7f3 9wqm 2xpd 4hnr ",
        "k7f3 - 9wqm - 2xpd - 4hnr",
        "K7f3-9Wqm-2xPd-4hNr",
    ],
)
def test_recovery_code_hashing_ignores_case_dashes_and_spaces(typed: str) -> None:
    assert hash_recovery_code(typed) == hash_recovery_code("k7f3-9wqm-2xpd-4hnr")


def test_recovery_code_hashing_maps_look_alike_letters_to_digits() -> None:
    assert hash_recovery_code("k7f3-9wqm-2xp0-4hnr") == hash_recovery_code("K7F3-9WQM-2XPO-4HNR")
    assert hash_recovery_code("k7f1-9wqm-2xpd-4hnr") == hash_recovery_code("k7fi-9wqm-2xpd-4hnr")
    assert hash_recovery_code("k7f1-9wqm-2xpd-4hnr") == hash_recovery_code("k7fL-9wqm-2xpd-4hnr")


def test_different_recovery_codes_hash_differently() -> None:
    codes = new_recovery_codes(50)
    assert len({hash_recovery_code(code) for code in codes}) == 50


def test_a_recovery_code_matches_its_own_hash() -> None:
    codes = new_recovery_codes()
    hashes = [hash_recovery_code(code) for code in codes]
    for code, digest in zip(codes, hashes, strict=True):
        assert match_recovery_code(code, hashes) == digest
        assert match_recovery_code(code.upper().replace("-", " "), hashes) == digest


def test_matching_accepts_any_iterable_of_hashes() -> None:
    codes = new_recovery_codes(3)
    assert match_recovery_code(codes[2], (hash_recovery_code(code) for code in codes)) == (
        hash_recovery_code(codes[2])
    )


def test_an_unknown_recovery_code_matches_nothing() -> None:
    issued = new_recovery_codes()
    hashes = [hash_recovery_code(code) for code in issued]
    other = next(code for code in new_recovery_codes(20) if code not in issued)
    assert match_recovery_code(other, hashes) is None
    assert match_recovery_code(issued[0], []) is None


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "k7f3-9wqm-2xpd",
        "k7f3-9wqm-2xpd-4hnr-8bcd",
        "k7f3-9wqm-2xpd-4hn!",
        "ü7f3-9wqm-2xpd-4hnr",
    ],
)
def test_malformed_recovery_codes_match_nothing(typed: str) -> None:
    # Even a stored hash of the same malformed text is not matched.
    assert match_recovery_code(typed, [hash_recovery_code(typed)]) is None
