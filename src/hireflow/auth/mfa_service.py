"""Two-factor authentication for accounts: enrolment, the second sign-in step, recovery codes,
turning it off, and the policy that owners, admins and platform admins must use it.

Every check of a password or code made here for someone already holding the session cookie is
throttled per account and per IP in PostgreSQL (so the limits hold across processes) and
audited. Failures raise with `keep_changes=True`, so the counter and the audit event outlive the
refused request. Each function locks the user's row first: two requests racing with the same
code or recovery code are served one after the other, and the second one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import sessions
from hireflow.auth.mfa import (
    hash_recovery_code,
    match_recovery_code,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
    verify_totp,
)
from hireflow.authz.permissions import MFA_REQUIRED_ROLES
from hireflow.errors import Conflict, Forbidden, Invalid, TooManyRequests, Unauthorized
from hireflow.kit import throttle
from hireflow.kit.clock import now
from hireflow.kit.passwords import verify_password
from hireflow.models import Membership, RecoveryCode, Role, User, UserSession

# Failed codes or passwords allowed per window. Six digits leave 1 in 333,333 per guess (three
# steps are accepted), so 5 guesses per 15 minutes per account keep brute force hopeless.
ATTEMPTS_PER_ACCOUNT = 5
ATTEMPTS_PER_IP = 50
WINDOW_SECONDS = 15 * 60
RECOVERY_CODE_COUNT = 10
ISSUER = "hireflow"

VerificationMethod = Literal["totp", "recovery_code"]


class MfaNotEnabled(Conflict):
    code = "mfa-not-enabled"
    title = "Two-factor authentication is off"


class MfaEnrolmentNotStarted(Conflict):
    code = "mfa-enrolment-not-started"
    title = "No authenticator set-up in progress"


class MfaAlreadyVerified(Conflict):
    code = "mfa-already-verified"
    title = "Second factor already given"


class EnrolmentCodeWrong(Invalid):
    code = "mfa-enrolment-code-wrong"
    title = "The code does not match the new authenticator"


class MfaCodeWrong(Unauthorized):
    code = "mfa-code-wrong"
    title = "Wrong code"


class ReauthenticationFailed(Forbidden):
    code = "reauthentication-failed"
    title = "Password or code not correct"


class PasswordNotSet(Forbidden):
    code = "password-not-set"
    title = "No password on this account"


class MfaRequiredByRole(Forbidden):
    code = "mfa-required-by-role"
    title = "Two-factor authentication is required for you"


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


@dataclass(frozen=True)
class Verified:
    method: VerificationMethod
    recovery_codes_left: int


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    recovery_codes_left: int
    required: bool


async def mfa_required(session: AsyncSession, user: User) -> bool:
    """Whether `user` must use MFA: a platform admin, or a member of any organization with a
    role in `MFA_REQUIRED_ROLES`."""
    if user.is_platform_admin:
        return True
    privileged = (
        select(Membership.id)
        .join(Role, Role.id == Membership.role_id)
        .where(Membership.user_id == user.id, Role.key.in_(MFA_REQUIRED_ROLES))
        .exists()
    )
    return bool(await session.scalar(select(privileged)))


async def mfa_status(session: AsyncSession, user: User) -> MfaStatus:
    return MfaStatus(
        enabled=user.mfa_enabled_at is not None,
        recovery_codes_left=await _count_unused_recovery_codes(session, user),
        required=await mfa_required(session, user),
    )


async def start_enrolment(
    session: AsyncSession, *, user: User, password: str, origin: Origin
) -> Enrolment:
    """A fresh secret for the user's authenticator app, kept as pending until a code from it is
    confirmed. Starting again replaces the pending secret. With MFA already on this moves it to
    a new app (a lost phone): the caller's session has passed the second factor, and the
    password is asked again; the old app keeps working until the new one is confirmed."""
    await _lock(session, user)
    await _reauthenticate(session, user, origin, purpose="enrol", password=password)
    secret = new_totp_secret()
    user.mfa_pending_secret = secret
    await session.flush()
    await audit.record(session, "auth.mfa_enrolment_started", origin=origin, actor=user)
    uri = provisioning_uri(secret, account=user.email, issuer=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


async def confirm_enrolment(
    session: AsyncSession, *, user: User, user_session: UserSession, code: str, origin: Origin
) -> list[str]:
    """Turn MFA on once `code` matches the pending secret. Returns the new recovery codes (the
    only time they are shown). The calling session counts as verified; every other session of
    the user ends."""
    await _lock(session, user)
    replacing = user.mfa_enabled_at is not None
    pending = user.mfa_pending_secret
    if pending is None:
        raise MfaEnrolmentNotStarted("Start the set-up first: no new authenticator is waiting.")
    step = verify_totp(pending, code, last_used_step=None)
    if step is None:
        raise EnrolmentCodeWrong(
            "That code does not match. Check that the app shows the account you just added "
            "and that the device's clock is right, then enter the current code."
        )
    moment = now()
    user.mfa_secret = pending
    user.mfa_pending_secret = None
    user.mfa_enabled_at = moment
    user.mfa_last_step = step
    codes = await _replace_recovery_codes(session, user)
    user_session.mfa_verified_at = moment
    await session.flush()
    revoked = await sessions.revoke_all(session, user.id, keep=user_session.id)
    await audit.record(
        session,
        "auth.mfa_app_replaced" if replacing else "auth.mfa_enabled",
        origin=origin,
        actor=user,
        data={"other_sessions_revoked": revoked},
    )
    return codes


async def verify(
    session: AsyncSession,
    *,
    user: User,
    user_session: UserSession,
    code: str | None,
    recovery_code: str | None,
    origin: Origin,
) -> Verified:
    """The second sign-in step: a TOTP code (each accepted once) or a recovery code (each
    usable once) completes a password-only session."""
    await _lock(session, user)
    if user_session.mfa_verified_at is not None:
        raise MfaAlreadyVerified("This session has already passed the second factor.")
    secret = user.mfa_secret
    if secret is None:
        raise MfaNotEnabled("Two-factor authentication is off for this account. Sign in again.")
    await _refuse_if_throttled(session, user, origin)
    left = await _count_unused_recovery_codes(session, user)
    method: VerificationMethod
    if code is not None:
        method = "totp"
        step = verify_totp(secret, code, last_used_step=user.mfa_last_step)
        ok = step is not None
        if step is not None:
            user.mfa_last_step = step
    else:
        method = "recovery_code"
        ok = recovery_code is not None and await _use_recovery_code(session, user, recovery_code)
        if ok:
            left -= 1
    if not ok:
        await _count_failure(session, user, origin, purpose="sign_in", method=method)
        raise MfaCodeWrong(
            "That code is not correct, or it has been used already. Enter the current code "
            "from your authenticator app, or an unused recovery code.",
            keep_changes=True,
        )
    user_session.mfa_verified_at = now()
    await session.flush()
    await audit.record(
        session,
        "auth.mfa_verified",
        origin=origin,
        actor=user,
        target_type="session",
        target_id=user_session.id,
        data={"method": method},
    )
    if method == "recovery_code":
        await audit.record(
            session,
            "auth.recovery_code_used",
            origin=origin,
            actor=user,
            data={"recovery_codes_left": left},
        )
    return Verified(method=method, recovery_codes_left=left)


async def regenerate_recovery_codes(
    session: AsyncSession, *, user: User, code: str, origin: Origin
) -> list[str]:
    """Ten new recovery codes replacing all the old ones, for a current TOTP code."""
    await _lock(session, user)
    secret = user.mfa_secret
    if secret is None or user.mfa_enabled_at is None:
        raise MfaNotEnabled("Turn on two-factor authentication first.")
    await _reauthenticate(session, user, origin, purpose="recovery_codes", totp=(secret, code))
    codes = await _replace_recovery_codes(session, user)
    await audit.record(session, "auth.recovery_codes_regenerated", origin=origin, actor=user)
    return codes


async def disable(
    session: AsyncSession, *, user: User, password: str, code: str, origin: Origin
) -> None:
    """Turn MFA off, with the password and a current code; refused to those who must use it."""
    await _lock(session, user)
    secret = user.mfa_secret
    if secret is None or user.mfa_enabled_at is None:
        raise MfaNotEnabled("Two-factor authentication is already off.")
    if await mfa_required(session, user):
        raise MfaRequiredByRole(
            "Your role requires two-factor authentication, so it cannot be turned off."
        )
    await _reauthenticate(
        session, user, origin, purpose="disable", password=password, totp=(secret, code)
    )
    user.mfa_secret = None
    user.mfa_pending_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await session.flush()
    await audit.record(session, "auth.mfa_disabled", origin=origin, actor=user)


# --- internals -------------------------------------------------------------------------------


async def _lock(session: AsyncSession, user: User) -> None:
    """Lock the user's row until the transaction ends, and reload it: concurrent requests for
    one account are served in turn, each seeing the last one's changes (READ COMMITTED takes a
    fresh snapshot per statement)."""
    await session.execute(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _throttle_keys(user: User, origin: Origin) -> dict[str, int]:
    return {
        f"mfa:account:{user.id}": ATTEMPTS_PER_ACCOUNT,
        f"mfa:ip:{origin.ip or 'unknown'}": ATTEMPTS_PER_IP,
    }


async def _refuse_if_throttled(session: AsyncSession, user: User, origin: Origin) -> None:
    for key, limit in _throttle_keys(user, origin).items():
        wait = await throttle.retry_after(session, key, limit=limit, window_seconds=WINDOW_SECONDS)
        if wait is not None:
            await audit.record(
                session,
                "auth.mfa_throttled",
                origin=origin,
                actor=user,
                data={"limit": key.split(":")[1]},
            )
            raise TooManyRequests(
                "Too many wrong codes or passwords. Wait a few minutes and try again.",
                retry_after=wait,
                keep_changes=True,
            )


async def _count_failure(
    session: AsyncSession, user: User, origin: Origin, *, purpose: str, method: str
) -> None:
    for key in _throttle_keys(user, origin):
        await throttle.record(session, key, window_seconds=WINDOW_SECONDS)
    await audit.record(
        session,
        "auth.mfa_failed",
        origin=origin,
        actor=user,
        data={"purpose": purpose, "method": method},
    )


async def _reauthenticate(
    session: AsyncSession,
    user: User,
    origin: Origin,
    *,
    purpose: str,
    password: str | None = None,
    totp: tuple[str, str] | None = None,
) -> None:
    """Check the password and/or a TOTP code (`(secret, code)`) again before a sensitive
    change, throttled like the sign-in step; an accepted code is not accepted again."""
    if password is not None and user.password_hash is None:
        raise PasswordNotSet(
            "Your account has no password (you sign in with single sign-on). Set a password "
            "with 'Forgot password' first."
        )
    await _refuse_if_throttled(session, user, origin)
    ok = True
    if password is not None:
        ok = user.password_hash is not None and verify_password(user.password_hash, password)
    step: int | None = None
    if totp is not None:
        secret, code = totp
        step = verify_totp(secret, code, last_used_step=user.mfa_last_step)
        ok = ok and step is not None
    if not ok:
        method = "+".join(
            name for name, given in (("password", password), ("totp", totp)) if given is not None
        )
        await _count_failure(session, user, origin, purpose=purpose, method=method)
        if totp is None:
            detail = "The password is not correct."
        elif password is None:
            detail = "The code is not correct, or it has been used already."
        else:
            detail = "The password or the code is not correct (each code works only once)."
        raise ReauthenticationFailed(detail, keep_changes=True)
    if step is not None:
        user.mfa_last_step = step


async def _replace_recovery_codes(session: AsyncSession, user: User) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes(RECOVERY_CODE_COUNT)
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)) for code in codes
    )
    await session.flush()
    return codes


async def _count_unused_recovery_codes(session: AsyncSession, user: User) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def _use_recovery_code(session: AsyncSession, user: User, typed: str) -> bool:
    """Mark the unused recovery code matching `typed` as used; False when none matches."""
    hashes = await session.scalars(
        select(RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    matched = match_recovery_code(typed, hashes)
    if matched is None:
        return False
    await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == matched)
        .values(used_at=now())
    )
    return True
