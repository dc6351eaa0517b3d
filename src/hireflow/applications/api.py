"""Applications and pipelines JSON routes: stage templates, a job's stages and board,
applications (apply, read, move, reject, hire, reopen, score), feedback and private notes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from hireflow.api import API_PREFIX
from hireflow.applications import service, stages
from hireflow.applications.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationReadWithNotes,
    ApplicationUpdate,
    BulkMoveIn,
    BulkRejectIn,
    BulkResult,
    FeedbackIn,
    FeedbackList,
    FeedbackRead,
    JobStageRead,
    MoveIn,
    NoteIn,
    NoteRead,
    Pipeline,
    RejectIn,
    StageSpec,
    StageTemplateCreate,
    StageTemplateList,
    StageTemplateRead,
    StageTemplateUpdate,
)
from hireflow.authz.context import OrgCtx
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin

router = APIRouter(prefix=API_PREFIX, tags=["applications"])

ORG = "/organizations/{organization_id}"
APPLICATION = ORG + "/applications/{application_id}"
Cursor = Annotated[str | None, Query(max_length=200)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found (or another organization's)"}
}


# --- stage templates ------------------------------------------------------------------------------


@router.get(ORG + "/stage-templates", response_model=StageTemplateList, summary="Stage templates")
async def list_stage_templates(ctx: OrgCtx, session: DbSession) -> StageTemplateList:
    templates = await stages.list_stage_templates(session, ctx)
    return StageTemplateList(
        items=[StageTemplateRead.model_validate(t) for t in templates],
        built_in=[StageSpec.model_validate(s) for s in stages.DEFAULT_STAGES],
    )


@router.post(
    ORG + "/stage-templates",
    response_model=StageTemplateRead,
    status_code=201,
    summary="Create a stage template",
    responses={409: {"description": "A template has this name"}},
)
async def create_stage_template(
    body: StageTemplateCreate, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> StageTemplateRead:
    template = await stages.create_stage_template(session, ctx, body, origin)
    return StageTemplateRead.model_validate(template)


@router.get(
    ORG + "/stage-templates/{stage_template_id}",
    response_model=StageTemplateRead,
    summary="One stage template",
    responses=NOT_FOUND,
)
async def read_stage_template(
    stage_template_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> StageTemplateRead:
    template = await stages.get_stage_template(session, ctx, stage_template_id)
    return StageTemplateRead.model_validate(template)


@router.put(
    ORG + "/stage-templates/{stage_template_id}",
    response_model=StageTemplateRead,
    summary="Replace a stage template (existing jobs keep their stages)",
    responses=NOT_FOUND,
)
async def update_stage_template(
    stage_template_id: uuid.UUID,
    body: StageTemplateUpdate,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> StageTemplateRead:
    template = await stages.update_stage_template(session, ctx, stage_template_id, body, origin)
    return StageTemplateRead.model_validate(template)


@router.delete(
    ORG + "/stage-templates/{stage_template_id}",
    status_code=204,
    summary="Delete a stage template",
    responses=NOT_FOUND,
)
async def delete_stage_template(
    stage_template_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await stages.delete_stage_template(session, ctx, stage_template_id, origin)
    return Response(status_code=204)


# --- a job's stages, applications and board -------------------------------------------------------


@router.get(
    ORG + "/jobs/{job_id}/stages",
    response_model=list[JobStageRead],
    summary="A job's pipeline stages, in order",
    responses=NOT_FOUND,
)
async def list_job_stages(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> list[JobStageRead]:
    return [JobStageRead.model_validate(s) for s in await service.job_stages(session, ctx, job_id)]


@router.get(
    ORG + "/jobs/{job_id}/applications",
    response_model=ApplicationPage,
    summary="A job's applications, longest in their stage first (keyset pages)",
    responses=NOT_FOUND,
)
async def list_job_applications(
    job_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    stage_id: uuid.UUID | None = None,
    status: Literal["active", "hired", "rejected", "withdrawn"] | None = None,
    selected: bool | None = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ApplicationPage:
    return await service.list_applications(
        session,
        ctx,
        job_id,
        stage_id=stage_id,
        status=status,
        selected=selected,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    ORG + "/jobs/{job_id}/pipeline",
    response_model=Pipeline,
    summary="The pipeline board: every stage with its count and first cards",
    responses=NOT_FOUND,
)
async def read_pipeline(
    job_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    per_stage: Annotated[int, Query(ge=1, le=service.MAX_PER_STAGE)] = 50,
) -> Pipeline:
    return await service.pipeline(session, ctx, job_id, per_stage=per_stage)


# --- applications ---------------------------------------------------------------------------------


@router.post(
    ORG + "/applications",
    response_model=ApplicationReadWithNotes | ApplicationRead,
    status_code=201,
    summary="Put a candidate on a job's pipeline",
    responses={409: {"description": "Already applied (`application_id`), or the job is closed"}},
)
async def create_application(
    body: ApplicationCreate, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> ApplicationRead:
    application = await service.apply(session, ctx, body, origin)
    return await service.application_detail(session, ctx, application.id)


@router.post(
    ORG + "/applications/bulk-move",
    response_model=BulkResult,
    summary="Move applications of one job to a stage: all or nothing",
)
async def bulk_move(
    body: BulkMoveIn, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> BulkResult:
    moved = await service.bulk_move(
        session,
        ctx,
        body.application_ids,
        stage_id=body.stage_id,
        reason=body.reason,
        origin=origin,
    )
    return BulkResult(moved=len(moved), application_ids=[a.id for a in moved])


@router.post(
    ORG + "/applications/bulk-reject",
    response_model=BulkResult,
    summary="Reject applications of one job with a reason: all or nothing",
)
async def bulk_reject(
    body: BulkRejectIn, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> BulkResult:
    rejected = await service.bulk_reject(
        session, ctx, body.application_ids, reason=body.reason, origin=origin
    )
    return BulkResult(moved=len(rejected), application_ids=[a.id for a in rejected])


@router.get(
    APPLICATION,
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="One application: candidate, job, stage, history, feedback (and notes with notes:read)",
    responses=NOT_FOUND,
)
async def read_application(
    application_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> ApplicationRead:
    return await service.application_detail(session, ctx, application_id)


@router.patch(
    APPLICATION,
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="Score (0–100 or null) and select",
    responses=NOT_FOUND,
)
async def update_application(
    application_id: uuid.UUID,
    body: ApplicationUpdate,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> ApplicationRead:
    await service.update(session, ctx, application_id, body, origin)
    return await service.application_detail(session, ctx, application_id)


@router.post(
    APPLICATION + "/move",
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="Move to another stage of the job",
    responses={
        **NOT_FOUND,
        409: {"description": "Moved meanwhile (`current_stage_id`), or closed"},
    },
)
async def move_application(
    application_id: uuid.UUID, body: MoveIn, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> ApplicationRead:
    await service.move(
        session,
        ctx,
        application_id,
        stage_id=body.stage_id,
        expected_stage_id=body.expected_stage_id,
        reason=body.reason,
        origin=origin,
    )
    return await service.application_detail(session, ctx, application_id)


@router.post(
    APPLICATION + "/reject",
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="Reject, with a reason",
    responses=NOT_FOUND,
)
async def reject_application(
    application_id: uuid.UUID,
    body: RejectIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> ApplicationRead:
    await service.reject(session, ctx, application_id, reason=body.reason, origin=origin)
    return await service.application_detail(session, ctx, application_id)


@router.post(
    APPLICATION + "/hire",
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="Hire",
    responses=NOT_FOUND,
)
async def hire_application(
    application_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> ApplicationRead:
    await service.hire(session, ctx, application_id, origin=origin)
    return await service.application_detail(session, ctx, application_id)


@router.post(
    APPLICATION + "/reopen",
    response_model=ApplicationReadWithNotes | ApplicationRead,
    summary="Reopen a rejected or hired application",
    responses=NOT_FOUND,
)
async def reopen_application(
    application_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> ApplicationRead:
    await service.reopen(session, ctx, application_id, origin=origin)
    return await service.application_detail(session, ctx, application_id)


# --- feedback -------------------------------------------------------------------------------------


@router.get(
    APPLICATION + "/feedback",
    response_model=FeedbackList,
    summary="All feedback, with the average",
    responses=NOT_FOUND,
)
async def list_feedback(application_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> FeedbackList:
    return await service.feedback_list(session, ctx, application_id)


@router.put(
    APPLICATION + "/feedback",
    response_model=FeedbackRead,
    summary="My feedback (created or replaced)",
    responses=NOT_FOUND,
)
async def save_feedback(
    application_id: uuid.UUID,
    body: FeedbackIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> FeedbackRead:
    feedback = await service.save_feedback(session, ctx, application_id, body, origin)
    return service.feedback_read(feedback, ctx.user.name if ctx.user else None)


@router.delete(
    APPLICATION + "/feedback/{feedback_id}",
    status_code=204,
    summary="Delete my feedback",
    responses={**NOT_FOUND, 403: {"description": "Not its author"}},
)
async def delete_feedback(
    application_id: uuid.UUID,
    feedback_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    await service.delete_feedback(session, ctx, application_id, feedback_id, origin)
    return Response(status_code=204)


# --- private notes --------------------------------------------------------------------------------


@router.get(
    APPLICATION + "/notes",
    response_model=list[NoteRead],
    summary="Private notes (needs notes:read)",
    responses=NOT_FOUND,
)
async def list_notes(application_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> list[NoteRead]:
    return await service.list_notes(session, ctx, application_id)


@router.post(
    APPLICATION + "/notes",
    response_model=NoteRead,
    status_code=201,
    summary="Add a private note",
    responses=NOT_FOUND,
)
async def add_note(
    application_id: uuid.UUID, body: NoteIn, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> NoteRead:
    note = await service.add_note(session, ctx, application_id, body.body, origin)
    return service.note_read(note, ctx.user.name if ctx.user else None)


@router.patch(
    APPLICATION + "/notes/{note_id}",
    response_model=NoteRead,
    summary="Edit my note",
    responses={**NOT_FOUND, 403: {"description": "Not its author"}},
)
async def edit_note(
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> NoteRead:
    note = await service.edit_note(session, ctx, application_id, note_id, body.body, origin)
    return service.note_read(note, ctx.user.name if ctx.user else None)


@router.delete(
    APPLICATION + "/notes/{note_id}",
    status_code=204,
    summary="Delete my note",
    responses={**NOT_FOUND, 403: {"description": "Not its author"}},
)
async def delete_note(
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    await service.delete_note(session, ctx, application_id, note_id, origin)
    return Response(status_code=204)
