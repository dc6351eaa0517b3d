"""Invitation rules ("when an application enters stage X, invite to an AI interview with the
job's kit") and the hooks that act on them and on completed interviews.

This module registers `@on_stage_entered` and `@on_session_completed`; it is imported by the
invitations API (the web process) and tasks (the worker), so both register them."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews.hooks import on_session_completed
from hireflow.applications.hooks import StageEntry, on_stage_entered
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.authz.records import require_job_reader
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.invitations import repository, service
from hireflow.invitations.schemas import RuleCreate, RuleUpdate
from hireflow.jobs.service import get_job
from hireflow.kit import clock
from hireflow.models import Candidate, InterviewInvitation, InterviewSession, InvitationRule, Job

log = structlog.get_logger(__name__)

P = Permission
KIT_NOT_APPROVED = "kit-not-approved"


class RuleExists(Conflict):
    code = "invitation-rule-exists"
    title = "This stage already has an invitation rule"


# --- managing rules -------------------------------------------------------------------------------


async def list_rules(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID | None
) -> list[InvitationRule]:
    require_job_reader(ctx)
    if job_id is not None:
        await get_job(session, ctx, job_id)
    return list(await repository.list_rules(session, ctx, job_id))


async def create_rule(
    session: AsyncSession, ctx: Ctx, body: RuleCreate, *, origin: Origin
) -> InvitationRule:
    ctx.require(P.JOBS_WRITE, P.INVITATIONS_SEND)
    stage = await repository.stage_of_job(session, ctx.organization.id, body.stage_id)
    if stage is None:
        raise Invalid("No stage has this id.", extra={"field": "stage_id"})
    try:
        job = await get_job(session, ctx, stage.job_id)
    except NotFound:
        raise Invalid("No stage has this id.", extra={"field": "stage_id"}) from None
    kit = await repository.kit_of_job(session, ctx.organization.id, job.id)
    if kit is None or kit.id != body.kit_id:
        raise Invalid(
            "The kit must be the interview kit of the stage's job.", extra={"field": "kit_id"}
        )
    if await repository.rule_of_stage(session, stage.id) is not None:
        raise RuleExists("This stage already has an invitation rule: change that one.")
    rule = InvitationRule(
        id=uuid.uuid4(),
        organization_id=ctx.organization.id,
        job_id=job.id,
        stage_id=stage.id,
        kit_id=kit.id,
        enabled=body.enabled,
        link_valid_days=body.link_valid_days,
        created_by_user_id=ctx.user.id if ctx.user is not None else None,
    )
    try:
        async with session.begin_nested():
            session.add(rule)
            await session.flush()
    except IntegrityError:  # a concurrent request made the stage's rule first
        raise RuleExists("This stage already has an invitation rule: change that one.") from None
    await audit.record_by(
        session,
        ctx,
        "invitation_rule.created",
        origin=origin,
        target_type="invitation_rule",
        target_id=rule.id,
        data={"job_id": str(job.id), "stage_id": str(stage.id), "enabled": rule.enabled},
    )
    return rule


async def _writable_rule(session: AsyncSession, ctx: Ctx, rule_id: uuid.UUID) -> InvitationRule:
    ctx.require(P.JOBS_WRITE, P.INVITATIONS_SEND)
    rule = await repository.readable_rule(session, ctx, rule_id, lock=True)
    if rule is None:
        raise NotFound("No invitation rule has this id.")
    return rule


async def get_rule(session: AsyncSession, ctx: Ctx, rule_id: uuid.UUID) -> InvitationRule:
    rule = await repository.readable_rule(session, ctx, rule_id)
    if rule is None:
        raise NotFound("No invitation rule has this id.")
    return rule


async def update_rule(
    session: AsyncSession, ctx: Ctx, rule_id: uuid.UUID, body: RuleUpdate, *, origin: Origin
) -> InvitationRule:
    rule = await _writable_rule(session, ctx, rule_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("enabled") is None:
        changes.pop("enabled", None)
    for name, value in changes.items():
        setattr(rule, name, value)
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "invitation_rule.updated",
        origin=origin,
        target_type="invitation_rule",
        target_id=rule.id,
        data=changes,
    )
    return rule


async def delete_rule(
    session: AsyncSession, ctx: Ctx, rule_id: uuid.UUID, *, origin: Origin
) -> None:
    rule = await _writable_rule(session, ctx, rule_id)
    await session.delete(rule)
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "invitation_rule.deleted",
        origin=origin,
        target_type="invitation_rule",
        target_id=rule_id,
        data={"job_id": str(rule.job_id), "stage_id": str(rule.stage_id)},
    )


# --- the hooks ------------------------------------------------------------------------------------


@on_stage_entered
async def invite_on_stage_entry(session: AsyncSession, entry: StageEntry) -> None:
    """An enabled rule for the entered stage invites the candidate (unless an invitation is
    already open for the application); the job prepares it at once."""
    rule = await repository.rule_of_stage(session, entry.stage.id)
    if rule is None or not rule.enabled:
        return
    application = entry.application
    open_ones = await repository.applications_with_open_invitations(
        session, application.organization_id, [application.id]
    )
    if application.id in open_ones:
        return
    candidate = await session.get(Candidate, application.candidate_id)
    if candidate is None or not candidate.email:
        log.info("rule did not invite: no email", application_id=str(application.id))
        return
    now = clock.now()
    invitation = InterviewInvitation(
        id=uuid.uuid4(),
        organization_id=application.organization_id,
        batch_id=uuid.uuid4(),
        job_id=application.job_id,
        application_id=application.id,
        rule_id=rule.id,
        created_by_user_id=rule.created_by_user_id,
        to_address=candidate.email,
        candidate_name=candidate.full_name[:200],
        state="scheduled",
        send_at=now,
        link_valid_days=rule.link_valid_days,
        sms=False,
    )
    kit = await repository.kit_of_job(session, application.organization_id, application.job_id)
    if kit is None or kit.id != rule.kit_id or kit.status != "approved":
        invitation.state = "skipped"
        invitation.failure_reason = KIT_NOT_APPROVED
        session.add(invitation)
        await session.flush()
        await _tell_rule_owner(session, rule, candidate)
        return
    session.add(invitation)
    await session.flush()
    await service.enqueue_prepare(session, [invitation.id], None)


async def _tell_rule_owner(
    session: AsyncSession, rule: InvitationRule, candidate: Candidate
) -> None:
    if rule.created_by_user_id is None:
        return
    from hireflow.inapp.service import notify

    job = await session.get(Job, rule.job_id)
    title = job.title if job is not None else "a job"
    await notify(
        session,
        user_id=rule.created_by_user_id,
        organization_id=rule.organization_id,
        kind="invitation_not_sent",
        title=f"AI interview invitation not sent to {candidate.full_name}",
        body=(
            f"The interview kit of {title} is not approved, so the invitation rule could not "
            "invite this candidate. Approve the kit, then invite them from the pipeline."
        ),
        link=f"/organizations/{rule.organization_id}/jobs/{rule.job_id}/invitation-rules",
    )


@on_session_completed
async def receipt_on_completion(
    session: AsyncSession, interview: InterviewSession, reason: str
) -> None:
    await service.send_receipt(session, interview)
