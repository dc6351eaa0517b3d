"""Two-factor authentication over the API: enrolment, the sign-in step with TOTP or recovery
codes, replay and brute-force protection, the enrolment requirement for owners, admins and
platform admins, turning it off, bad input and audit events."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from hireflow.auth.mfa import hash_recovery_code, new_recovery_codes, new_totp_secret
from hireflow.db import Database
from hireflow.models import AuditEvent, Organization, RecoveryCode, ThrottleHit, User
from hireflow.organizations import repository as organizations
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_user, sign_in

MFA = "/api/v1/auth/mfa"
RECOVERY_CODE = re.compile(r"[0-9a-z]{4}(-[0-9a-z]{4}){3}")


# --- helpers ---------------------------------------------------------------------------------


async def _events(db: Database, action: str) -> list[AuditEvent]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return list(rows)


async def _user(db: Database, user_id: uuid.UUID) -> User:
    async with db.transaction() as session:
        user = await session.get(User, user_id, populate_existing=True)
        assert user is not None
        return user


async def _code(db: Database, user_id: uuid.UUID, secret: str) -> str:
    """A code the server has not accepted yet: for the current step, or the step after the last
    accepted one (still inside the ±1 step window)."""
    user = await _user(db, user_id)
    totp = pyotp.TOTP(secret)
    last = user.mfa_last_step if user.mfa_last_step is not None else -1
    return totp.generate_otp(max(totp.timecode(datetime.now(UTC)), last + 1))


async def _let_a_minute_pass(db: Database, user_id: uuid.UUID) -> None:
    """Move the last accepted step back two steps: for the code window, as if a minute passed."""
    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == user_id).values(mfa_last_step=User.mfa_last_step - 2)
        )


def _wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    window = {totp.generate_otp(s) for s in range(step - 2, step + 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in window)


async def _make_mfa_user(
    db: Database, *, role: str | None = None, organization: Organization | None = None
) -> tuple[User, str, list[str]]:
    """A user with MFA on (and a membership with `role` if given); returns the TOTP secret and
    ten recovery codes."""
    secret = new_totp_secret()
    codes = new_recovery_codes()
    async with db.transaction() as session:
        user = await make_user(session, mfa_secret=secret)
        session.add_all(
            RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(c)) for c in codes
        )
        if role is not None:
            if organization is None:
                organization = await make_organization(session)
            system_role = await organizations.system_role(session, role)
            await organizations.add_member(
                session, organization_id=organization.id, user_id=user.id, role_id=system_role.id
            )
        await session.flush()
    return user, secret, codes


async def _make_member_without_mfa(db: Database, role: str) -> tuple[User, Organization]:
    async with db.transaction() as session:
        organization = await make_organization(session)
        user = await make_user(session)
        system_role = await organizations.system_role(session, role)
        await organizations.add_member(
            session, organization_id=organization.id, user_id=user.id, role_id=system_role.id
        )
    return user, organization


async def _sign_in_with_password(client: httpx.AsyncClient, user: User) -> None:
    """The first factor only (`sign_in` from the factories would also give the second)."""
    login = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert login.json()["mfa_required"] is True
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]


async def _sign_in_fully(client: httpx.AsyncClient, db: Database, user: User, secret: str) -> None:
    await _sign_in_with_password(client, user)
    verified = await client.post(f"{MFA}/verify", json={"code": await _code(db, user.id, secret)})
    assert verified.status_code == 200, verified.text


async def _enrol(client: httpx.AsyncClient) -> tuple[str, list[str]]:
    """Set up MFA through the API; returns the secret and the recovery codes."""
    enrolment = await client.post(f"{MFA}/enrol", json={"password": PASSWORD})
    assert enrolment.status_code == 200, enrolment.text
    secret = str(enrolment.json()["secret"])
    confirmed = await client.post(f"{MFA}/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    return secret, list(confirmed.json()["recovery_codes"])


async def _snapshot(db: Database, user_id: uuid.UUID) -> tuple[Any, ...]:
    """Everything an MFA request may change for a user."""
    async with db.transaction() as session:
        user = await session.get(User, user_id, populate_existing=True)
        assert user is not None
        codes = await session.execute(
            select(RecoveryCode.code_hash, RecoveryCode.used_at)
            .where(RecoveryCode.user_id == user_id)
            .order_by(RecoveryCode.code_hash)
        )
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
        hits = await session.scalar(select(func.coalesce(func.sum(ThrottleHit.hits), 0)))
        return (
            user.mfa_secret,
            user.mfa_pending_secret,
            user.mfa_enabled_at,
            user.mfa_last_step,
            list(codes.all()),
            events,
            hits,
        )


# --- enrolment and the sign-in step ----------------------------------------------------------


async def test_enrol_confirm_then_sign_in_with_a_code(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, email="grace@example.test")
    await sign_in(client, user.email)
    status = (await client.get(f"{MFA}/status")).json()
    assert status == {"enabled": False, "recovery_codes_left": 0, "required": False}

    enrolment = await client.post(f"{MFA}/enrol", json={"password": PASSWORD})
    assert enrolment.status_code == 200, enrolment.text
    body = enrolment.json()
    secret = body["secret"]
    parsed = pyotp.parse_uri(body["otpauth_uri"])
    assert isinstance(parsed, pyotp.TOTP)
    assert (parsed.secret, parsed.name, parsed.issuer) == (secret, user.email, "hireflow")
    assert body["qr_svg"].startswith("<svg")
    stored = await _user(db, user.id)
    assert (stored.mfa_pending_secret, stored.mfa_secret, stored.mfa_enabled_at) == (
        secret,
        None,
        None,
    )

    # Another session of the same user ends when MFA is turned on.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await sign_in(other, user.email)
        confirm_code = pyotp.TOTP(secret).now()
        confirmed = await client.post(f"{MFA}/confirm", json={"code": confirm_code})
        assert confirmed.status_code == 200, confirmed.text
        assert (await other.get("/api/v1/auth/me")).status_code == 401
    recovery_codes = confirmed.json()["recovery_codes"]
    assert len(set(recovery_codes)) == 10
    assert all(RECOVERY_CODE.fullmatch(code) for code in recovery_codes)
    stored = await _user(db, user.id)
    assert stored.mfa_secret == secret
    assert stored.mfa_pending_secret is None
    assert stored.mfa_enabled_at is not None
    assert stored.mfa_last_step is not None
    async with db.transaction() as session:
        hashes = set(
            await session.scalars(
                select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
            )
        )
    assert hashes == {hash_recovery_code(code) for code in recovery_codes}  # only hashes kept
    # The confirming session stays signed in; the codes are never shown again.
    assert (await client.get(f"{MFA}/status")).json() == {
        "enabled": True,
        "recovery_codes_left": 10,
        "required": False,
    }
    again = await client.post(f"{MFA}/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert again.status_code == 409

    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    login = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["mfa_required"] is True
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 401
    assert me.json()["code"] == "mfa-required"

    # The code used to confirm was accepted once already.
    replayed = await client.post(f"{MFA}/verify", json={"code": confirm_code})
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "mfa-code-wrong"
    code = await _code(db, user.id, secret)
    verified = await client.post(f"{MFA}/verify", json={"code": f"{code[:3]} {code[3:]}"})
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"method": "totp", "recovery_codes_left": 10}
    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["mfa_enabled"] is True
    assert (await client.post(f"{MFA}/verify", json={"code": code})).status_code == 409

    for action in ("auth.mfa_enrolment_started", "auth.mfa_enabled", "auth.mfa_verified"):
        assert [e.actor_user_id for e in await _events(db, action)] == [user.id], action
    [enabled] = await _events(db, "auth.mfa_enabled")
    assert enabled.data == {"other_sessions_revoked": 1}
    [failed] = await _events(db, "auth.mfa_failed")
    assert failed.data == {"purpose": "sign_in", "method": "totp"}


async def test_a_code_is_accepted_once_across_sign_ins(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, secret, _ = await _make_mfa_user(db)
    await _sign_in_with_password(client, user)
    code = await _code(db, user.id, secret)
    assert (await client.post(f"{MFA}/verify", json={"code": code})).status_code == 200
    assert (await client.post("/api/v1/auth/logout")).status_code == 204

    await _sign_in_with_password(client, user)
    replayed = await client.post(f"{MFA}/verify", json={"code": code})
    assert replayed.status_code == 401
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    fresh = await client.post(f"{MFA}/verify", json={"code": await _code(db, user.id, secret)})
    assert fresh.status_code == 200
    assert (await client.get("/api/v1/auth/me")).status_code == 200


async def test_a_recovery_code_works_once(client: httpx.AsyncClient, db: Database) -> None:
    user, _, codes = await _make_mfa_user(db)
    await _sign_in_with_password(client, user)
    typed = codes[3].upper().replace("-", " ")  # case and separators are forgiven
    used = await client.post(f"{MFA}/verify", json={"recovery_code": typed})
    assert used.status_code == 200, used.text
    assert used.json() == {"method": "recovery_code", "recovery_codes_left": 9}
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    assert (await client.get(f"{MFA}/status")).json()["recovery_codes_left"] == 9
    async with db.transaction() as session:
        used_hashes = list(
            await session.scalars(
                select(RecoveryCode.code_hash).where(RecoveryCode.used_at.is_not(None))
            )
        )
    assert used_hashes == [hash_recovery_code(codes[3])]
    [event] = await _events(db, "auth.recovery_code_used")
    assert (event.actor_user_id, event.data) == (user.id, {"recovery_codes_left": 9})
    [verified] = await _events(db, "auth.mfa_verified")
    assert verified.data == {"method": "recovery_code"}

    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    await _sign_in_with_password(client, user)
    again = await client.post(f"{MFA}/verify", json={"recovery_code": codes[3]})
    assert again.status_code == 401
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    other = await client.post(f"{MFA}/verify", json={"recovery_code": codes[4]})
    assert other.json()["recovery_codes_left"] == 8


async def test_wrong_codes_get_401_then_429_even_for_the_right_code(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, secret, codes = await _make_mfa_user(db)
    await _sign_in_with_password(client, user)
    wrong = _wrong_code(secret)
    for attempt in range(5):
        body = {"code": wrong} if attempt % 2 else {"recovery_code": "0000-0000-0000-0000"}
        refused = await client.post(f"{MFA}/verify", json=body)
        assert refused.status_code == 401
        assert refused.json()["code"] == "mfa-code-wrong"
    blocked = await client.post(f"{MFA}/verify", json={"code": await _code(db, user.id, secret)})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    blocked = await client.post(f"{MFA}/verify", json={"recovery_code": codes[0]})
    assert blocked.status_code == 429
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    assert len(await _events(db, "auth.mfa_failed")) == 5
    assert [e.data for e in await _events(db, "auth.mfa_throttled")] == [{"limit": "account"}] * 2
    assert (await _user(db, user.id)).mfa_last_step is None  # nothing was accepted
    async with db.transaction() as session:
        unused = await session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_(None))
        )
    assert unused == 10


async def test_wrong_codes_for_many_accounts_from_one_address_get_429(
    app: FastAPI, db: Database
) -> None:
    transport = httpx.ASGITransport(app=app)
    for _ in range(10):
        user, secret, _ = await _make_mfa_user(db)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await _sign_in_with_password(client, user)
            for _ in range(5):
                refused = await client.post(f"{MFA}/verify", json={"code": _wrong_code(secret)})
                assert refused.status_code == 401
    user, secret, _ = await _make_mfa_user(db)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await _sign_in_with_password(client, user)
        blocked = await client.post(
            f"{MFA}/verify", json={"code": await _code(db, user.id, secret)}
        )
    assert blocked.status_code == 429
    assert [e.data for e in await _events(db, "auth.mfa_throttled")] == [{"limit": "ip"}]


# --- required enrolment ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin"])
async def test_an_owner_or_admin_without_mfa_must_enrol_first(
    client: httpx.AsyncClient, db: Database, role: str
) -> None:
    user, organization = await _make_member_without_mfa(db, role)
    await sign_in(client, user.email)
    for path in ("/api/v1/organizations", f"/api/v1/organizations/{organization.id}"):
        refused = await client.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "mfa-enrolment-required"
    assert (await client.get(f"{MFA}/status")).json() == {
        "enabled": False,
        "recovery_codes_left": 0,
        "required": True,
    }

    await _enrol(client)
    listed = await client.get("/api/v1/organizations")
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()] == [str(organization.id)]
    assert (await client.get(f"/api/v1/organizations/{organization.id}")).status_code == 200


async def test_a_platform_admin_without_mfa_must_enrol_first(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        user.is_platform_admin = True
    await sign_in(client, user.email)
    refused = await client.get("/api/v1/organizations")
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa-enrolment-required"
    assert (await client.get(f"{MFA}/status")).json()["required"] is True
    await _enrol(client)
    assert (await client.get("/api/v1/organizations")).status_code == 200


async def test_members_with_other_roles_need_not_enrol(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, _ = await _make_member_without_mfa(db, "recruiter")
    await sign_in(client, user.email)
    assert (await client.get("/api/v1/organizations")).status_code == 200
    assert (await client.get(f"{MFA}/status")).json()["required"] is False


# --- enrolment refusals ----------------------------------------------------------------------


async def test_enrolment_needs_the_password(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)
    refused = await client.post(f"{MFA}/enrol", json={"password": "not my password"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "reauthentication-failed"
    assert (await _user(db, user.id)).mfa_pending_secret is None
    [failed] = await _events(db, "auth.mfa_failed")
    assert failed.data == {"purpose": "enrol", "method": "password"}
    async with db.transaction() as session:
        hits = await session.scalar(
            select(ThrottleHit.hits).where(ThrottleHit.key == f"mfa:account:{user.id}")
        )
    assert hits == 1


async def test_mfa_moves_to_a_new_authenticator_app(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, old_secret, _ = await _make_mfa_user(db)
    await _sign_in_fully(client, db, user, old_secret)
    started = await client.post(f"{MFA}/enrol", json={"password": PASSWORD})
    assert started.status_code == 200, started.text
    new_secret = started.json()["secret"]
    assert new_secret != old_secret
    # Until the new app is confirmed, the old one stays in force.
    assert (await _user(db, user.id)).mfa_secret == old_secret
    confirmed = await client.post(f"{MFA}/confirm", json={"code": pyotp.TOTP(new_secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["recovery_codes"]) == 10
    stored = await _user(db, user.id)
    assert stored.mfa_secret == new_secret
    assert stored.mfa_pending_secret is None
    assert [e.action for e in await _events(db, "auth.mfa_app_replaced")] == [
        "auth.mfa_app_replaced"
    ]


async def test_a_wrong_confirmation_code_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)
    not_started = await client.post(f"{MFA}/confirm", json={"code": "123456"})
    assert not_started.status_code == 409
    assert not_started.json()["code"] == "mfa-enrolment-not-started"
    secret = (await client.post(f"{MFA}/enrol", json={"password": PASSWORD})).json()["secret"]
    before = await _snapshot(db, user.id)
    refused = await client.post(f"{MFA}/confirm", json={"code": _wrong_code(secret)})
    assert refused.status_code == 422
    assert refused.json()["code"] == "mfa-enrolment-code-wrong"
    assert await _snapshot(db, user.id) == before
    assert before[1] == secret  # still pending, not enabled
    assert before[2] is None


# --- recovery codes and turning MFA off ------------------------------------------------------


async def test_recovery_codes_are_regenerated_with_a_fresh_code(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, secret, old_codes = await _make_mfa_user(db)
    await _sign_in_with_password(client, user)
    sign_in_code = await _code(db, user.id, secret)
    assert (await client.post(f"{MFA}/verify", json={"code": sign_in_code})).status_code == 200
    replayed = await client.post(f"{MFA}/recovery-codes", json={"code": sign_in_code})
    assert replayed.status_code == 403
    assert replayed.json()["code"] == "reauthentication-failed"

    await _let_a_minute_pass(db, user.id)
    regenerated = await client.post(
        f"{MFA}/recovery-codes", json={"code": await _code(db, user.id, secret)}
    )
    assert regenerated.status_code == 200, regenerated.text
    new_codes = regenerated.json()["recovery_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    async with db.transaction() as session:
        hashes = set(
            await session.scalars(
                select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
            )
        )
    assert hashes == {hash_recovery_code(code) for code in new_codes}
    assert [e.actor_user_id for e in await _events(db, "auth.recovery_codes_regenerated")] == [
        user.id
    ]
    [failed] = await _events(db, "auth.mfa_failed")
    assert failed.data == {"purpose": "recovery_codes", "method": "totp"}


async def test_an_owner_cannot_turn_mfa_off(client: httpx.AsyncClient, db: Database) -> None:
    user, secret, _ = await _make_mfa_user(db, role="owner")
    await _sign_in_fully(client, db, user, secret)
    assert (await client.get(f"{MFA}/status")).json()["required"] is True
    await _let_a_minute_pass(db, user.id)
    before = await _snapshot(db, user.id)
    refused = await client.post(
        f"{MFA}/disable", json={"password": PASSWORD, "code": await _code(db, user.id, secret)}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa-required-by-role"
    assert await _snapshot(db, user.id) == before
    assert await _events(db, "auth.mfa_disabled") == []


async def test_a_viewer_turns_mfa_off_with_password_and_code(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, secret, _ = await _make_mfa_user(db, role="viewer")
    await _sign_in_fully(client, db, user, secret)
    await _let_a_minute_pass(db, user.id)
    code = await _code(db, user.id, secret)
    before = await _snapshot(db, user.id)
    wrong = await client.post(f"{MFA}/disable", json={"password": "guess", "code": code})
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "reauthentication-failed"
    after = await _snapshot(db, user.id)
    assert after[:5] == before[:5]  # only the audit event and the throttle counter were added

    done = await client.post(f"{MFA}/disable", json={"password": PASSWORD, "code": code})
    assert done.status_code == 204, done.text
    stored = await _user(db, user.id)
    assert (stored.mfa_secret, stored.mfa_enabled_at, stored.mfa_last_step) == (None, None, None)
    assert (await client.get(f"{MFA}/status")).json() == {
        "enabled": False,
        "recovery_codes_left": 0,
        "required": False,
    }
    assert [e.actor_user_id for e in await _events(db, "auth.mfa_disabled")] == [user.id]
    off_again = await client.post(f"{MFA}/disable", json={"password": PASSWORD, "code": code})
    assert off_again.status_code == 409
    # The next sign-in needs no second factor.
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    await sign_in(client, user.email)
    assert (await client.get("/api/v1/auth/me")).status_code == 200


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("enrol", {}),
        ("enrol", {"password": ""}),
        ("enrol", {"password": PASSWORD, "secret": "JBSWY3DPEHPK3PXP"}),
        ("confirm", {}),
        ("confirm", {"code": "1234567"}),
        ("confirm", {"code": "12345a"}),
        ("verify", {}),
        ("verify", {"code": "1234567"}),
        ("verify", {"code": "123456", "recovery_code": "abcd-efgh-jkmn-pqrs"}),
        ("verify", {"recovery_code": ""}),
        ("verify", {"code": "123456", "mfa_verified": True}),
        ("recovery-codes", {"code": "12345"}),
        ("disable", {"password": PASSWORD}),
        ("disable", {"code": "123456"}),
        ("disable", {"password": PASSWORD, "code": "１２３４５６"}),
    ],
)
async def test_bad_input_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, path: str, body: dict[str, Any]
) -> None:
    user, secret, _ = await _make_mfa_user(db, role="viewer")
    await _sign_in_with_password(client, user)
    if path != "verify":
        verified = await client.post(
            f"{MFA}/verify", json={"code": await _code(db, user.id, secret)}
        )
        assert verified.status_code == 200
    before = await _snapshot(db, user.id)
    response = await client.post(f"{MFA}/{path}", json=body)
    assert response.status_code == 422, response.text
    assert await _snapshot(db, user.id) == before


async def test_mfa_routes_need_a_session(client: httpx.AsyncClient) -> None:
    for path in ("enrol", "confirm", "verify", "recovery-codes", "disable"):
        assert (await client.post(f"{MFA}/{path}", json={})).status_code == 401, path
    assert (await client.get(f"{MFA}/status")).status_code == 401


async def test_only_verify_is_open_before_the_second_factor(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, secret, _ = await _make_mfa_user(db)
    await _sign_in_with_password(client, user)
    code = await _code(db, user.id, secret)
    for path, body in [
        ("enrol", {"password": PASSWORD}),
        ("confirm", {"code": code}),
        ("recovery-codes", {"code": code}),
        ("disable", {"password": PASSWORD, "code": code}),
    ]:
        refused = await client.post(f"{MFA}/{path}", json=body)
        assert refused.status_code == 401, path
        assert refused.json()["code"] == "mfa-required"
    assert (await client.get(f"{MFA}/status")).json()["code"] == "mfa-required"
