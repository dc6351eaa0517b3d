"""AI interview HTML pages for recruiters (UC-R1): the sessions list, the configure form, the
page showing a new candidate link once, and a session's page (link actions, cancelling, the
transcript with its scores, overrides and the events timeline).

Thin routes over the services the JSON API calls; forms post without JavaScript. The create form
carries an idempotency key made when the form renders, so a double submit makes one session and
shows the same link again (UC-R1 A3)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from hireflow.ai_interviews import events, repository, service
from hireflow.ai_interviews.intake import FILE_FIELD, read_create_request
from hireflow.ai_interviews.schemas import (
    CancelIn,
    LinkIssueIn,
    OverrideIn,
    SessionCreated,
    SessionDetail,
)
from hireflow.ai_interviews.views import session_detail
from hireflow.applications.service import readable_application
from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.candidates.service import get_candidate
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, Invalid
from hireflow.jobs.sanitize import description_text
from hireflow.jobs.service import get_job
from hireflow.web.templating import (
    FormInvalid,
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
    with_query,
)

router = APIRouter(
    prefix="/organizations/{organization_id}",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

Reader = Annotated[Ctx, Depends(requires(Permission.SESSIONS_READ))]
Creator = Annotated[Ctx, Depends(requires(Permission.SESSIONS_CREATE))]
Overrider = Annotated[Ctx, Depends(requires(Permission.SESSIONS_READ, Permission.SCORES_OVERRIDE))]
FormShort = Annotated[str, Form(max_length=1_000)]
FormText = Annotated[str, Form(max_length=20_000)]

PAGE_SIZE = 25
EVENTS_SHOWN = 500
NO_STORE = {"Cache-Control": "no-store"}

register_notices(
    {
        "interview-link-revoked": Notice(
            "success", "Link revoked", "It no longer opens the interview."
        ),
        "interview-cancelled": Notice(
            "success", "Interview cancelled", "The candidate's link no longer works."
        ),
        "interview-score-overridden": Notice(
            "success", "Score overridden", "The AI's score stays in the history."
        ),
    }
)

STATUS_LABELS = {
    "NOT_STARTED": "Not started",
    "IN_PROGRESS": "In progress",
    "COMPLETED": "Completed",
    "EXPIRED": "Expired",
    "CANCELLED": "Cancelled",
}
STATUS_TONES = {
    "NOT_STARTED": "neutral",
    "IN_PROGRESS": "info",
    "COMPLETED": "success",
    "EXPIRED": "warning",
    "CANCELLED": "neutral",
}
LINK_LABELS = {
    "active": "Active",
    "expired": "Expired",
    "revoked": "Revoked",
    "none": "None",
    "closed": "Not needed (the interview has ended)",
}
LINK_TONES = {"active": "success", "expired": "warning", "revoked": "danger"}
SCORING_LABELS = {
    "pending": "Scoring in progress",
    "done": "Scored",
    "skipped": "Person review (no AI scores)",
}
STAGES = [
    ("screening", "Screening"),
    ("technical", "Technical"),
    ("behavioural", "Behavioural"),
    ("final", "Final"),
]
CONFIDENCE = [(str(n), f"{n} of 5") for n in range(1, 6)]
CODING_LANGUAGES = [("python", "Python"), ("javascript", "JavaScript")]
END_REASONS = {
    "answered_all": "The candidate answered every question.",
    "candidate_finished": "The candidate finished early.",
    "time_up": "The time limit ran out.",
    "expired": "The link expired before the interview started.",
    "cancelled": "The interview was cancelled.",
}

# The configure form's fields, as the page words a refusal of each.
FORM_MESSAGES = {
    "target_role": "Enter the role this interview is for (200 characters at most).",
    "job_description": "Keep the job description under 50,000 characters.",
    "candidate_name": "Keep the name under 200 characters, or leave it empty.",
    "candidate_email": "Enter a valid email address, or leave it empty.",
    "skills": "List at most 30 skills, separated by commas, of up to 60 characters each.",
    "stage": "Choose a stage, or leave it not set.",
    "confidence_baseline": "Choose a number from 1 to 5, or leave it not set.",
    "session_goal": "Keep the goal under 500 characters.",
    "duration_minutes": "Enter a whole number of minutes from 5 to 240.",
    "question_count": "Enter a number of questions from 1 to 20.",
    "max_follow_ups": "Enter a whole number from 0 to 10.",
    "coding_language": "Choose no coding question, Python or JavaScript.",
    "link_valid_days": "Enter a number of days from 1 to 365, or leave it empty.",
    "recruiter_notes": "Keep the notes under 5,000 characters.",
}
# Where a service error naming a field goes on the form.
FORM_FIELDS = {name: name for name in FORM_MESSAGES} | {FILE_FIELD: FILE_FIELD}
IGNORED_FIELDS = frozenset({"csrf_token", "idempotency_key"})
OVERRIDE_MESSAGES = {
    "target": "Choose what to override.",
    "score": "Enter a whole number from 0 to 100.",
    "reason": "Give a reason (3 to 1,000 characters).",
}


def _base(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}"


def _session_url(ctx: Ctx, session_id: uuid.UUID) -> str:
    return f"{_base(ctx)}/interviews/{session_id}"


def _context(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "permissions": frozenset(p.value for p in ctx.permissions),
        "can_create": ctx.can(Permission.SESSIONS_CREATE),
        "can_override": ctx.can(Permission.SCORES_OVERRIDE),
        "status_labels": STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "link_labels": LINK_LABELS,
        "link_tones": LINK_TONES,
        "scoring_labels": SCORING_LABELS,
        "duration": duration,
        **extra,
    }


def duration(seconds: int | None) -> str:
    """Time taken, for people: 45 s, 3 min 05 s, 1 h 02 min."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# --- the list -------------------------------------------------------------------------------------


