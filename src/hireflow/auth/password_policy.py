"""Decides whether a new password is strong enough to accept, and says why not when it isn't.

The checks: the length limits of `hireflow.kit.passwords`, the common-password list bundled with
zxcvbn (its "passwords" frequency list), and zxcvbn's guessability score, with the user's own
details (email, name, organization) counted as cheap guesses.

zxcvbn is CPU-bound (up to about half a second on 100 random characters): async callers run
these functions in a worker thread (`anyio.to_thread.run_sync`), and only on password changes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zxcvbn import zxcvbn  # type: ignore[import-untyped]
from zxcvbn.matching import RANKED_DICTIONARIES  # type: ignore[import-untyped]

from hireflow.errors import Invalid
from hireflow.kit.passwords import MAX_LENGTH, MIN_LENGTH

# zxcvbn's scale runs 0-4; 3 means "safely unguessable" (about 10^8 or more guesses).
MIN_SCORE = 3

# zxcvbn's matching is quadratic or worse in the length of its input (every substring is looked
# up in every dictionary, l33t variants are enumerated), so it only sees this many characters.
# Cutting the tail off can only make a password look weaker, never stronger, so no weak password
# passes because of it; and 100 characters of a long passphrase are plenty to score it.
ZXCVBN_INPUT_LIMIT = 100

# Parts of the user's own details shorter than this are too short to count as "based on" them.
_MIN_PERSONAL_WORD = 3

_COMMON_PASSWORDS: dict[str, int] = RANKED_DICTIONARIES["passwords"]

# zxcvbn() stores the user inputs in a module-level dict for the length of a call, so two
# threads calling it at once could see each other's inputs.
_zxcvbn_lock = threading.Lock()


@dataclass(frozen=True)
class _Estimate:
    score: int
    warning: str
    suggestions: list[str]


def check_password_strength(password: str, *, user_inputs: Sequence[str] = ()) -> list[str]:
    """The problems with `password` as human-readable sentences; an empty list means it is
    acceptable. `user_inputs` are the user's own details (email, name, organization name)."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if _normalize(password) in _COMMON_PASSWORDS:
        return ["This is one of the most commonly used passwords. Choose another one."]

    candidate = password[:ZXCVBN_INPUT_LIMIT]
    personal_words = _personal_words(user_inputs)
    hints = sorted(
        ({value.casefold().strip() for value in user_inputs} - {""}) | set(personal_words)
    )

    # zxcvbn does not see through separators ("acme-robotics-2026" scores 4 even with "acme" and
    # "robotics" as user inputs), so also score what is left once the user's details are removed.
    remainder = _remove_words(candidate, personal_words)
    if remainder != candidate:
        rest = _estimate(remainder, hints)
        if rest.score < MIN_SCORE:
            return [
                "This password is too close to your name, email address or organization. "
                + _advice(rest)
            ]

    estimate = _estimate(candidate, hints)
    if estimate.score < MIN_SCORE:
        return [_join("This password is too easy to guess.", estimate.warning, _advice(estimate))]
    return []


def require_strong_password(password: str, *, user_inputs: Sequence[str] = ()) -> None:
    """Raise `Invalid` (422) listing the problems when `password` is not acceptable."""
    problems = check_password_strength(password, user_inputs=user_inputs)
    if problems:
        raise Invalid(
            "Choose a stronger password: " + " ".join(problems),
            extra={"field": "password", "problems": problems},
        )


def _estimate(password: str, user_inputs: list[str]) -> _Estimate:
    with _zxcvbn_lock:
        result: dict[str, Any] = zxcvbn(
            password, user_inputs=user_inputs, max_length=ZXCVBN_INPUT_LIMIT
        )
    feedback = result["feedback"]
    return _Estimate(
        score=int(result["score"]),
        warning=str(feedback["warning"]),
        suggestions=[str(suggestion) for suggestion in feedback["suggestions"]],
    )


def _advice(estimate: _Estimate) -> str:
    return " ".join(estimate.suggestions) or "Add another word or two. Uncommon words are better."


def _join(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _normalize(text: str) -> str:
    """Case- and whitespace-insensitive form, as the frequency lists are written."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _personal_words(user_inputs: Sequence[str]) -> list[str]:
    """Words of the user's details, each also joined up ("Acme Robotics" gives "acme",
    "robotics" and "acmerobotics"), longest first so removal takes the longest match."""
    words: set[str] = set()
    for value in user_inputs:
        text = unicodedata.normalize("NFKC", value).casefold().strip()
        local, at, domain = text.rpartition("@")
        if at:
            # The top-level domain ("com") says nothing about the person.
            text = f"{local} {domain.rsplit('.', 1)[0]}"
        parts = re.findall(r"[^\W_]+", text)
        words.update(part for part in parts if len(part) >= _MIN_PERSONAL_WORD)
        joined = "".join(parts)
        if len(joined) >= _MIN_PERSONAL_WORD:
            words.add(joined)
    return sorted(words, key=lambda word: (-len(word), word))


def _remove_words(password: str, words: Sequence[str]) -> str:
    for word in words:
        password = re.sub(re.escape(word), "", password, flags=re.IGNORECASE)
    return password
