"""Pipeline HTML pages: a job's board (move cards, bulk move/reject, load more per column),
one application (move, reject, hire, reopen, score, feedback, private notes) and the
organization's stage templates.

Thin routes over the services the JSON API calls. Every form posts without JavaScript (then
the browser is redirected back with a notice); htmx enhances the board's forms, which get the
updated board back (`_board.html`) to swap in place.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews import service as interview_service
from hireflow.ai_interviews.schemas import SessionRead
from hireflow.applications import repository, service, stages
from hireflow.applications.schemas import (
    ApplicationUpdate,
    BulkMoveIn,
    BulkRejectIn,
    FeedbackIn,
    MoveIn,
    NoteIn,
    RejectIn,
    StageTemplateCreate,
    StageTemplateUpdate,
)
from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, OrgCtx
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import AppError, Invalid
from hireflow.invitations import service as invitation_service
from hireflow.invitations.status import LABELS as BADGE_LABELS
from hireflow.invitations.status import TONES as BADGE_TONES
from hireflow.models import Job
from hireflow.models.job import STAGE_KINDS
from hireflow.web.templating import (
    Notice,
    is_htmx,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
)

router = APIRouter(
    prefix="/organizations/{organization_id}",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

BOARD_PER_STAGE = 25
MORE_PER_STAGE = 25
BLANK_STAGE_ROWS = 3
DEFAULT_CRITERIA = ("Skills", "Experience", "Communication")

register_notices(
    {
        "application-moved": Notice("success", "Application moved"),
        "applications-moved": Notice("success", "Applications moved"),
        "applications-rejected": Notice("success", "Applications rejected"),
        "application-rejected": Notice("success", "Application rejected"),
        "application-hired": Notice("success", "Hired", "The application is closed as hired."),
        "application-reopened": Notice("success", "Application reopened"),
        "application-updated": Notice("success", "Score and selection saved"),
        "feedback-saved": Notice("success", "Feedback saved"),
        "feedback-deleted": Notice("success", "Feedback deleted"),
        "note-added": Notice("success", "Note added"),
        "note-deleted": Notice("success", "Note deleted"),
        "stage-template-created": Notice("success", "Stage template created"),
        "stage-template-saved": Notice(
            "success", "Stage template saved", "Existing jobs keep their stages."
        ),
        "stage-template-default": Notice(
            "success", "Default stage template set", "New jobs get these stages."
        ),
        "stage-template-deleted": Notice("success", "Stage template deleted"),
    }
)


def duration(seconds: int | None) -> str:
    """A short human duration: 45s, 12m, 5h, 3d."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def _base(ctx: Ctx) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "permissions": frozenset(p.value for p in ctx.permissions),
        "duration": duration,
    }


def _org_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}"


def _board_url(ctx: Ctx, job_id: uuid.UUID) -> str:
    return f"{_org_url(ctx)}/jobs/{job_id}/pipeline"


def _application_url(ctx: Ctx, application_id: uuid.UUID) -> str:
    return f"{_org_url(ctx)}/applications/{application_id}"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


# --- the board ------------------------------------------------------------------------------------


