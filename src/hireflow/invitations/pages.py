"""Invitation pages: the bulk invite page of a job (pick candidates, a send time, a message),
its result, the organization's invitations with their status, a job's invitation rules, and
the "invite" / "email invitation" buttons of the application and AI interview pages.

Thin routes over the services the JSON API calls. The invite forms carry an idempotency key
made when the page renders, so a double submit invites once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from hireflow.applications.service import job_stages, readable_application
from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, Invalid
from hireflow.invitations import repository, rules, service
from hireflow.invitations.schemas import (
    BatchAccepted,
    InviteIn,
    RuleCreate,
    RuleUpdate,
    SessionInviteIn,
)
from hireflow.invitations.status import LABELS, STATUSES, TONES
from hireflow.jobs.service import get_job
from hireflow.web.templating import (
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
Sender = Annotated[Ctx, Depends(requires(Permission.INVITATIONS_SEND, Permission.SESSIONS_CREATE))]
RuleWriter = Annotated[Ctx, Depends(requires(Permission.JOBS_WRITE, Permission.INVITATIONS_SEND))]
FormShort = Annotated[str, Form(max_length=1_000)]
FormText = Annotated[str, Form(max_length=5_000)]

PAGE_SIZE = 25
MAX_LISTED = 1000
FORM_MESSAGES = {
    "application_ids": "Choose 1 to 1,000 candidates.",
    "send_at": "Enter a send time from now to 90 days ahead, or leave it empty to send now.",
    "link_valid_days": "Enter a number of days from 1 to 365, or leave it empty.",
    "message": "Keep the message under 2,000 characters.",
    "to": "Enter a valid email address, or leave it empty.",
    "stage_id": "Choose a stage.",
    "kit_id": "This job has no interview kit yet.",
}
FORM_FIELDS = {name: name for name in FORM_MESSAGES} | {"sms": "sms"}

register_notices(
    {
        "invitation-queued": Notice(
            "success",
            "Invitation on its way",
            "The email carries a new link; the link shown before no longer works.",
        ),
        "invitation-cancelled": Notice("success", "Invitation cancelled", "Nothing was sent."),
        "invitation-rule-saved": Notice("success", "Rule saved", ""),
        "invitation-rule-deleted": Notice("success", "Rule deleted", ""),
    }
)


def _org_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}"


def _context(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "permissions": frozenset(p.value for p in ctx.permissions),
        "status_labels": LABELS,
        "status_tones": TONES,
        "errors": {},
        **extra,
    }


def _send_at(raw: str) -> datetime | None:
    """A `datetime-local` value, read as UTC; empty: now."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(FORM_MESSAGES["send_at"], extra={"field": "send_at"}) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- the list -------------------------------------------------------------------------------------


@router.get("/invitations", response_class=HTMLResponse)
async def invitations_page(
    request: Request,
    ctx: Reader,
    session: DbSession,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    chosen = status if status in STATUSES else ""
    items, next_cursor = await service.list_invitations(
        session, ctx, status=chosen or None, cursor=cursor or None, limit=PAGE_SIZE
    )
    base = with_query(f"{_org_url(ctx)}/invitations", status=chosen or None)
    context = _context(
        ctx,
        invitations=items,
        status=chosen,
        status_options=[(s, s.capitalize()) for s in STATUSES],
        first_url=base if cursor else None,
        next_url=with_query(base, cursor=next_cursor) if next_cursor else None,
    )
    return templates.TemplateResponse(request, "invitations/list.html", context)


# --- inviting a job's candidates ------------------------------------------------------------------


async def _invite_context(
    session: DbSession, ctx: Ctx, job_id: uuid.UUID, form: dict[str, Any]
) -> dict[str, Any]:
    job = await get_job(session, ctx, job_id)
    stages = await job_stages(session, ctx, job.id)
    applicants = await repository.job_applicants(session, ctx, job.id, limit=MAX_LISTED)
    statuses = await service.statuses_by_application(
        session, ctx, [a.application_id for a in applicants]
    )
    by_stage = [(stage, [a for a in applicants if a.stage_id == stage.id]) for stage in stages]
    return _context(
        ctx,
        job=job,
        by_stage=[(s, rows) for s, rows in by_stage if rows],
        statuses=statuses,
        form=form,
    )


def _blank_form(chosen: set[str]) -> dict[str, Any]:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "chosen": chosen,
        "send_at": "",
        "link_valid_days": "",
        "message": "",
        "sms": False,
    }


