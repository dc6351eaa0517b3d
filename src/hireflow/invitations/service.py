"""Invitations to AI interviews (docs/invitations.md): asked for alone or in bulk (up to 1,000
in one request), now or at a send time; prepared by a job that acts as the sender, configures
the session, issues its link and writes the email; reminded once before the link runs out.

The link is sealed into the invitation (docs/decisions/0008) so the reminder carries the same
link the email did; it is cleared once the session leaves NOT_STARTED."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow import idempotency
from hireflow.ai_interviews import service as interviews
from hireflow.ai_interviews.repository import readable_session
from hireflow.ai_interviews.schemas import SessionCreate
from hireflow.audit import service as audit
from hireflow.audit.service import SYSTEM, Origin
from hireflow.authz.context import Ctx, MemberCtx, member_ctx
from hireflow.authz.permissions import Permission
from hireflow.config import Settings, signing_key
from hireflow.errors import AppError, Conflict, Invalid, NotFound
from hireflow.invitations import repository
from hireflow.invitations.schemas import (
    AcceptedInvitation,
    BatchAccepted,
    InvitationRead,
    InviteIn,
    SessionInviteIn,
    SkippedApplication,
)
from hireflow.invitations.status import UNSUBSCRIBED, StatusFacts, derive_status
from hireflow.kit import clock, cursors, sealing
from hireflow.kits.service import KitNotApproved
from hireflow.models import (
    Candidate,
    InterviewInvitation,
    InterviewSession,
    Job,
    Organization,
)
from hireflow.notifications import service as notifications
from hireflow.notifications import sms
from hireflow.worker import enqueue

log = structlog.get_logger(__name__)

P = Permission
CREATE_SCOPE = "interview_invitation.create"
PREPARE_CHUNK = 100
MAX_SCHEDULE_AHEAD = timedelta(days=90)
PAST_SLACK = timedelta(minutes=1)
# A reminder goes to an invitation sent at least this long ago.
REMIND_AFTER_SENT = timedelta(hours=24)
MAX_REASON = 300

SKIP_NO_EMAIL = "The candidate has no email address."
SKIP_UNSUBSCRIBED = "The address unsubscribed from this organization's email."
SKIP_OPEN = "An invitation for this application is still open."


class Unsubscribed(Conflict):
    code = "address-unsubscribed"
    title = "The address unsubscribed"


# --- the sealed link ------------------------------------------------------------------------------


def _link_key(settings: Settings) -> bytes:
    return sealing.derive_key(signing_key(settings), b"hireflow invitation link v1")


def seal_link(url: str, settings: Settings) -> bytes:
    return sealing.seal(url.encode(), _link_key(settings))


def unseal_link(sealed: bytes, settings: Settings) -> str | None:
    """The link, or None when the installation key changed since it was sealed."""
    try:
        return sealing.unseal(sealed, _link_key(settings)).decode()
    except InvalidTag:
        return None


# --- reading --------------------------------------------------------------------------------------


def invitation_read(invitation: InterviewInvitation, facts: StatusFacts) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        batch_id=invitation.batch_id,
        status=derive_status(facts),
        state=invitation.state,
        job_id=invitation.job_id,
        application_id=invitation.application_id,
        session_id=invitation.session_id,
        rule_id=invitation.rule_id,
        created_by_user_id=invitation.created_by_user_id,
        to_address=invitation.to_address,
        candidate_name=invitation.candidate_name,
        send_at=invitation.send_at,
        link_valid_days=invitation.link_valid_days,
        message=invitation.message,
        sms=invitation.sms,
        failure_reason=invitation.failure_reason,
        reminded_at=invitation.reminded_at,
        created_at=invitation.created_at,
    )


async def get_invitation(
    session: AsyncSession, ctx: Ctx, invitation_id: uuid.UUID
) -> InvitationRead:
    row = await repository.readable_invitation(session, ctx, invitation_id)
    if row is None:
        raise NotFound("No invitation has this id.")
    return invitation_read(row.invitation, row.facts)


async def list_invitations(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None,
    job_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> tuple[list[InvitationRead], str | None]:
    ctx.require(P.SESSIONS_READ)
    rows = await repository.list_invitations(
        session,
        ctx,
        status=status,
        job_id=job_id,
        batch_id=batch_id,
        application_id=application_id,
        after=cursors.decode(cursor),
        limit=limit + 1,
    )
    page = rows[:limit]
    items = [invitation_read(r.invitation, r.facts) for r in page]
    last = page[-1].invitation if page else None
    more = len(rows) > limit and last is not None
    return items, cursors.encode(last.created_at, last.id) if more and last else None


async def statuses_by_application(
    session: AsyncSession, ctx: Ctx, application_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Each application's latest invitation status (for the pipeline board: one query)."""
    if not ctx.can(P.SESSIONS_READ):
        return {}
    facts = await repository.latest_by_application(session, ctx, set(application_ids))
    return {application_id: derive_status(f) for application_id, f in facts.items()}


