from __future__ import annotations

import pytest

from hireflow.auth.password_policy import (
    ZXCVBN_INPUT_LIMIT,
    check_password_strength,
    require_strong_password,
)
from hireflow.errors import Invalid
from hireflow.kit.passwords import MAX_LENGTH, MIN_LENGTH

JANE = ("jane.doe@acme-robotics.com", "Jane Doe", "Acme Robotics")
STRONG = "vT9#qL2m!Xr7@Kp4"
PASSPHRASE = "lantern orbit velvet cactus thunder maple quiver saffron drift bay"


@pytest.mark.parametrize(
    "password", ["password1", "qwerty123", "iloveyou", "PASSWORD1", "iloveyou "]
)
def test_common_passwords_are_refused(password: str) -> None:
    assert check_password_strength(password) == [
        "This is one of the most commonly used passwords. Choose another one."
    ]


def test_a_short_password_is_refused() -> None:
    problems = check_password_strength("xQ7#vL2")
    assert len("xQ7#vL2") == MIN_LENGTH - 1
    assert problems == [f"Use at least {MIN_LENGTH} characters."]


def test_a_password_over_the_maximum_is_refused() -> None:
    too_long = (PASSPHRASE * 2)[: MAX_LENGTH + 1]
    assert len(too_long) == 129
    assert check_password_strength(too_long) == [f"Use at most {MAX_LENGTH} characters."]


def test_a_password_at_the_maximum_is_accepted() -> None:
    longest = (PASSPHRASE + " " + STRONG * 5)[:MAX_LENGTH]
    assert len(longest) == MAX_LENGTH
    assert check_password_strength(longest) == []


def test_a_64_character_passphrase_is_accepted() -> None:
    assert len(PASSPHRASE) >= 64
    assert check_password_strength(PASSPHRASE, user_inputs=JANE) == []


def test_a_passphrase_longer_than_what_zxcvbn_sees_is_accepted() -> None:
    passphrase = PASSPHRASE + " pebble harbor juniper walnut comet"
    assert len(passphrase) > ZXCVBN_INPUT_LIMIT
    assert check_password_strength(passphrase) == []


def test_a_long_password_that_is_weak_where_zxcvbn_looks_is_still_refused() -> None:
    # Only the first characters are scored; that can make a password look weaker, never stronger.
    weak_start = "a" * ZXCVBN_INPUT_LIMIT + STRONG
    problems = check_password_strength(weak_start)
    assert len(problems) == 1
    assert problems[0].startswith("This password is too easy to guess.")


def test_a_strong_random_password_is_accepted() -> None:
    assert check_password_strength(STRONG, user_inputs=JANE) == []


@pytest.mark.parametrize("password", ["acme-robotics-2026", "AcmeRobotics!2026", "janedoe1985"])
def test_a_password_made_of_the_users_own_details_is_refused(password: str) -> None:
    problems = check_password_strength(password, user_inputs=JANE)
    assert len(problems) == 1
    assert problems[0].startswith(
        "This password is too close to your name, email address or organization."
    )


def test_the_same_password_is_fine_for_someone_else() -> None:
    assert check_password_strength("acme-robotics-2026", user_inputs=("bob@example.org",)) == []


def test_the_users_details_do_not_spoil_an_otherwise_strong_password() -> None:
    assert check_password_strength("jane-loves-purple-giraffes", user_inputs=JANE) == []


def test_a_guessable_password_is_refused_with_zxcvbns_feedback() -> None:
    problems = check_password_strength("P@ssw0rd2024")
    assert len(problems) == 1
    assert problems[0].startswith("This password is too easy to guess.")
    assert "similar to a commonly used password" in problems[0]


@pytest.mark.parametrize(
    ("password", "user_inputs"),
    [
        ("", ()),
        ("abc", ()),
        ("x" * 200, ()),
        ("password1", ()),
        ("Summer2024!", ()),
        ("aaaaaaaaaaaa", ()),
        ("acme-robotics-2026", JANE),
    ],
)
def test_problems_are_sentences(password: str, user_inputs: tuple[str, ...]) -> None:
    problems = check_password_strength(password, user_inputs=user_inputs)
    assert problems
    for problem in problems:
        assert isinstance(problem, str)
        assert problem.strip() == problem
        assert problem[0].isupper()
        assert problem.endswith(".")


def test_require_strong_password_raises_invalid_with_the_problems() -> None:
    with pytest.raises(Invalid) as raised:
        require_strong_password("acme-robotics-2026", user_inputs=JANE)
    error = raised.value
    assert error.status == 422
    assert error.extra["field"] == "password"
    assert error.extra["problems"] == check_password_strength(
        "acme-robotics-2026", user_inputs=JANE
    )
    assert error.extra["problems"][0] in error.detail


def test_require_strong_password_lets_a_strong_password_through() -> None:
    require_strong_password(PASSPHRASE, user_inputs=JANE)
    require_strong_password(STRONG)
    assert check_password_strength(STRONG) == []