@router.get("/jobs/{job_id}/invite", response_class=HTMLResponse)
async def invite_page(
    request: Request,
    job_id: uuid.UUID,
    ctx: Sender,
    session: DbSession,
    stage_id: uuid.UUID | None = None,
) -> HTMLResponse:
    context = await _invite_context(session, ctx, job_id, _blank_form(set()))
    if stage_id is not None:  # "select all in this stage"
        context["form"]["chosen"] = {
            str(a.application_id)
            for stage, rows in context["by_stage"]
            if stage.id == stage_id
            for a in rows
            if a.email
        }
    return templates.TemplateResponse(request, "invitations/invite.html", context)


async def _send(
    session: DbSession,
    ctx: Ctx,
    settings: AppSettings,
    origin: RequestOrigin,
    form: dict[str, Any],
    application_ids: list[str],
) -> BatchAccepted:
    key = str(form.get("idempotency_key", "")).strip()
    if not key:
        raise Invalid("This form has lost its one-time key. Reload the page and send it again.")
    body = validated(
        InviteIn,
        {
            "application_ids": application_ids,
            "send_at": _send_at(str(form.get("send_at", ""))),
            "link_valid_days": str(form.get("link_valid_days", "")).strip() or None,
            "message": form.get("message") or None,
            "sms": bool(form.get("sms")),
        },
        FORM_MESSAGES,
    )
    _, payload, _ = await service.invite(
        session, ctx, body, idempotency_key=key, origin=origin, settings=settings
    )
    return BatchAccepted.model_validate(payload)


@router.post("/jobs/{job_id}/invite", response_class=HTMLResponse)
async def invite_job_candidates(
    request: Request,
    job_id: uuid.UUID,
    ctx: Sender,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
) -> Response:
    posted = await request.form()
    ids = [v for v in posted.getlist("application_ids") if isinstance(v, str)]
    form: dict[str, Any] = {
        k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"
    }
    form["chosen"] = set(ids)
    try:
        result = await _send(session, ctx, settings, origin, form, ids)
    except AppError as exc:
        context = await _invite_context(session, ctx, job_id, form)
        refuse(request, exc, "invitations/invite.html", context, fields=FORM_FIELDS)
    job = await get_job(session, ctx, job_id)
    names = {
        a.application_id: a.candidate_name
        for a in await repository.job_applicants(session, ctx, job.id, limit=MAX_LISTED)
    }
    context = _context(ctx, job=job, result=result, names=names)
    return templates.TemplateResponse(request, "invitations/result.html", context)


@router.post("/applications/{application_id}/invite", response_class=HTMLResponse)
async def invite_application(
    request: Request,
    application_id: uuid.UUID,
    ctx: Sender,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
    idempotency_key: FormShort = "",
    message: FormText = "",
) -> Response:
    application = await readable_application(session, ctx, application_id)
    form = {"idempotency_key": idempotency_key, "message": message}
    result = await _send(session, ctx, settings, origin, form, [str(application_id)])
    job = await get_job(session, ctx, application.job_id)
    context = _context(ctx, job=job, result=result, names={})
    return templates.TemplateResponse(request, "invitations/result.html", context)