# --- inviting -------------------------------------------------------------------------------------


def _check_send_at(send_at: datetime | None, now: datetime) -> datetime:
    if send_at is None:
        return now
    if send_at < now - PAST_SLACK:
        raise Invalid("The send time is in the past.", extra={"field": "send_at"})
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise Invalid("The send time is more than 90 days ahead.", extra={"field": "send_at"})
    return max(send_at, now)


def _check_sms(wanted: bool, settings: Settings) -> None:
    if wanted and not sms.sms_enabled(settings):
        raise sms.SmsDisabled(
            "Text messages are not configured on this installation: send the invitation by "
            "email only.",
            extra={"field": "sms"},
        )


async def invite(
    session: AsyncSession,
    ctx: Ctx,
    body: InviteIn,
    *,
    idempotency_key: str | None,
    origin: Origin,
    settings: Settings,
) -> tuple[int, dict[str, Any], bool]:
    """Record one invitation per application and enqueue the jobs that prepare them at the send
    time: (status, response body, replayed). All or nothing for unknown ids and unapproved kits;
    candidates who cannot be invited are reported as skipped."""
    ctx.require(P.INVITATIONS_SEND, P.SESSIONS_CREATE)
    if idempotency_key is None:
        raise interviews.IdempotencyKeyRequired(
            "Send an Idempotency-Key header (a new UUID per batch) so a retried request cannot "
            "invite the candidates twice."
        )
    now = clock.now()
    send_at = _check_send_at(body.send_at, now)
    _check_sms(body.sms, settings)
    fingerprint = {**body.model_dump(mode="json"), "organization_id": str(ctx.organization.id)}
    claim = await idempotency.begin(
        session,
        ctx,
        scope=CREATE_SCOPE,
        key=idempotency_key,
        request_hash=idempotency.request_hash(fingerprint),
        settings=settings,
    )
    if isinstance(claim, idempotency.Replay):
        return claim.status, claim.body, True

    found = {
        i.application_id: i for i in await repository.invitees(session, ctx, body.application_ids)
    }
    unknown = [str(a) for a in body.application_ids if a not in found]
    if unknown:
        raise Invalid(
            f"{len(unknown)} of the application ids are not applications you can read in this "
            "organization. Nothing was sent.",
            extra={"field": "application_ids", "unknown_application_ids": unknown},
        )
    job_ids = {i.job_id for i in found.values()}
    unapproved = await repository.jobs_with_unapproved_kits(session, ctx.organization.id, job_ids)
    if unapproved:
        raise KitNotApproved(
            "The interview kit of a job is not approved, so invitations for it cannot go out. "
            "Ask a hiring manager to approve the kit. Nothing was sent.",
            extra={"job_ids": sorted(str(j) for j in unapproved)},
        )
    open_ones = await repository.applications_with_open_invitations(
        session, ctx.organization.id, found
    )
    batch_id = uuid.uuid4()
    user_id = ctx.user.id if ctx.user is not None else None
    rows: list[dict[str, Any]] = []
    skipped: list[SkippedApplication] = []
    suppressed = await notifications.suppressed_addresses(
        session,
        ctx.organization.id,
        {i.email for i in found.values() if i.email},
    )
    for application_id in body.application_ids:
        invitee = found[application_id]
        address = invitee.email
        reason = None
        if not address:
            reason = SKIP_NO_EMAIL
        elif application_id in open_ones:
            reason = SKIP_OPEN
        elif address.lower() in suppressed:
            reason = SKIP_UNSUBSCRIBED
        if reason is not None:
            skipped.append(SkippedApplication(application_id=application_id, reason=reason))
            continue
        rows.append(
            {
                "id": uuid.uuid4(),
                "organization_id": ctx.organization.id,
                "batch_id": batch_id,
                "job_id": invitee.job_id,
                "application_id": application_id,
                "created_by_user_id": user_id,
                "to_address": address,
                "candidate_name": invitee.full_name[:200],
                "state": "scheduled",
                "send_at": send_at,
                "link_valid_days": body.link_valid_days,
                "message": body.message,
                "sms": body.sms,
                "created_at": now,
                "updated_at": now,
            }
        )
    await repository.insert_invitations(session, rows)
    await enqueue_prepare(session, [r["id"] for r in rows], send_at)
    await audit.record_by(
        session,
        ctx,
        "interview_invitation.batch_created",
        origin=origin,
        target_type="invitation_batch",
        target_id=batch_id,
        data={
            "accepted": len(rows),
            "skipped": len(skipped),
            "send_at": send_at.isoformat(),
            "job_ids": sorted(str(j) for j in job_ids),
        },
    )
    response = BatchAccepted(
        batch_id=batch_id,
        accepted=len(rows),
        invitations=[
            AcceptedInvitation(id=r["id"], application_id=r["application_id"], status="scheduled")
            for r in rows
        ],
        skipped=skipped,
    ).model_dump(mode="json")
    await idempotency.save(
        session, claim, status=202, body=response, resource_id=batch_id, settings=settings
    )
    return 202, response, False


