"""AI interview sessions (UC-R1): configuring a session and its link, the candidate's way
through it, scoring, and the recruiter's reads and corrections.

Every change goes through `append`, which writes the next event and folds it into the stored
projection (`events.apply`) on a row locked `FOR UPDATE`, so two tabs, a retry or a job never
interleave: one wins, the other sees the new state.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow import idempotency
from hireflow.ai import OFFLINE, model_for
from hireflow.ai.model import (
    CallContext,
    InterviewBrief,
    Model,
    ModelUnavailable,
    Question,
    QuestionScore,
)
from hireflow.ai.scoring import summarize_competencies
from hireflow.ai_interviews import events, hooks, repository
from hireflow.ai_interviews.events import Event
from hireflow.ai_interviews.schemas import (
    MAX_ANSWER_CHARS,
    MAX_JOB_DESCRIPTION_CHARS,
    CandidateQuestion,
    LinkRead,
    LinkStatus,
    NowView,
    Progress,
    SessionCreate,
    SessionCreated,
    SessionRead,
)
from hireflow.applications.service import readable_application
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.config import Settings, purpose_key
from hireflow.documents.inspect import inspect_upload
from hireflow.errors import AppError, Conflict, Invalid, NotFound
from hireflow.jobs.sanitize import description_text
from hireflow.jobs.service import get_job
from hireflow.kit import clock, cursors, signing, tokens
from hireflow.kits import service as kits
from hireflow.models import (
    Candidate,
    CodeRun,
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    InterviewSessionNote,
)
from hireflow.worker import enqueue

log = structlog.get_logger(__name__)

P = Permission
CREATE_SCOPE = "interview_session.create"
LINK_PATH = "/interview/join?token="
ACCESS_MAX_AGE_SECONDS = 60 * 60 * 24 * 45
# A candidate who is mid-answer when time runs out still gets that answer in.
DEADLINE_GRACE = timedelta(seconds=30)
# The model name recorded when the questions are a job's approved interview kit.
KIT_MODEL = "interview-kit"
# A coding answer to a library challenge: the score is this share of the tests' pass
# percentage plus the rest of the rubric score (docs/kits.md).
TESTS_WEIGHT = 0.6
# What one session holds (the session's columns); a kit may hold more.
MAX_KIT_QUESTIONS = 20
MAX_KIT_MINUTES = 240


class LinkInvalid(AppError):
    status = 404
    code = "link-invalid"
    title = "This interview link is not valid"


class LinkGone(AppError):
    status = 410
    code = "link-gone"
    title = "This interview link no longer works"


class AccessRequired(AppError):
    status = 401
    code = "interview-access-required"
    title = "Open your interview link first"


class SessionClosed(Conflict):
    code = "session-closed"
    title = "The interview is not open for this"


class QuestionNotCurrent(Conflict):
    code = "question-not-current"
    title = "This question is not the current one"


class IdempotencyKeyRequired(AppError):
    status = 428
    code = "idempotency-key-required"
    title = "An Idempotency-Key header is required"


@dataclass(frozen=True)
class JobDescriptionFile:
    filename: str | None
    data: bytes


# --- appending events ---------------------------------------------------------------------------


async def append(
    session: AsyncSession,
    interview: InterviewSession,
    type_: str,
    payload: dict[str, Any] | None = None,
    *,
    actor_type: str,
    actor_user_id: uuid.UUID | None = None,
) -> InterviewEvent:
    """Write the next event of `interview` (locked by the caller, or new) and fold it in."""
    payload = payload or {}
    at = clock.now()
    status, state = events.apply(interview.status, interview.state, Event(type_, payload, at))
    event = InterviewEvent(
        organization_id=interview.organization_id,
        session_id=interview.id,
        seq=interview.last_seq + 1,
        type=type_,
        payload=payload,
        actor_type=actor_type,
        actor_user_id=actor_user_id,
        created_at=at,
    )
    interview.status, interview.state, interview.last_seq = status, state, event.seq
    session.add(event)
    await session.flush()
    return event


# --- configuring a session (UC-R1 main scenario) -------------------------------------------------


async def create_session(
    session: AsyncSession,
    ctx: Ctx,
    body: SessionCreate,
    jd_file: JobDescriptionFile | None,
    *,
    idempotency_key: str | None,
    origin: Origin,
    settings: Settings,
) -> tuple[int, dict[str, Any], bool]:
    """UC-R1 with A3: (status, response body, replayed). The response of the first request
    with a key is stored with the session it created; a retry gets it back unchanged."""
    ctx.require(P.SESSIONS_CREATE)
    if idempotency_key is None:
        raise IdempotencyKeyRequired(
            "Send an Idempotency-Key header (a new UUID per session you mean to create) so a "
            "retried request cannot create a second session."
        )
    # The organization is part of the request: the same key sent to another organization is
    # another request (422), never a replay of this one's response.
    fingerprint = {**body.model_dump(mode="json"), "organization_id": str(ctx.organization.id)}
    if jd_file is not None:
        fingerprint["job_description_file"] = tokens.hash_token(
            base64.b64encode(jd_file.data).decode()
        )
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
    interview, raw_token, invite = await configure_session(
        session, ctx, body, jd_file, origin=origin, settings=settings
    )
    response = SessionCreated(
        session=session_read(interview, invite),
        candidate_url=candidate_url(settings, raw_token),
        link_expires_at=invite.expires_at,
    ).model_dump(mode="json")
    await idempotency.save(
        session, claim, status=201, body=response, resource_id=interview.id, settings=settings
    )
    return 201, response, False


async def configure_session(
    session: AsyncSession,
    ctx: Ctx,
    body: SessionCreate,
    jd_file: JobDescriptionFile | None,
    *,
    origin: Origin,
    settings: Settings,
) -> tuple[InterviewSession, str, InterviewInvite]:
    """Validate, create the session (`NOT_STARTED`) with its events, and its first link."""
    ctx.require(P.SESSIONS_CREATE)
    job_id = body.job_id
    candidate: Candidate | None = None
    if body.application_id is not None:
        application = await readable_application(session, ctx, body.application_id)
        if job_id is not None and job_id != application.job_id:
            raise Invalid(
                "The application is for another job than `job_id`.", extra={"field": "job_id"}
            )
        job_id = application.job_id
        candidate = await session.get(Candidate, application.candidate_id)
    job = await get_job(session, ctx, job_id) if job_id is not None else None
    # A job with an interview kit: 409 unless it is approved; then the kit sets the questions
    # (pinned versions), their count, the follow-ups and the time (docs/kits.md).
    plan = await kits.interview_plan(session, ctx.organization.id, job.id) if job else None
    _check_plan_fits(plan)

    job_description, filename = await _job_description(body, jd_file, settings)
    if not job_description and job is not None:
        job_description = description_text(job.description_html)[:MAX_JOB_DESCRIPTION_CHARS]
    given = body.skills or (job.skills if job is not None else [])
    skills = _unique_ignoring_case(given)
    days = body.link_valid_days or settings.interview_link_days
    interview = InterviewSession(
        id=uuid.uuid4(),
        organization_id=ctx.organization.id,
        created_by_user_id=ctx.user.id if ctx.user is not None else None,
        job_id=job.id if job is not None else None,
        application_id=body.application_id,
        candidate_id=candidate.id if candidate is not None else None,
        candidate_name=body.candidate_name or (candidate.full_name if candidate else None),
        candidate_email=body.candidate_email or (candidate.email if candidate else None),
        target_role=body.target_role,
        job_description=job_description,
        job_description_filename=filename,
        skills=skills,
        stage=body.stage,
        confidence_baseline=body.confidence_baseline,
        session_goal=body.session_goal,
        duration_minutes=max(5, plan.minutes) if plan else body.duration_minutes,
        question_count=len(plan.version_ids) if plan else body.question_count,
        max_follow_ups=plan.follow_ups if plan else body.max_follow_ups,
        coding_language=plan.coding_language if plan else body.coding_language,
        seed=secrets.randbits(62),
        expires_at=clock.now() + timedelta(days=days),
        status="NOT_STARTED",
        last_seq=0,
        state=events.initial_state(),
    )
    session.add(interview)
    await session.flush()
    if body.recruiter_notes:
        session.add(
            InterviewSessionNote(
                session_id=interview.id,
                organization_id=interview.organization_id,
                body=body.recruiter_notes,
            )
        )
    await append(
        session,
        interview,
        events.SESSION_CREATED,
        {
            "target_role": interview.target_role,
            "job_id": _str(interview.job_id),
            "application_id": _str(interview.application_id),
            "candidate_id": _str(interview.candidate_id),
        },
        actor_type="recruiter",
        actor_user_id=interview.created_by_user_id,
    )
    await append(
        session,
        interview,
        events.SESSION_CONFIGURED,
        {
            "job_description_chars": len(interview.job_description),
            "job_description_filename": filename,
            "skills": skills,
            "stage": interview.stage,
            "confidence_baseline": interview.confidence_baseline,
            "session_goal": interview.session_goal,
            "duration_minutes": interview.duration_minutes,
            "question_count": interview.question_count,
            "max_follow_ups": interview.max_follow_ups,
            "coding_language": interview.coding_language,
            "has_recruiter_notes": bool(body.recruiter_notes),
            **(
                {
                    "kit": {
                        "kit_id": str(plan.kit_id),
                        "version_ids": [str(v) for v in plan.version_ids],
                    }
                }
                if plan
                else {}
            ),
        },
        actor_type="recruiter",
        actor_user_id=interview.created_by_user_id,
    )
    raw, invite = await _issue_link(session, interview, days=days, user_id=_user_id(ctx))
    await audit.record_by(
        session,
        ctx,
        "interview_session.created",
        origin=origin,
        target_type="interview_session",
        target_id=interview.id,
        data={"target_role": interview.target_role, "job_id": _str(interview.job_id)},
    )
    return interview, raw, invite


async def _job_description(
    body: SessionCreate, jd_file: JobDescriptionFile | None, settings: Settings
) -> tuple[str, str | None]:
    """UC-R1 A2: text or a PDF/DOCX/TXT file, within the limits, never both."""
    if jd_file is None:
        return body.job_description, None
    if body.job_description:
        raise Invalid(
            "Send the job description as text or as a file, not both.",
            extra={"field": "job_description_file"},
        )
    inspected = await inspect_upload(
        jd_file.filename, jd_file.data, max_bytes=settings.max_document_bytes
    )
    text = inspected.text.strip()
    if not text:
        raise Invalid(
            "No text could be read from the job description file (a scanned PDF?). "
            "Paste the text instead.",
            extra={"field": "job_description_file"},
        )
    if len(text) > MAX_JOB_DESCRIPTION_CHARS:
        raise Invalid(
            f"The job description has {len(text):,} characters; the limit is "
            f"{MAX_JOB_DESCRIPTION_CHARS:,}. Shorten it or paste the essential part.",
            extra={"field": "job_description_file"},
        )
    return text, inspected.filename


def _check_plan_fits(plan: kits.InterviewPlan | None) -> None:
    """A session holds 1–20 questions and 5–240 minutes; a kit may hold more."""
    if plan is None:
        return
    if len(plan.version_ids) > MAX_KIT_QUESTIONS or plan.minutes > MAX_KIT_MINUTES:
        raise Conflict(
            f"This job's interview kit has {len(plan.version_ids)} items and "
            f"{plan.minutes} minutes; one AI interview holds at most {MAX_KIT_QUESTIONS} "
            f"questions and {MAX_KIT_MINUTES} minutes. Make the kit smaller.",
            extra={"kit_id": str(plan.kit_id)},
        )


def _unique_ignoring_case(values: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            unique.append(value)
    return unique


def _user_id(ctx: Ctx) -> uuid.UUID | None:
    return ctx.user.id if ctx.user is not None else None


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


# --- links ---------------------------------------------------------------------------------------


def candidate_url(settings: Settings, raw_token: str) -> str:
    return f"{settings.base_url.rstrip('/')}{LINK_PATH}{raw_token}"


async def _issue_link(
    session: AsyncSession, interview: InterviewSession, *, days: int, user_id: uuid.UUID | None
) -> tuple[str, InterviewInvite]:
    raw = tokens.new_token()  # 256 bits from the CSPRNG, never time-ordered
    invite = InterviewInvite(
        organization_id=interview.organization_id,
        session_id=interview.id,
        token_hash=tokens.hash_token(raw),
        created_by_user_id=user_id,
        expires_at=clock.now() + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    interview.expires_at = invite.expires_at
    await append(
        session,
        interview,
        events.INVITE_ISSUED,
        {"invite_id": str(invite.id), "expires_at": invite.expires_at.isoformat()},
        actor_type="recruiter",
        actor_user_id=user_id,
    )
    return raw, invite


async def reissue_link(
    session: AsyncSession,
    ctx: Ctx,
    session_id: uuid.UUID,
    *,
    days: int | None,
    origin: Origin,
    settings: Settings,
) -> tuple[str, InterviewInvite]:
    """A new link for a session not started yet; the old one stops working at once. This is
    also how a recruiter gets a link again: the raw token is never stored."""
    interview = await _writable(session, ctx, session_id)
    if interview.status != "NOT_STARTED":
        raise SessionClosed(
            f"The interview is {_status_words(interview.status)}: a new link would not help.",
            extra={"session_status": interview.status},
        )
    await _revoke(session, interview, ctx, reason="reissued")
    raw, invite = await _issue_link(
        session,
        interview,
        days=days or settings.interview_link_days,
        user_id=_user_id(ctx),
    )
    await audit.record_by(
        session,
        ctx,
        "interview_session.link_reissued",
        origin=origin,
        target_type="interview_session",
        target_id=interview.id,
    )
    return raw, invite


async def revoke_link(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID, *, origin: Origin
) -> InterviewSession:
    interview = await _writable(session, ctx, session_id)
    if not await _revoke(session, interview, ctx, reason="revoked"):
        raise Conflict("This session has no working link to revoke.")
    await audit.record_by(
        session,
        ctx,
        "interview_session.link_revoked",
        origin=origin,
        target_type="interview_session",
        target_id=interview.id,
    )
    return interview


async def _revoke(
    session: AsyncSession, interview: InterviewSession, ctx: Ctx, *, reason: str
) -> bool:
    revoked = await repository.revoke_invites(session, interview.id, clock.now())
    for invite_id in revoked:
        await append(
            session,
            interview,
            events.INVITE_REVOKED,
            {"invite_id": str(invite_id), "reason": reason},
            actor_type="recruiter",
            actor_user_id=_user_id(ctx),
        )
    return bool(revoked)


async def cancel_session(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID, reason: str, *, origin: Origin
) -> InterviewSession:
    interview = await _writable(session, ctx, session_id)
    if interview.status not in events.OPEN_STATUSES:
        raise SessionClosed(
            f"The interview is already {_status_words(interview.status)}.",
            extra={"session_status": interview.status},
        )
    await repository.revoke_invites(session, interview.id, clock.now())
    await append(
        session,
        interview,
        events.SESSION_CANCELLED,
        {"reason": reason},
        actor_type="recruiter",
        actor_user_id=_user_id(ctx),
    )
    await audit.record_by(
        session,
        ctx,
        "interview_session.cancelled",
        origin=origin,
        target_type="interview_session",
        target_id=interview.id,
        data={"reason": reason} if reason else None,
    )
    return interview


async def _writable(session: AsyncSession, ctx: Ctx, session_id: uuid.UUID) -> InterviewSession:
    ctx.require(P.SESSIONS_CREATE)
    interview = await repository.readable_session(session, ctx, session_id, lock=True)
    if interview is None:
        raise NotFound("No interview session has this id.")
    await _catch_up(session, interview)
    return interview


def _status_words(status: str) -> str:
    return {
        "NOT_STARTED": "not started",
        "IN_PROGRESS": "in progress",
        "COMPLETED": "completed",
        "EXPIRED": "expired",
        "CANCELLED": "cancelled",
    }[status]


# --- time: expiry and time limits ---------------------------------------------------------------


def _deadline(interview: InterviewSession) -> datetime | None:
    raw = interview.state.get("deadline")
    return datetime.fromisoformat(raw) if raw else None


def _overdue(interview: InterviewSession, now: datetime) -> bool:
    if interview.status == "NOT_STARTED":
        return interview.expires_at <= now
    deadline = _deadline(interview)
    return (
        interview.status == "IN_PROGRESS"
        and deadline is not None
        and deadline + DEADLINE_GRACE <= now
    )


async def _catch_up(session: AsyncSession, interview: InterviewSession) -> None:
    """Apply what time has done to a locked session: the link ran out before the start, or
    the time limit ran out during the interview (then it completes with what was answered)."""
    now = clock.now()
    if not _overdue(interview, now):
        return
    if interview.status == "NOT_STARTED":
        await repository.revoke_invites(session, interview.id, now)
        await append(session, interview, events.SESSION_EXPIRED, actor_type="system")
    else:
        await _complete(session, interview, "time_up", actor_type="system")


async def expire_overdue(session: AsyncSession, *, limit: int = 500) -> int:
    """The periodic sweep behind `_catch_up`, for sessions nobody opens any more."""
    count = 0
    for session_id in await repository.overdue_session_ids(session, clock.now(), limit):
        interview = await repository.session_by_id(session, session_id, lock=True)
        if interview is not None and _overdue(interview, clock.now()):
            await _catch_up(session, interview)
            count += 1
    return count


async def _complete(
    session: AsyncSession, interview: InterviewSession, reason: str, *, actor_type: str
) -> None:
    await append(
        session, interview, events.SESSION_COMPLETED, {"reason": reason}, actor_type=actor_type
    )
    await repository.revoke_invites(session, interview.id, clock.now())
    from hireflow.ai_interviews.tasks import score_session as score_task

    await enqueue(session, score_task, session_id=str(interview.id))
    await hooks.session_completed(session, interview, reason)


# --- the candidate's side ------------------------------------------------------------------------


def _access_key(settings: Settings) -> bytes:
    return purpose_key(settings, b"hireflow interview access v1")


def access_token_for(invite: InterviewInvite, settings: Settings) -> str:
    return signing.sign({"s": str(invite.session_id), "i": str(invite.id)}, _access_key(settings))


async def open_link(
    session: AsyncSession, raw_token: str, settings: Settings
) -> tuple[str, InterviewSession]:
    """Exchange the link's token for the candidate's access to this interview."""
    invite = await repository.invite_by_hash(session, tokens.hash_token(raw_token))
    if invite is None:
        raise LinkInvalid(
            "This interview link is not valid. Check that it was copied whole, or ask the "
            "recruiter who sent it for a new one."
        )
    interview = await repository.session_by_id(session, invite.session_id, lock=True)
    assert interview is not None  # the invite's foreign key
    await record_opening(session, interview, invite)
    return access_token_for(invite, settings), interview


async def record_opening(
    session: AsyncSession, interview: InterviewSession, invite: InterviewInvite
) -> None:
    """The candidate opened `invite` (of the locked `interview`): refused when the link no
    longer works; the first opening is an event."""
    await _catch_up(session, interview)
    _check_link_works(interview, invite)
    if invite.opened_at is None:
        invite.opened_at = clock.now()
        await append(
            session,
            interview,
            events.LINK_OPENED,
            {"invite_id": str(invite.id)},
            actor_type="candidate",
        )


def _check_link_works(interview: InterviewSession, invite: InterviewInvite) -> None:
    if interview.status == "CANCELLED":
        raise LinkGone("This interview was cancelled by the organization.", keep_changes=True)
    if interview.status == "EXPIRED":
        raise LinkGone(
            "This interview link has expired. Ask the recruiter for a new invitation.",
            keep_changes=True,  # the expiry just recorded stays
        )
    if invite.revoked_at is not None and interview.status in events.OPEN_STATUSES:
        raise LinkGone(
            "This link was replaced or withdrawn. Use the newest link you were sent, or ask "
            "the recruiter for one.",
            keep_changes=True,
        )


async def candidate_session(
    session: AsyncSession, access_token: str | None, settings: Settings
) -> InterviewSession:
    """The interview an access token opens, brought up to date with the clock."""
    data = (
        signing.unsign(access_token, _access_key(settings), max_age_seconds=ACCESS_MAX_AGE_SECONDS)
        if access_token
        else None
    )
    if data is None:
        raise AccessRequired("Open the interview link you were sent to continue.")
    try:
        session_id, invite_id = uuid.UUID(str(data["s"])), uuid.UUID(str(data["i"]))
    except (KeyError, ValueError):
        raise AccessRequired("Open the interview link you were sent to continue.") from None
    invite = await session.get(InterviewInvite, invite_id)
    interview = await repository.session_by_id(session, session_id, lock=True)
    if invite is None or interview is None or invite.session_id != interview.id:
        raise AccessRequired("Open the interview link you were sent to continue.")
    await _catch_up(session, interview)
    if invite.revoked_at is not None and interview.status in events.OPEN_STATUSES:
        raise LinkGone("This link was replaced or withdrawn. Use the newest link you were sent.")
    if interview.status in ("CANCELLED", "EXPIRED"):
        _check_link_works(interview, invite)
    return interview


async def give_consent(
    session: AsyncSession, interview: InterviewSession, *, ai_evaluation: bool
) -> InterviewSession:
    if interview.status != "NOT_STARTED":
        raise SessionClosed("Consent is given before the interview starts.")
    current = interview.state.get("consent")
    if current is None or current["ai_evaluation"] != ai_evaluation:
        await append(
            session,
            interview,
            events.CONSENT_GIVEN,
            {"ai_evaluation": ai_evaluation},
            actor_type="candidate",
        )
    return interview


def brief_of(interview: InterviewSession) -> InterviewBrief:
    """What questions are generated from: never the recruiter's notes. (A job's approved kit
    replaces generation altogether: `kit_questions_of`.)"""
    return InterviewBrief(
        target_role=interview.target_role,
        job_description=interview.job_description,
        skills=tuple(interview.skills),
        stage=interview.stage,
        session_goal=interview.session_goal,
        confidence_baseline=interview.confidence_baseline,
        question_count=interview.question_count,
        coding_language=interview.coding_language,  # type: ignore[arg-type]
        seed=interview.seed,
    )


async def _configured_kit(
    session: AsyncSession, interview: InterviewSession
) -> dict[str, Any] | None:
    """The kit pinned when the session was configured (its SESSION_CONFIGURED event)."""
    for event in await repository.events(session, interview.id, limit=5):
        if event.type == events.SESSION_CONFIGURED:
            kit = event.payload.get("kit")
            return kit if isinstance(kit, dict) else None
    return None


async def kit_questions_of(
    session: AsyncSession, interview: InterviewSession
) -> list[tuple[Question, uuid.UUID]]:
    """The questions of the kit pinned at configuration, with their library versions: only
    the approved versions the kit was approved with, never a newer draft."""
    kit = await _configured_kit(session, interview)
    if kit is None:
        return []
    version_ids = [uuid.UUID(v) for v in kit["version_ids"]]
    pairs = await kits.kit_questions(session, interview.organization_id, version_ids)
    return [(question, version.id) for question, version in pairs]


async def start(
    session: AsyncSession, interview: InterviewSession, settings: Settings
) -> InterviewSession:
    """Generate the questions (UC-R1's preferred timing: at the candidate's start) and start the
    clock. Starting a started interview is a no-op, so two tabs or a retry are harmless."""
    if interview.status == "IN_PROGRESS":
        return interview
    if interview.status != "NOT_STARTED":
        raise SessionClosed(f"The interview is {_status_words(interview.status)}.")
    if interview.state.get("consent") is None:
        raise Invalid(
            "Choose how your answers are evaluated before you start.", extra={"field": "consent"}
        )
    from_kit = await kit_questions_of(session, interview)
    if from_kit:
        questions, model_name, fallback = [q for q, _ in from_kit], KIT_MODEL, None
    else:
        questions, model_name, fallback = await _generate(session, interview, settings)
    now = clock.now()
    await append(
        session,
        interview,
        events.SESSION_STARTED,
        {"deadline": (now + timedelta(minutes=interview.duration_minutes)).isoformat()},
        actor_type="candidate",
    )
    payload: dict[str, Any] = {
        "model": model_name,
        "questions": [q.model_dump(mode="json") for q in questions],
    }
    if fallback:
        payload["fallback_reason"] = fallback
    if from_kit:
        payload["kit_versions"] = {q.id: str(version_id) for q, version_id in from_kit}
    await append(session, interview, events.QUESTIONS_GENERATED, payload, actor_type="ai")
    return interview


async def _generate(
    session: AsyncSession, interview: InterviewSession, settings: Settings
) -> tuple[list[Question], str, str | None]:
    brief = brief_of(interview)
    call = CallContext(organization_id=interview.organization_id)
    model = model_for(session, settings)
    try:
        return await model.generate_questions(brief, call), model.name, None
    except ModelUnavailable as exc:
        log.warning("ai model unavailable, questions generated offline", error=str(exc))
        return await OFFLINE.generate_questions(brief, call), OFFLINE.name, str(exc)


def _question(interview: InterviewSession, question_id: str) -> dict[str, Any] | None:
    return next((q for q in interview.state["questions"] if q["id"] == question_id), None)


def _current(interview: InterviewSession) -> dict[str, Any] | None:
    index = interview.state.get("current")
    return None if index is None else interview.state["questions"][index]


async def answer(
    session: AsyncSession,
    interview: InterviewSession,
    question_id: str,
    text: str,
    settings: Settings,
) -> InterviewSession:
    """Record the answer to the current question; maybe add a follow-up (bounded by the
    session's `max_follow_ups`); complete the interview after the last question. An answer to
    a question that is no longer current (another tab answered it) is a 409."""
    if interview.status != "IN_PROGRESS":
        raise SessionClosed(
            f"The interview is {_status_words(interview.status)}.",
            extra={"now": (await now_view(session, interview)).model_dump(mode="json")},
            keep_changes=True,
        )
    current = _current(interview)
    if current is None or current["id"] != question_id:
        raise QuestionNotCurrent(
            "This question was already answered (perhaps in another tab). "
            "Here is where the interview is now.",
            extra={"now": (await now_view(session, interview)).model_dump(mode="json")},
            keep_changes=True,
        )
    limit = MAX_ANSWER_CHARS if current["kind"] != "coding" else None
    if limit is not None and len(text) > limit:
        raise Invalid(
            f"Answers are limited to {limit:,} characters; this one has {len(text):,}.",
            extra={"field": "answer"},
        )
    text = text.replace("\r\n", "\n")
    asked_at = _asked_at(interview, current)
    seconds = int((clock.now() - asked_at).total_seconds()) if asked_at else None
    await append(
        session,
        interview,
        events.ANSWER_SUBMITTED,
        {"question_id": question_id, "answer": text, "seconds": seconds},
        actor_type="candidate",
    )
    if (
        interview.state["follow_ups"] < interview.max_follow_ups
        and current.get("follow_up_of") is None
        and current["kind"] != "coding"
    ):
        follow_up = await _follow_up(session, interview, current, text, settings)
        if follow_up is not None:
            await append(
                session,
                interview,
                events.FOLLOW_UP_ADDED,
                {"question": follow_up.model_dump(mode="json")},
                actor_type="ai",
            )
    if interview.state["current"] is None:
        await _complete(session, interview, "answered_all", actor_type="candidate")
    return interview


def _asked_at(interview: InterviewSession, question: dict[str, Any]) -> datetime | None:
    """When the question became current: the latest earlier answer, or the start."""
    moments = [datetime.fromisoformat(a["at"]) for a in interview.state["answers"].values()]
    started = interview.state.get("started_at")
    if started:
        moments.append(datetime.fromisoformat(started))
    return max(moments) if moments else None


async def _follow_up(
    session: AsyncSession,
    interview: InterviewSession,
    question: dict[str, Any],
    text: str,
    settings: Settings,
) -> Question | None:
    parent = Question.model_validate(question)
    call = CallContext(organization_id=interview.organization_id)
    model = model_for(session, settings)
    try:
        follow_up = await model.follow_up(brief_of(interview), parent, text, call)
    except ModelUnavailable as exc:
        log.warning("ai model unavailable, follow-up decided offline", error=str(exc))
        follow_up = await OFFLINE.follow_up(brief_of(interview), parent, text, call)
    if follow_up is None:
        return None
    # Ours to decide, not the model's: where it goes and what it is called.
    return follow_up.model_copy(update={"id": f"{parent.id}f1", "follow_up_of": parent.id})


async def finish(session: AsyncSession, interview: InterviewSession) -> InterviewSession:
    """The candidate ends the interview early; unanswered questions stay unanswered."""
    if interview.status != "IN_PROGRESS":
        raise SessionClosed(f"The interview is {_status_words(interview.status)}.")
    await _complete(session, interview, "candidate_finished", actor_type="candidate")
    return interview


def question_numbers(questions: list[dict[str, Any]]) -> dict[str, str]:
    """Main questions are numbered 1, 2, 3…; a follow-up takes its question's number + "a"."""
    numbers: dict[str, str] = {}
    count = 0
    for question in questions:
        parent = question.get("follow_up_of")
        if parent:
            numbers[question["id"]] = f"{numbers.get(parent, '?')}a"
        else:
            count += 1
            numbers[question["id"]] = str(count)
    return numbers


async def now_view(session: AsyncSession, interview: InterviewSession) -> NowView:
    """The candidate's projection: built field by field, never from the recruiter's fields."""
    state = interview.state
    questions = state["questions"]
    current = _current(interview)
    deadline = _deadline(interview)
    running = interview.status == "IN_PROGRESS"
    candidate_question = None
    if current is not None and running:
        candidate_question = CandidateQuestion(
            id=current["id"],
            number=question_numbers(questions)[current["id"]],
            kind=current["kind"],
            prompt=current["prompt"],
            language=current.get("language"),
            starter_code=current.get("starter_code"),
            suggested_minutes=current.get("suggested_minutes", 5),
            is_follow_up=bool(current.get("follow_up_of")),
        )
    consent = state.get("consent")
    return NowView(
        status=interview.status,
        organization_name=await repository.organization_name(session, interview.organization_id),
        target_role=interview.target_role,
        duration_minutes=interview.duration_minutes,
        planned_questions=interview.question_count,
        has_coding_question=interview.coding_language is not None,
        consent_given=consent is not None,
        ai_evaluation=None if consent is None else consent["ai_evaluation"],
        current_question=candidate_question,
        progress=Progress(
            answered=len(state["answers"]),
            total=len(questions) or interview.question_count,
        ),
        started_at=state.get("started_at"),
        deadline=deadline if running else None,
        seconds_left=(
            max(0, int((deadline - clock.now()).total_seconds()))
            if running and deadline is not None
            else None
        ),
        ended_reason=state.get("end_reason"),
        link_expires_at=interview.expires_at,
        seq=interview.last_seq,
    )


# --- scoring (a job, after completion) ---------------------------------------------------------


async def score_session(session: AsyncSession, session_id: uuid.UUID, settings: Settings) -> None:
    """Score every answer against its rubric. Idempotent: a scored session is left alone."""
    interview = await repository.session_by_id(session, session_id, lock=True)
    if interview is None or interview.status != "COMPLETED" or interview.state.get("scoring"):
        return
    consent = interview.state.get("consent") or {}
    if not consent.get("ai_evaluation", False):
        await append(
            session,
            interview,
            events.SCORING_SKIPPED,
            {"reason": "The candidate asked for a person to review the answers instead of AI."},
            actor_type="system",
        )
        return
    # Code first, once: a model falling back to offline below must not run it twice.
    runs = await _run_kit_code(session, interview)
    model = model_for(session, settings)
    fallback: str | None = None
    try:
        scores = await _score_all(model, interview)
    except ModelUnavailable as exc:
        fallback = f"Scored offline: {exc}"
        model = OFFLINE
        scores = await _score_all(model, interview)
    scores = [_with_tests(score, runs.get(score.question_id)) for score in scores]
    payload: dict[str, Any] = {
        "model": model.name,
        "questions": [s.model_dump(mode="json") for s in scores],
        "competencies": [c.model_dump(mode="json") for c in summarize_competencies(scores)],
    }
    if fallback:
        payload["fallback_reason"] = fallback
    await append(session, interview, events.SCORING_COMPLETED, payload, actor_type="ai")
    await hooks.session_scored(session, interview)


async def _run_kit_code(session: AsyncSession, interview: InterviewSession) -> dict[str, CodeRun]:
    """Run each coding answer to a library challenge against the challenge's tests (visible
    and hidden) in the sandbox; one `CodeRun` per answer, {question_id: run}."""
    from hireflow.library import runs as code_runs  # only sessions with challenges need it

    kit_versions = await _kit_versions(session, interview) if interview.coding_language else {}
    runs: dict[str, CodeRun] = {}
    for question in interview.state["questions"]:
        given = interview.state["answers"].get(question["id"])
        version_id = kit_versions.get(question["id"])
        if question["kind"] != "coding" or given is None or version_id is None:
            continue
        version = await kits.version(session, interview.organization_id, version_id)
        if version is None or not version.content.get("tests"):
            continue
        language: Literal["python", "javascript"] = (
            "javascript" if question.get("language") == "javascript" else "python"
        )
        run, result = await code_runs.record_run(
            session,
            version,
            language,
            given["text"],
            session_id=interview.id,
            question_id=question["id"],
        )
        runs[question["id"]] = run
        if result.status == "unavailable":
            run.results = [{"detail": result.detail}]
    return runs


async def _kit_versions(session: AsyncSession, interview: InterviewSession) -> dict[str, uuid.UUID]:
    """{question_id: library version id} of a session whose questions came from a kit."""
    for event in await repository.events(session, interview.id):
        if event.type == events.QUESTIONS_GENERATED:
            pinned = event.payload.get("kit_versions") or {}
            return {qid: uuid.UUID(str(v)) for qid, v in pinned.items()}
    return {}


def _with_tests(score: QuestionScore, run: CodeRun | None) -> QuestionScore:
    """Blend the rubric score with the tests' pass percentage; say how many passed."""
    if run is None:
        return score
    if run.status == "unavailable" or run.total == 0:
        detail = (run.results[0].get("detail") if run.results else None) or "no reason given"
        reason = f"The code was not run (code runs are unavailable: {detail}); rubric only. "
        return score.model_copy(update={"reason": (reason + score.reason)[:2000]})
    percent = 100 * run.passed / run.total
    blended = round(TESTS_WEIGHT * percent + (1 - TESTS_WEIGHT) * score.score)
    reason = f"{run.passed} of {run.total} tests passed ({run.status}). "
    return score.model_copy(
        update={"score": max(0, min(100, blended)), "reason": (reason + score.reason)[:2000]}
    )


async def _score_all(model: Model, interview: InterviewSession) -> list[QuestionScore]:
    call = CallContext(organization_id=interview.organization_id)
    scores = []
    for question in interview.state["questions"]:
        given = interview.state["answers"].get(question["id"])
        if given is None:
            continue
        scores.append(
            await model.score_answer(Question.model_validate(question), given["text"], call)
        )
    return scores


# --- the recruiter's reads and corrections -----------------------------------------------------


async def readable_session(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID
) -> InterviewSession:
    ctx.require(P.SESSIONS_READ)
    interview = await repository.readable_session(session, ctx, session_id)
    if interview is None:
        raise NotFound("No interview session has this id.")
    if _overdue(interview, clock.now()):
        locked = await repository.readable_session(session, ctx, session_id, lock=True)
        assert locked is not None
        await _catch_up(session, locked)
        interview = locked
    return interview


def link_read(interview: InterviewSession, invite: InterviewInvite | None) -> LinkRead:
    """The state of the session's newest link (`repository.latest_invite`)."""
    if invite is None:
        return LinkRead(status="none")
    status: LinkStatus = "active"
    if invite.revoked_at is not None:
        status = "revoked"
    elif invite.expires_at <= clock.now():
        status = "expired"
    return LinkRead(
        status=status,
        expires_at=invite.expires_at,
        opened_at=invite.opened_at,
        issued_at=invite.created_at,
    )


def session_read(interview: InterviewSession, invite: InterviewInvite | None) -> SessionRead:
    state = interview.state
    consent = state.get("consent")
    scoring = state.get("scoring")
    scoring_status = None
    if interview.status == "COMPLETED":
        scoring_status = scoring["status"] if scoring else "pending"
    return SessionRead.model_validate(
        {
            **{
                name: getattr(interview, name)
                for name in SessionRead.model_fields
                if hasattr(interview, name)
            },
            "started_at": state.get("started_at"),
            "ended_at": state.get("ended_at"),
            "end_reason": state.get("end_reason"),
            "ai_evaluation": None if consent is None else consent["ai_evaluation"],
            "scoring_status": scoring_status,
            "link": link_read(interview, invite),
        }
    )


async def list_sessions(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None,
    job_id: uuid.UUID | None,
    application_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[SessionRead], str | None]:
    ctx.require(P.SESSIONS_READ)
    rows = await repository.list_sessions(
        session,
        ctx,
        status=status,
        job_id=job_id,
        application_id=application_id,
        after=cursors.decode(cursor),
        limit=limit + 1,
    )
    page = list(rows[:limit])
    invites = await repository.latest_invites(session, [s.id for s in page])
    items = [session_read(s, invites.get(s.id)) for s in page]
    return items, cursors.encode(page[-1].created_at, page[-1].id) if len(rows) > limit else None


async def list_events(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID, *, after: int, limit: int
) -> tuple[list[InterviewEvent], int | None]:
    interview = await readable_session(session, ctx, session_id)
    rows = list(await repository.events(session, interview.id, after=after, limit=limit + 1))
    page = rows[:limit]
    return page, page[-1].seq if len(rows) > limit else None


async def override_score(
    session: AsyncSession,
    ctx: Ctx,
    session_id: uuid.UUID,
    *,
    target: str,
    score: int,
    reason: str,
    origin: Origin,
) -> InterviewSession:
    """A person corrects an AI score, with a reason; the AI's score stays in the history."""
    ctx.require(P.SESSIONS_READ, P.SCORES_OVERRIDE)
    interview = await repository.readable_session(session, ctx, session_id, lock=True)
    if interview is None:
        raise NotFound("No interview session has this id.")
    scoring = interview.state.get("scoring")
    if not scoring or scoring["status"] != "done":
        raise Conflict(
            "There are no AI scores to override yet: the session is not scored.",
            extra={"session_status": interview.status},
        )
    current = events.effective_scores(interview.state)
    if target not in current:
        raise Invalid(
            f"Nothing scored is called {target!r}. Use a question id such as "
            f"{next(iter(current), 'q1')!r} or 'competency:<name>'.",
            extra={"field": "target", "targets": sorted(current)},
        )
    await append(
        session,
        interview,
        events.SCORE_OVERRIDDEN,
        {
            "target": target,
            "score": score,
            "previous": current[target],
            "reason": reason,
            "by": ctx.user.email if ctx.user is not None else ctx.actor_email,
        },
        actor_type="recruiter",
        actor_user_id=_user_id(ctx),
    )
    await audit.record_by(
        session,
        ctx,
        "interview_session.score_overridden",
        origin=origin,
        target_type="interview_session",
        target_id=interview.id,
        data={"target": target, "score": score, "previous": current[target], "reason": reason},
    )
    return interview
