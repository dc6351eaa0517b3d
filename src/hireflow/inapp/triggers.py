"""What makes an in-app notification: an AI interview completed or scored (to the recruiter who
created it), a team invitation accepted (to the inviter). Imported by the web app (through
`inapp.api`) and by workers (`TASK_MODULES`), so the hooks run wherever the event happens."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews.hooks import on_session_completed, on_session_scored
from hireflow.inapp.service import notify
from hireflow.models import Candidate, InterviewSession, Invitation, Organization, User
from hireflow.organizations.repository import membership_of


async def _is_member(session: AsyncSession, user_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    return await membership_of(session, user_id, organization_id) is not None


async def _candidate_name(session: AsyncSession, interview: InterviewSession) -> str:
    if interview.candidate_name:
        return interview.candidate_name
    if interview.candidate_id is not None:
        name = await session.scalar(
            select(Candidate.full_name).where(Candidate.id == interview.candidate_id)
        )
        if name:
            return name
    return "A candidate"


def _session_path(interview: InterviewSession) -> str:
    return f"/organizations/{interview.organization_id}/interviews/{interview.id}"


async def _creator(session: AsyncSession, interview: InterviewSession) -> uuid.UUID | None:
    """The recruiter who created the session, while still a member of its organization (a
    person who left must not hear about its candidates)."""
    creator = interview.created_by_user_id
    if creator is None or not await _is_member(session, creator, interview.organization_id):
        return None
    return creator


@on_session_completed
async def interview_completed(
    session: AsyncSession, interview: InterviewSession, reason: str
) -> None:
    creator = await _creator(session, interview)
    if creator is None:
        return
    candidate = await _candidate_name(session, interview)
    how = {"time_up": " (the time ran out)"}.get(reason, "")
    await notify(
        session,
        user_id=creator,
        organization_id=interview.organization_id,
        kind="interview.completed",
        title=f"{candidate} completed the AI interview for {interview.target_role}",
        body=f"The interview ended{how}. Open it to read the answers.",
        link=_session_path(interview),
    )


@on_session_scored
async def interview_scored(session: AsyncSession, interview: InterviewSession) -> None:
    creator = await _creator(session, interview)
    if creator is None:
        return
    candidate = await _candidate_name(session, interview)
    await notify(
        session,
        user_id=creator,
        organization_id=interview.organization_id,
        kind="interview.scored",
        title=f"Scores are ready: {candidate}, {interview.target_role}",
        link=_session_path(interview),
    )


async def invitation_accepted(
    session: AsyncSession, invitation: Invitation, organization: Organization, member: User
) -> None:
    """Tell the inviter (still a member) that `member` joined through their invitation."""
    inviter = invitation.invited_by_user_id
    if inviter is None or inviter == member.id:
        return
    if not await _is_member(session, inviter, organization.id):
        return
    await notify(
        session,
        user_id=inviter,
        organization_id=organization.id,
        kind="invitation.accepted",
        title=f"{member.name} joined {organization.name}",
        body=f"{member.email} accepted your invitation.",
        link=f"/organizations/{organization.id}/team",
    )