@router.get("/interviews", response_class=HTMLResponse)
async def interviews_page(
    request: Request,
    ctx: Reader,
    session: DbSession,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    chosen = status if status in STATUS_LABELS else ""
    items, next_cursor = await service.list_sessions(
        session,
        ctx,
        status=chosen or None,
        job_id=None,
        application_id=None,
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    titles = await repository.job_titles(session, ctx, {i.job_id for i in items if i.job_id})
    base = with_query(f"{_base(ctx)}/interviews", status=chosen or None)
    context = _context(
        ctx,
        interviews=items,
        job_titles=titles,
        status=chosen,
        status_options=list(STATUS_LABELS.items()),
        first_url=base if cursor else None,
        next_url=with_query(base, cursor=next_cursor) if next_cursor else None,
    )
    return templates.TemplateResponse(request, "interviews/list.html", context)


# --- configuring a session ------------------------------------------------------------------------


def _blank_form(settings: Settings) -> dict[str, str]:
    return {name: "" for name in FORM_MESSAGES} | {
        "duration_minutes": "30",
        "question_count": "5",
        "max_follow_ups": "2",
        "link_valid_days": str(settings.interview_link_days),
        "job_id": "",
        "application_id": "",
        "idempotency_key": str(uuid.uuid4()),
    }


async def _prefilled(
    session: AsyncSession,
    ctx: Ctx,
    settings: Settings,
    job_id: uuid.UUID | None,
    application_id: uuid.UUID | None,
) -> dict[str, str]:
    """The form for a job (its title, description and skills) or for an application (its job,
    and its candidate's name and email). Nothing is stored until the form is sent (UC-R1 A4)."""
    form = _blank_form(settings)
    if application_id is not None:
        application = await readable_application(session, ctx, application_id)
        candidate = await get_candidate(session, ctx, application.candidate_id)
        form |= {
            "application_id": str(application.id),
            "candidate_name": candidate.full_name,
            "candidate_email": candidate.email or "",
        }
        job_id = application.job_id
    if job_id is not None:
        job = await get_job(session, ctx, job_id)
        form |= {
            "job_id": str(job.id),
            "target_role": job.title,
            "job_description": description_text(job.description_html),
            "skills": ", ".join(job.skills),
        }
    return form


def _form_context(ctx: Ctx, form: dict[str, str], titles: dict[uuid.UUID, str]) -> dict[str, Any]:
    job_title = None
    if form.get("job_id"):
        try:
            job_title = titles.get(uuid.UUID(form["job_id"]))
        except ValueError:
            job_title = None
    return _context(
        ctx,
        form=form,
        job_title=job_title,
        stage_options=STAGES,
        confidence_options=CONFIDENCE,
        coding_options=CODING_LANGUAGES,
    )


async def _job_titles_of(
    session: AsyncSession, ctx: Ctx, form: dict[str, str]
) -> dict[uuid.UUID, str]:
    try:
        job_id = uuid.UUID(form.get("job_id", ""))
    except ValueError:
        return {}
    return await repository.job_titles(session, ctx, {job_id})


@router.get("/interviews/new", response_class=HTMLResponse)
async def new_interview_page(
    request: Request,
    ctx: Creator,
    session: DbSession,
    settings: AppSettings,
    job_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
) -> HTMLResponse:
    form = await _prefilled(session, ctx, settings, job_id, application_id)
    context = _form_context(ctx, form, await _job_titles_of(session, ctx, form))
    return templates.TemplateResponse(request, "interviews/form.html", context)


def _posted(form: FormData) -> dict[str, str]:
    """The text fields as typed, to show the form again after a refusal."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _form_invalid(exc: RequestValidationError) -> AppError:
    fields: dict[str, str] = {}
    for error in exc.errors():
        loc = [part for part in error.get("loc") or () if part != "body"]
        name = str(loc[0]) if loc else ""
        if name in FORM_MESSAGES:
            fields.setdefault(name, FORM_MESSAGES[name])
    if fields:
        return FormInvalid(fields)
    return Invalid("The form sent a field this page does not know. Reload the page and try again.")


@router.post("/interviews", response_class=HTMLResponse)
async def create_interview(
    request: Request,
    ctx: Creator,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
) -> Response:
    posted = _posted(await request.form())
    form = _blank_form(settings) | posted
    key = posted.get("idempotency_key", "").strip()
    try:
        if not key:
            raise Invalid("This form has lost its one-time key. Reload the page and send it again.")
        try:
            body, jd_file = await read_create_request(request, settings, ignore=IGNORED_FIELDS)
        except RequestValidationError as exc:
            raise _form_invalid(exc) from None
        _, payload, _ = await service.create_session(
            session,
            ctx,
            body,
            jd_file,
            idempotency_key=key,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        context = _form_context(ctx, form, await _job_titles_of(session, ctx, form))
        refuse(request, exc, "interviews/form.html", context, fields=FORM_FIELDS)
    created = SessionCreated.model_validate(payload)
    context = _context(
        ctx,
        heading="Session created",
        interview=created.session,
        candidate_url=created.candidate_url,
        link_expires_at=created.link_expires_at,
        session_url=_session_url(ctx, created.session.id),
    )
    return templates.TemplateResponse(request, "interviews/link.html", context, headers=NO_STORE)


# --- a session ------------------------------------------------------------------------------------


def _link_status(detail: SessionDetail) -> str:
    """The link's state, or `closed` when the interview has ended (its link was revoked then,
    and is not needed any more)."""
    if detail.status not in events.OPEN_STATUSES and detail.link.status in ("revoked", "none"):
        return "closed"
    return detail.link.status


async def _session_context(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    detail = await session_detail(session, ctx, session_id)
    timeline, _ = await service.list_events(session, ctx, session_id, after=0, limit=EVENTS_SHOWN)
    titles = await repository.job_titles(session, ctx, {detail.job_id} if detail.job_id else set())
    return _context(
        ctx,
        interview=detail,
        timeline=timeline,
        job_title=titles.get(detail.job_id) if detail.job_id else None,
        link_status=_link_status(detail),
        is_open=detail.status in events.OPEN_STATUSES,
        end_reasons=END_REASONS,
        stage_labels=dict(STAGES),
        coding_labels=dict(CODING_LANGUAGES),
        **({"override_target": None} | extra),
    )


SESSION_PAGE = "interviews/detail.html"


@router.get("/interviews/{session_id}", response_class=HTMLResponse)
async def interview_page(
    request: Request, session_id: uuid.UUID, ctx: Reader, session: DbSession
) -> HTMLResponse:
    context = await _session_context(session, ctx, session_id)
    return templates.TemplateResponse(request, SESSION_PAGE, context)


@router.post("/interviews/{session_id}/link", response_class=HTMLResponse)
async def reissue_link(
    request: Request,
    session_id: uuid.UUID,
    ctx: Creator,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
    link_valid_days: FormShort = "",
) -> Response:
    try:
        body = validated(
            LinkIssueIn,
            {"link_valid_days": link_valid_days.strip() or None},
            {"link_valid_days": FORM_MESSAGES["link_valid_days"]},
        )
        raw, invite = await service.reissue_link(
            session, ctx, session_id, days=body.link_valid_days, origin=origin, settings=settings
        )
    except AppError as exc:
        context = await _session_context(session, ctx, session_id)
        refuse(
            request, exc, SESSION_PAGE, {**context, "form": {"link_valid_days": link_valid_days}}
        )
    interview = await service.readable_session(session, ctx, session_id)
    context = _context(
        ctx,
        heading="New link issued",
        interview=service.session_read(interview, invite),
        candidate_url=service.candidate_url(settings, raw),
        link_expires_at=invite.expires_at,
        session_url=_session_url(ctx, session_id),
        replaced=True,
    )
    return templates.TemplateResponse(request, "interviews/link.html", context, headers=NO_STORE)


@router.post("/interviews/{session_id}/link/revoke", response_class=HTMLResponse)
async def revoke_link(
    request: Request,
    session_id: uuid.UUID,
    ctx: Creator,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.revoke_link(session, ctx, session_id, origin=origin)
    except AppError as exc:
        refuse(request, exc, SESSION_PAGE, await _session_context(session, ctx, session_id))
    return see_other(_session_url(ctx, session_id), notice="interview-link-revoked")


@router.post("/interviews/{session_id}/cancel", response_class=HTMLResponse)
async def cancel_interview(
    request: Request,
    session_id: uuid.UUID,
    ctx: Creator,
    session: DbSession,
    origin: RequestOrigin,
    reason: FormShort = "",
) -> Response:
    try:
        body = validated(
            CancelIn,
            {"reason": reason.strip()},
            {"reason": "Keep the reason under 500 characters."},
        )
        await service.cancel_session(session, ctx, session_id, body.reason, origin=origin)
    except AppError as exc:
        context = await _session_context(session, ctx, session_id)
        refuse(
            request,
            exc,
            SESSION_PAGE,
            {**context, "form": {"reason": reason}},
            fields={"reason": "reason"},
        )
    return see_other(_session_url(ctx, session_id), notice="interview-cancelled")


@router.post("/interviews/{session_id}/overrides", response_class=HTMLResponse)
async def override_score(
    request: Request,
    session_id: uuid.UUID,
    ctx: Overrider,
    session: DbSession,
    origin: RequestOrigin,
    target: FormShort = "",
    score: FormShort = "",
    reason: FormText = "",
) -> Response:
    form = {"target": target, "score": score, "reason": reason}
    try:
        body = validated(
            OverrideIn,
            {"target": target, "score": score.strip() or None, "reason": reason},
            OVERRIDE_MESSAGES,
        )
        await service.override_score(
            session,
            ctx,
            session_id,
            target=body.target,
            score=body.score,
            reason=body.reason,
            origin=origin,
        )
    except AppError as exc:
        context = await _session_context(session, ctx, session_id, override_target=target)
        refuse(
            request,
            exc,
            SESSION_PAGE,
            {**context, "form": form},
            fields={"target": "score", "score": "score", "reason": "reason"},
        )
    url = with_query(_session_url(ctx, session_id), notice="interview-score-overridden")
    return RedirectResponse(url + "#scores-title", status_code=303)