async def enqueue_prepare(
    session: AsyncSession, invitation_ids: list[uuid.UUID], send_at: datetime | None
) -> None:
    """The jobs that prepare these invitations, `PREPARE_CHUNK` per job, at `send_at` (a time
    already reached, or None, runs at once)."""
    from hireflow.invitations.tasks import prepare

    for start in range(0, len(invitation_ids), PREPARE_CHUNK):
        chunk = invitation_ids[start : start + PREPARE_CHUNK]
        await enqueue(session, prepare, schedule_at=send_at, invitation_ids=[str(i) for i in chunk])


async def invite_to_session(
    session: AsyncSession,
    ctx: Ctx,
    interview_id: uuid.UUID,
    body: SessionInviteIn,
    *,
    origin: Origin,
    settings: Settings,
) -> InvitationRead:
    """Email an existing session's link. The email issues its own link (decision 0007): the
    link shown before stops working when the email is prepared."""
    ctx.require(P.INVITATIONS_SEND, P.SESSIONS_CREATE)
    interview = await readable_session(session, ctx, interview_id)
    if interview is None:
        raise NotFound("No interview session has this id.")
    if interview.status != "NOT_STARTED":
        raise interviews.SessionClosed(
            "Only an interview that has not started can be emailed.",
            extra={"session_status": interview.status},
        )
    to = body.to or interview.candidate_email
    if not to:
        raise Invalid(
            "This session has no candidate email: give the address to send to.",
            extra={"field": "to"},
        )
    address = notifications.check_address(to)
    if await notifications.is_suppressed(session, ctx.organization.id, address):
        raise Unsubscribed(
            "This address unsubscribed from this organization's email.", extra={"field": "to"}
        )
    now = clock.now()
    invitation = InterviewInvitation(
        id=uuid.uuid4(),
        organization_id=ctx.organization.id,
        batch_id=uuid.uuid4(),
        job_id=interview.job_id,
        application_id=interview.application_id,
        session_id=interview.id,
        created_by_user_id=ctx.user.id if ctx.user is not None else None,
        to_address=address,
        candidate_name=interview.candidate_name,
        state="scheduled",
        send_at=now,
        link_valid_days=body.link_valid_days,
        message=body.message,
        sms=False,
    )
    session.add(invitation)
    await session.flush()
    await enqueue_prepare(session, [invitation.id], None)
    await audit.record_by(
        session,
        ctx,
        "interview_invitation.created",
        origin=origin,
        target_type="interview_invitation",
        target_id=invitation.id,
        data={"session_id": str(interview.id)},
    )
    return invitation_read(invitation, StatusFacts(state="scheduled"))


