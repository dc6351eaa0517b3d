"""Which jobs, candidates and applications a caller may read: the one scoping function per
table that every ATS repository query goes through (`where(readable_jobs(ctx))`).

Members with `jobs:read` / `candidates:read` see the whole organization's; with only the
`…:read:assigned` variants (recruiters, interviewers) they see the jobs assigned to them, the
candidates and applications of those jobs, and the candidates they added themselves. Anything
else reads nothing; routes that list call `require_reader` first so the caller gets a 403
rather than an empty page.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.models import (
    Application,
    Candidate,
    CandidateEvent,
    InterviewSession,
    Job,
    JobAssignment,
)

P = Permission


def _assigned_job_ids(ctx: Ctx) -> Select[uuid.UUID]:
    assert ctx.user is not None
    return select(JobAssignment.job_id).where(
        JobAssignment.user_id == ctx.user.id,
        JobAssignment.organization_id == ctx.organization.id,
    )


def _reads_assigned_only(ctx: Ctx, every: Permission, assigned: Permission) -> bool | None:
    """True: only assigned; False: everything; None: nothing."""
    if ctx.can(every):
        return False
    if ctx.can(assigned) and ctx.user is not None:
        return True
    return None


def require_reader(ctx: Ctx, every: Permission, assigned: Permission) -> None:
    if _reads_assigned_only(ctx, every, assigned) is None:
        ctx.require(every)


def readable_jobs(ctx: Ctx) -> ColumnElement[bool]:
    in_org = Job.organization_id == ctx.organization.id
    scope = _reads_assigned_only(ctx, P.JOBS_READ, P.JOBS_READ_ASSIGNED)
    if scope is None:
        return false()
    if scope:
        return and_(in_org, Job.id.in_(_assigned_job_ids(ctx)))
    return in_org


def readable_candidates(ctx: Ctx) -> ColumnElement[bool]:
    in_org = Candidate.organization_id == ctx.organization.id
    scope = _reads_assigned_only(ctx, P.CANDIDATES_READ, P.CANDIDATES_READ_ASSIGNED)
    if scope is None:
        return false()
    if scope:
        assert ctx.user is not None
        return and_(
            in_org,
            or_(
                exists().where(
                    Application.candidate_id == Candidate.id,
                    Application.job_id.in_(_assigned_job_ids(ctx)),
                ),
                # The candidates they added themselves (by hand or by import), before these
                # have an application to one of their jobs.
                exists().where(
                    CandidateEvent.candidate_id == Candidate.id,
                    CandidateEvent.type == "created",
                    CandidateEvent.actor_user_id == ctx.user.id,
                ),
            ),
        )
    return in_org


def readable_applications(ctx: Ctx) -> ColumnElement[bool]:
    """Applications of readable jobs, for callers who may read candidates."""
    in_org = Application.organization_id == ctx.organization.id
    candidates = _reads_assigned_only(ctx, P.CANDIDATES_READ, P.CANDIDATES_READ_ASSIGNED)
    jobs = _reads_assigned_only(ctx, P.JOBS_READ, P.JOBS_READ_ASSIGNED)
    if candidates is None or jobs is None:
        return false()
    if candidates or jobs:
        return and_(in_org, Application.job_id.in_(_assigned_job_ids(ctx)))
    return in_org


def require_job_reader(ctx: Ctx) -> None:
    require_reader(ctx, P.JOBS_READ, P.JOBS_READ_ASSIGNED)


def require_candidate_reader(ctx: Ctx) -> None:
    require_reader(ctx, P.CANDIDATES_READ, P.CANDIDATES_READ_ASSIGNED)


def readable_sessions(ctx: Ctx) -> ColumnElement[bool]:
    """AI interview sessions, for callers with `sessions:read`: the organization's, for those who
    read every job; otherwise the ones they created and those of their assigned jobs."""
    if not ctx.can(P.SESSIONS_READ):
        return false()
    in_org = InterviewSession.organization_id == ctx.organization.id
    scope = _reads_assigned_only(ctx, P.JOBS_READ, P.JOBS_READ_ASSIGNED)
    if scope is False:
        return in_org
    if ctx.user is None:
        return false()
    mine = InterviewSession.created_by_user_id == ctx.user.id
    if scope is None:
        return and_(in_org, mine)
    return and_(in_org, or_(mine, InterviewSession.job_id.in_(_assigned_job_ids(ctx))))