async def _board_context(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> dict[str, Any]:
    board = await service.pipeline(session, ctx, job_id, per_stage=BOARD_PER_STAGE)
    return {
        **_base(ctx),
        "board": board,
        "stage_options": [(str(c.stage.id), c.stage.name) for c in board.stages],
        "can_move": ctx.can(Permission.APPLICATIONS_WRITE),
        "invitation_badges": await _invitation_badges(
            session, ctx, [c.application_id for s in board.stages for c in s.cards]
        ),
    }


async def _invitation_badges(
    session: AsyncSession, ctx: Ctx, application_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Each card's latest AI interview invitation status as a badge (label, tone): one query
    for the whole board."""
    statuses = await invitation_service.statuses_by_application(session, ctx, application_ids)
    return {a: (BADGE_LABELS[s], BADGE_TONES[s]) for a, s in statuses.items()}


def _board_fragment(request: Request, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, "applications/_board.html", context)


@router.get("/jobs/{job_id}/pipeline", response_class=HTMLResponse)
async def pipeline_page(
    request: Request, job_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    context = await _board_context(session, ctx, job_id)
    return templates.TemplateResponse(request, "applications/pipeline.html", context)


@router.get("/jobs/{job_id}/pipeline/stages/{stage_id}", response_class=HTMLResponse)
async def stage_cards_page(
    request: Request,
    job_id: uuid.UUID,
    stage_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """A column's next cards: the fragment for htmx's "load more", else a page of them."""
    stage, cards, next_cursor = await service.more_cards(
        session, ctx, job_id, stage_id, cursor, limit=MORE_PER_STAGE
    )
    job = await service.readable_job(session, ctx, job_id)
    stage_list = await repository.job_stages(session, job.id)
    context = {
        **_base(ctx),
        "job": job,
        "stage": stage,
        "cards": cards,
        "next_cursor": next_cursor,
        "stage_options": [(str(s.id), s.name) for s in stage_list],
        "can_move": ctx.can(Permission.APPLICATIONS_WRITE),
        "invitation_badges": await _invitation_badges(
            session, ctx, [c.application_id for c in cards]
        ),
    }
    name = "applications/_cards.html" if is_htmx(request) else "applications/stage.html"
    return templates.TemplateResponse(request, name, context)


@router.post("/applications/{application_id}/move", response_class=HTMLResponse)
async def move_application(
    request: Request,
    application_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    stage_id: Annotated[str, Form(max_length=100)] = "",
    expected_stage_id: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    view: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {
        "stage_id": stage_id,
        "expected_stage_id": expected_stage_id or None,
        "reason": reason.strip() or None,
    }
    data = validated(
        MoveIn, form, {"stage_id": "Choose a stage.", "reason": "Up to 300 characters."}
    )
    application = await service.move(
        session,
        ctx,
        application_id,
        stage_id=data.stage_id,
        expected_stage_id=data.expected_stage_id,
        reason=data.reason,
        origin=origin,
    )
    if view == "board":
        if is_htmx(request):
            return _board_fragment(request, await _board_context(session, ctx, application.job_id))
        return see_other(_board_url(ctx, application.job_id), notice="application-moved")
    return see_other(_application_url(ctx, application_id), notice="application-moved")


@router.post("/jobs/{job_id}/pipeline/bulk", response_class=HTMLResponse)
async def bulk_action(
    request: Request,
    job_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    application_ids: Annotated[list[str] | None, Form(max_length=500)] = None,
    action: Annotated[str, Form(max_length=20)] = "move",
    stage_id: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Move or reject the checked cards (all or nothing), then show the board again."""
    job = await service.readable_job(session, ctx, job_id)
    ids = [i for i in (application_ids or []) if i.strip()]
    messages = {
        "application_ids": "Check at least one application (up to 500).",
        "stage_id": "Choose a stage.",
        "reason": "Give a reason (up to 300 characters).",
    }
    if action == "reject":
        rejecting = validated(
            BulkRejectIn, {"application_ids": ids, "reason": reason.strip()}, messages
        )
        await service.bulk_reject(
            session,
            ctx,
            rejecting.application_ids,
            reason=rejecting.reason,
            origin=origin,
            job_id=job.id,
        )
        notice = "applications-rejected"
    else:
        moving = validated(
            BulkMoveIn,
            {"application_ids": ids, "stage_id": stage_id, "reason": reason.strip() or None},
            messages,
        )
        await service.bulk_move(
            session,
            ctx,
            moving.application_ids,
            stage_id=moving.stage_id,
            reason=moving.reason,
            origin=origin,
            job_id=job.id,
        )
        notice = "applications-moved"
    if is_htmx(request):
        return _board_fragment(request, await _board_context(session, ctx, job.id))
    return see_other(_board_url(ctx, job.id), notice=notice)


# --- one application ------------------------------------------------------------------------------


def _criteria(job: Job, feedback: list[Any]) -> list[str]:
    criteria = list(dict.fromkeys([*job.skills[:10], *DEFAULT_CRITERIA]))
    for item in feedback:
        for name in item.ratings:
            if name not in criteria and len(criteria) < 20:
                criteria.append(name)
    return criteria[:20]


async def _application_context(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID
) -> dict[str, Any]:
    detail = await service.application_detail(session, ctx, application_id)
    job = await service.readable_job(session, ctx, detail.job.id)
    stage_list = await repository.job_stages(session, job.id)
    mine = next(
        (f for f in detail.feedback.items if ctx.user and f.author_user_id == ctx.user.id), None
    )
    interviews: list[SessionRead] = []
    if ctx.can(Permission.SESSIONS_READ):
        interviews, _ = await interview_service.list_sessions(
            session,
            ctx,
            status=None,
            job_id=None,
            application_id=application_id,
            cursor=None,
            limit=10,
        )
    invitations, _ = (
        await invitation_service.list_invitations(
            session, ctx, status=None, application_id=application_id, limit=10
        )
        if ctx.can(Permission.SESSIONS_READ)
        else ([], None)
    )
    return {
        **_base(ctx),
        "application": detail,
        "invitations": invitations,
        "invitation_labels": BADGE_LABELS,
        "invitation_tones": BADGE_TONES,
        "invitation_key": str(uuid.uuid4()),
        "notes": getattr(detail, "notes", None),
        "stage_options": [(str(s.id), s.name) for s in stage_list if s.kind == "active"],
        "criteria": _criteria(job, detail.feedback.items),
        "my_feedback": mine,
        "my_user_id": ctx.user.id if ctx.user else None,
        "can_move": ctx.can(Permission.APPLICATIONS_WRITE),
        "can_feedback": ctx.can(Permission.FEEDBACK_WRITE),
        "can_notes": ctx.can(Permission.NOTES_READ),
        "interviews": interviews,
        "form": {},
        "errors": {},
    }


APPLICATION_PAGE = "applications/application.html"


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def application_page(
    request: Request, application_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    context = await _application_context(session, ctx, application_id)
    return templates.TemplateResponse(request, APPLICATION_PAGE, context)


@router.post("/applications/{application_id}/reject", response_class=HTMLResponse)
async def reject_application(
    request: Request,
    application_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    form = {"reason": reason}
    try:
        data = validated(RejectIn, form, {"reason": "Give a reason (up to 300 characters)."})
        await service.reject(session, ctx, application_id, reason=data.reason, origin=origin)
    except AppError as exc:
        context = await _application_context(session, ctx, application_id)
        refuse(request, exc, APPLICATION_PAGE, {**context, "form": form})
    return see_other(_application_url(ctx, application_id), notice="application-rejected")


@router.post("/applications/{application_id}/hire", response_class=HTMLResponse)
async def hire_application(
    application_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.hire(session, ctx, application_id, origin=origin)
    return see_other(_application_url(ctx, application_id), notice="application-hired")


@router.post("/applications/{application_id}/reopen", response_class=HTMLResponse)
async def reopen_application(
    application_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.reopen(session, ctx, application_id, origin=origin)
    return see_other(_application_url(ctx, application_id), notice="application-reopened")


@router.post("/applications/{application_id}/score", response_class=HTMLResponse)
async def score_application(
    request: Request,
    application_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    score: Annotated[str, Form(max_length=10)] = "",
    selected: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"score": score, "selected": selected}
    try:
        data = validated(
            ApplicationUpdate,
            {"score": score.strip() or None, "selected": selected == "on"},
            {"score": "A whole number from 0 to 100, or empty."},
        )
        await service.update(session, ctx, application_id, data, origin)
    except AppError as exc:
        context = await _application_context(session, ctx, application_id)
        refuse(request, exc, APPLICATION_PAGE, {**context, "form": form})
    return see_other(_application_url(ctx, application_id), notice="application-updated")


@router.post("/applications/{application_id}/feedback", response_class=HTMLResponse)
async def save_feedback(
    request: Request,
    application_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    """Overall (1–5), a 1–5 rating per criterion (`criterion-N` names it, `rating-N` rates
    it; unrated criteria are left out) and a comment."""
    submitted = await request.form()
    ratings: dict[str, str] = {}
    for index in range(20):
        name = str(submitted.get(f"criterion-{index}", "")).strip()
        rating = str(submitted.get(f"rating-{index}", "")).strip()
        if name and rating:
            ratings[name] = rating
    form = {
        "overall": str(submitted.get("overall", "")),
        "comment": str(submitted.get("comment", "")),
    }
    try:
        data = validated(
            FeedbackIn,
            {"overall": form["overall"] or None, "ratings": ratings, "comment": form["comment"]},
            {
                "overall": "Choose an overall rating from 1 to 5.",
                "ratings": "Ratings are from 1 to 5.",
                "comment": "Up to 5,000 characters.",
            },
        )
        await service.save_feedback(session, ctx, application_id, data, origin)
    except AppError as exc:
        context = await _application_context(session, ctx, application_id)
        refuse(request, exc, APPLICATION_PAGE, {**context, "form": form})
    return see_other(
        _application_url(ctx, application_id) + "#feedback-title", notice="feedback-saved"
    )


@router.post(
    "/applications/{application_id}/feedback/{feedback_id}/delete", response_class=HTMLResponse
)
async def delete_feedback(
    application_id: uuid.UUID,
    feedback_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    await service.delete_feedback(session, ctx, application_id, feedback_id, origin)
    return see_other(_application_url(ctx, application_id), notice="feedback-deleted")


@router.post("/applications/{application_id}/notes", response_class=HTMLResponse)
async def add_note(
    request: Request,
    application_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    body: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    form = {"body": body}
    try:
        data = validated(NoteIn, form, {"body": "Write the note (up to 10,000 characters)."})
        await service.add_note(session, ctx, application_id, data.body, origin)
    except AppError as exc:
        context = await _application_context(session, ctx, application_id)
        refuse(request, exc, APPLICATION_PAGE, {**context, "form": form})
    return see_other(_application_url(ctx, application_id), notice="note-added")


@router.post("/applications/{application_id}/notes/{note_id}/delete", response_class=HTMLResponse)
async def delete_note(
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    await service.delete_note(session, ctx, application_id, note_id, origin)
    return see_other(_application_url(ctx, application_id), notice="note-deleted")


# --- stage templates ------------------------------------------------------------------------------


def _templates_url(ctx: Ctx) -> str:
    return f"{_org_url(ctx)}/stage-templates"


def _stage_rows(stage_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        {"key": s.get("key", ""), "name": s.get("name", ""), "kind": s.get("kind", "active")}
        for s in stage_list
    ]
    blank = {"key": "", "name": "", "kind": "active"}
    return rows + [dict(blank) for _ in range(min(BLANK_STAGE_ROWS, 20 - len(rows)))]


async def _templates_context(session: AsyncSession, ctx: Ctx) -> dict[str, Any]:
    return {
        **_base(ctx),
        "stage_templates": await stages.list_stage_templates(session, ctx),
        "built_in": stages.DEFAULT_STAGES,
        "can_write": ctx.can(Permission.JOBS_WRITE)
        or ctx.can(Permission.ORGANIZATION_SETTINGS_WRITE),
    }


def _form_context(
    ctx: Ctx, template_id: uuid.UUID | None, name: str, is_default: bool, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        **_base(ctx),
        "template_id": template_id,
        "form": {"name": name, "is_default": is_default},
        "rows": rows,
        "kinds": list(STAGE_KINDS),
        "errors": {},
    }


def _submitted_stages(submitted: Any) -> list[dict[str, Any]]:
    """The stage rows of the editor in the order their `position-N` fields give (rows with
    neither key nor name are left out)."""
    rows = []
    for index in range(20 + BLANK_STAGE_ROWS):
        key = str(submitted.get(f"key-{index}", "")).strip()
        name = str(submitted.get(f"name-{index}", "")).strip()
        if not key and not name:
            continue
        kind = str(submitted.get(f"kind-{index}", "active"))
        position = str(submitted.get(f"position-{index}", "")).strip()
        order = int(position) if position.isdigit() and len(position) < 4 else index + 1
        rows.append((order, index, {"key": key, "name": name, "kind": kind}))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


@router.get("/stage-templates", response_class=HTMLResponse)
async def stage_templates_page(request: Request, ctx: OrgCtx, session: DbSession) -> HTMLResponse:
    context = await _templates_context(session, ctx)
    return templates.TemplateResponse(request, "applications/stage_templates.html", context)


@router.get("/stage-templates/new", response_class=HTMLResponse)
async def new_stage_template_page(request: Request, ctx: OrgCtx) -> HTMLResponse:
    stages.require_template_reader(ctx)
    rows = _stage_rows([dict(s) for s in stages.DEFAULT_STAGES])
    context = _form_context(ctx, None, "", False, rows)
    return templates.TemplateResponse(request, "applications/stage_template_form.html", context)


@router.get("/stage-templates/{stage_template_id}", response_class=HTMLResponse)
async def edit_stage_template_page(
    request: Request, stage_template_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    template = await stages.get_stage_template(session, ctx, stage_template_id)
    rows = _stage_rows(list(template.stages))
    context = _form_context(ctx, template.id, template.name, template.is_default, rows)
    return templates.TemplateResponse(request, "applications/stage_template_form.html", context)


async def _save_template(
    request: Request,
    ctx: Ctx,
    session: AsyncSession,
    origin: Any,
    template_id: uuid.UUID | None,
) -> Response:
    submitted = await request.form()
    name = str(submitted.get("name", "")).strip()
    is_default = submitted.get("is_default") == "on"
    stage_rows = _submitted_stages(submitted)
    try:
        try:
            body = StageTemplateCreate.model_validate(
                {"name": name, "is_default": is_default, "stages": stage_rows}
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = first["loc"][0] if first["loc"] else ""
            message = (
                "Give the template a name (up to 120 characters)."
                if where == "name"
                else "Check the stages: 2 to 20, each with a key (lowercase letters, digits and "
                "_, starting with a letter, up to 40) and a name (up to 80 characters)."
            )
            raise Invalid(message, extra={"field": str(where)}) from exc
        if template_id is None:
            await stages.create_stage_template(session, ctx, body, origin)
            notice = "stage-template-created"
        else:
            update = StageTemplateUpdate.model_validate(body.model_dump())
            await stages.update_stage_template(session, ctx, template_id, update, origin)
            notice = "stage-template-saved"
    except AppError as exc:
        context = _form_context(ctx, template_id, name, is_default, _stage_rows(stage_rows))
        refuse(
            request,
            exc,
            "applications/stage_template_form.html",
            context,
            fields={"name": "name", "stages": "stages"},
        )
    return see_other(_templates_url(ctx), notice=notice)


@router.post("/stage-templates", response_class=HTMLResponse)
async def create_stage_template(
    request: Request, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    return await _save_template(request, ctx, session, origin, None)


@router.post("/stage-templates/{stage_template_id}", response_class=HTMLResponse)
async def update_stage_template(
    request: Request,
    stage_template_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    return await _save_template(request, ctx, session, origin, stage_template_id)


@router.post("/stage-templates/{stage_template_id}/default", response_class=HTMLResponse)
async def make_default_stage_template(
    stage_template_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await stages.make_default(session, ctx, stage_template_id, origin)
    return see_other(_templates_url(ctx), notice="stage-template-default")


@router.post("/stage-templates/{stage_template_id}/delete", response_class=HTMLResponse)
async def delete_stage_template(
    stage_template_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await stages.delete_stage_template(session, ctx, stage_template_id, origin)
    return see_other(_templates_url(ctx), notice="stage-template-deleted")