async def cancel_invitation(
    session: AsyncSession, ctx: Ctx, invitation_id: uuid.UUID, *, origin: Origin
) -> InvitationRead:
    ctx.require(P.INVITATIONS_SEND)
    invitation = await repository.lock_readable_invitation(session, ctx, invitation_id)
    if invitation is None:
        raise NotFound("No invitation has this id.")
    if invitation.state != "scheduled":
        raise Conflict(
            "Only a scheduled invitation can be cancelled; this one was already "
            f"{invitation.state}. To stop a sent one, cancel its AI interview.",
            extra={"state": invitation.state},
        )
    invitation.state = "cancelled"
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "interview_invitation.cancelled",
        origin=origin,
        target_type="interview_invitation",
        target_id=invitation.id,
    )
    return await get_invitation(session, ctx, invitation.id)


# --- preparing (the job) --------------------------------------------------------------------------


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def prepare_invitations(
    session: AsyncSession, invitation_ids: Iterable[uuid.UUID], settings: Settings
) -> int:
    """Prepare the invitations still scheduled among `invitation_ids` (idempotent: the others
    are left alone). One that cannot be sent is `skipped` with the reason; the rest go on.
    Returns how many were prepared."""
    prepared = 0
    for invitation in await repository.lock_scheduled(session, list(invitation_ids)):
        reason: str | None = None
        try:
            async with session.begin_nested():
                await _prepare_one(session, invitation, settings)
        except _Skip as exc:
            reason = exc.reason
        except AppError as exc:
            reason = f"{exc.code}: {exc.detail}"
        if reason is not None:
            await session.refresh(invitation)
            invitation.state = "skipped"
            invitation.failure_reason = reason[:MAX_REASON]
            await session.flush()
            log.info("invitation skipped", invitation_id=str(invitation.id), reason=reason[:80])
        else:
            prepared += 1
    return prepared


async def _sender(session: AsyncSession, invitation: InterviewInvitation) -> MemberCtx:
    ctx = (
        await member_ctx(session, invitation.organization_id, invitation.created_by_user_id)
        if invitation.created_by_user_id is not None
        else None
    )
    if ctx is None:
        raise _Skip("The member who sent it is no longer in the organization.")
    if not (ctx.can(P.INVITATIONS_SEND) and ctx.can(P.SESSIONS_CREATE)):
        raise _Skip("The member who sent it may no longer send invitations.")
    return ctx


async def _prepare_one(
    session: AsyncSession, invitation: InterviewInvitation, settings: Settings
) -> None:
    ctx = await _sender(session, invitation)
    if invitation.session_id is None:
        if invitation.application_id is None or invitation.job_id is None:
            raise _Skip("The application was deleted.")
        job = await session.get(Job, invitation.job_id)
        if job is None:
            raise _Skip("The job was deleted.")
        interview, raw, _ = await interviews.configure_session(
            session,
            ctx,
            SessionCreate(
                target_role=job.title,
                application_id=invitation.application_id,
                candidate_email=invitation.to_address,
                link_valid_days=invitation.link_valid_days,
            ),
            None,
            origin=SYSTEM,
            settings=settings,
        )
    else:
        raw, _ = await interviews.reissue_link(
            session,
            ctx,
            invitation.session_id,
            days=invitation.link_valid_days,
            origin=SYSTEM,
            settings=settings,
        )
        found = await session.get(InterviewSession, invitation.session_id)
        assert found is not None  # reissue_link found it
        interview = found
    link = interviews.candidate_url(settings, raw)
    message = await notifications.send_templated(
        session,
        kind="interview_invitation",
        to=invitation.to_address,
        variables=_variables(invitation, interview, link, ctx),
        organization_id=invitation.organization_id,
        settings=settings,
    )
    if message is None:
        raise _Skip(UNSUBSCRIBED)
    invitation.session_id = interview.id
    invitation.link_sealed = seal_link(link, settings)
    invitation.outbox_message_id = message.id
    invitation.state = "prepared"
    await session.flush()
    if invitation.sms:
        await _text_link(session, invitation, interview, link, settings)