@router.post("/invitations/{invitation_id}/cancel", response_class=HTMLResponse)
async def cancel_invitation(
    invitation_id: uuid.UUID, ctx: Sender, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.cancel_invitation(session, ctx, invitation_id, origin=origin)
    return see_other(f"{_org_url(ctx)}/invitations", notice="invitation-cancelled")


@router.post("/interviews/{session_id}/invitation", response_class=HTMLResponse)
async def email_session_link(
    session_id: uuid.UUID,
    ctx: Sender,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
    to: FormShort = "",
    message: FormText = "",
) -> Response:
    body = validated(SessionInviteIn, {"to": to or None, "message": message or None}, FORM_MESSAGES)
    await service.invite_to_session(
        session, ctx, session_id, body, origin=origin, settings=settings
    )
    return see_other(f"{_org_url(ctx)}/interviews/{session_id}", notice="invitation-queued")


# --- rules ----------------------------------------------------------------------------------------


async def _rules_context(session: DbSession, ctx: Ctx, job_id: uuid.UUID) -> dict[str, Any]:
    job = await get_job(session, ctx, job_id)
    stages = await job_stages(session, ctx, job.id)
    kit = await repository.kit_of_job(session, ctx.organization.id, job.id)
    job_rules = await rules.list_rules(session, ctx, job.id)
    with_rule = {r.stage_id for r in job_rules}
    return _context(
        ctx,
        job=job,
        kit=kit,
        rules=job_rules,
        stage_names={s.id: s.name for s in stages},
        stage_options=[(str(s.id), s.name) for s in stages if s.id not in with_rule],
        can_write=ctx.can(Permission.JOBS_WRITE) and ctx.can(Permission.INVITATIONS_SEND),
    )


def _rules_url(ctx: Ctx, job_id: uuid.UUID) -> str:
    return f"{_org_url(ctx)}/jobs/{job_id}/invitation-rules"


@router.get("/jobs/{job_id}/invitation-rules", response_class=HTMLResponse)
async def rules_page(
    request: Request, job_id: uuid.UUID, ctx: Reader, session: DbSession
) -> HTMLResponse:
    context = await _rules_context(session, ctx, job_id)
    return templates.TemplateResponse(request, "invitations/rules.html", context)


@router.post("/jobs/{job_id}/invitation-rules", response_class=HTMLResponse)
async def add_rule(
    request: Request,
    job_id: uuid.UUID,
    ctx: RuleWriter,
    session: DbSession,
    origin: RequestOrigin,
    stage_id: FormShort = "",
    link_valid_days: FormShort = "",
) -> Response:
    try:
        kit = await repository.kit_of_job(session, ctx.organization.id, job_id)
        body = validated(
            RuleCreate,
            {
                "stage_id": stage_id or None,
                "kit_id": kit.id if kit is not None else None,
                "link_valid_days": link_valid_days.strip() or None,
            },
            FORM_MESSAGES,
        )
        await rules.create_rule(session, ctx, body, origin=origin)
    except AppError as exc:
        context = await _rules_context(session, ctx, job_id)
        refuse(request, exc, "invitations/rules.html", context)
    return see_other(_rules_url(ctx, job_id), notice="invitation-rule-saved")


@router.post("/jobs/{job_id}/invitation-rules/{rule_id}/toggle", response_class=HTMLResponse)
async def toggle_rule(
    job_id: uuid.UUID,
    rule_id: uuid.UUID,
    ctx: RuleWriter,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    rule = await rules.get_rule(session, ctx, rule_id)
    await rules.update_rule(
        session, ctx, rule_id, RuleUpdate(enabled=not rule.enabled), origin=origin
    )
    return see_other(_rules_url(ctx, job_id), notice="invitation-rule-saved")


@router.post("/jobs/{job_id}/invitation-rules/{rule_id}/delete", response_class=HTMLResponse)
async def remove_rule(
    job_id: uuid.UUID,
    rule_id: uuid.UUID,
    ctx: RuleWriter,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    await rules.delete_rule(session, ctx, rule_id, origin=origin)
    return see_other(_rules_url(ctx, job_id), notice="invitation-rule-deleted")