def _variables(
    invitation: InterviewInvitation,
    interview: InterviewSession,
    link: str,
    ctx: Ctx | None,
) -> dict[str, str | int]:
    # organization_name, brand_color and logo_url come from the organization's branding.
    return {
        "candidate_name": invitation.candidate_name or interview.candidate_name or "there",
        "role": interview.target_role,
        "link": link,
        "expires_at": interview.expires_at.strftime("%d %B %Y, %H:%M UTC"),
        "duration_minutes": interview.duration_minutes,
        "message": invitation.message or "",
        "sender_name": ctx.user.name if ctx is not None and ctx.user is not None else "",
    }


async def _text_link(
    session: AsyncSession,
    invitation: InterviewInvitation,
    interview: InterviewSession,
    link: str,
    settings: Settings,
) -> None:
    """Also text the link when SMS is on and the candidate has a usable phone number; a bad
    number does not stop the email."""
    if not sms.sms_enabled(settings) or interview.candidate_id is None:
        return
    candidate = await session.get(Candidate, interview.candidate_id)
    if candidate is None or not candidate.phone:
        return
    organization = await session.get(Organization, invitation.organization_id)
    try:
        number = sms.check_phone(candidate.phone)
        async with session.begin_nested():
            await sms.send_sms(
                session,
                to=number,
                body=(
                    f"{organization.name if organization else 'Hireflow'}: your AI interview "
                    f"for {interview.target_role}: {link}"
                ),
                kind="interview_invitation",
                organization_id=invitation.organization_id,
                settings=settings,
            )
    except AppError as exc:
        log.info("invitation not texted", invitation_id=str(invitation.id), reason=exc.code)


# --- reminders ------------------------------------------------------------------------------------


async def send_reminders(session: AsyncSession, settings: Settings, *, limit: int = 500) -> int:
    """One reminder per invitation whose link runs out within `invitation_reminder_hours`,
    not started, sent at least a day ago. Returns how many were handled."""
    await repository.clear_spent_links(session)
    now = clock.now()
    due = await repository.due_reminders(
        session,
        now=now,
        expiring_before=now + timedelta(hours=settings.invitation_reminder_hours),
        sent_before=now - REMIND_AFTER_SENT,
        limit=limit,
    )
    for invitation, interview in due:
        link = unseal_link(invitation.link_sealed or b"", settings)
        invitation.reminded_at = now
        if link is None:
            log.warning("invitation link could not be unsealed", invitation_id=str(invitation.id))
            continue
        sender = (
            await member_ctx(session, invitation.organization_id, invitation.created_by_user_id)
            if invitation.created_by_user_id
            else None
        )
        variables = _variables(invitation, interview, link, sender)
        hours_left = max(1, int((interview.expires_at - now).total_seconds() // 3600))
        message = await notifications.send_templated(
            session,
            kind="interview_reminder",
            to=invitation.to_address,
            variables={**variables, "hours_left": hours_left},
            organization_id=invitation.organization_id,
            settings=settings,
        )
        invitation.reminder_message_id = message.id if message is not None else None
    await session.flush()
    return len(due)


# --- the completion receipt -----------------------------------------------------------------------


async def send_receipt(session: AsyncSession, interview: InterviewSession) -> None:
    """Tell the candidate their interview was received (when their address is known)."""
    if not interview.candidate_email:
        return
    try:
        async with session.begin_nested():
            await notifications.send_templated(
                session,
                kind="interview_completed",
                to=interview.candidate_email,
                variables={
                    "candidate_name": interview.candidate_name or "there",
                    "role": interview.target_role,
                },
                organization_id=interview.organization_id,
            )
    except AppError as exc:  # an address the outbox refuses: no receipt, the completion stands
        log.info("interview receipt not sent", session_id=str(interview.id), reason=exc.code)
