"""Jobs JSON routes: jobs, their status, versions and assignees; job templates; CSV imports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile

from hireflow.api import API_PREFIX
from hireflow.authz.context import Ctx, OrgCtx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.jobs import imports, service
from hireflow.jobs.schemas import (
    AssigneeRead,
    ImportRead,
    ImportResult,
    JobCreate,
    JobPage,
    JobRead,
    JobStatus,
    JobUpdate,
    SaveAsTemplate,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    VersionDiff,
    VersionRead,
    VersionSummary,
)
from hireflow.models import JobAssignment, User

router = APIRouter(prefix=API_PREFIX, tags=["jobs"])

JOBS = "/organizations/{organization_id}/jobs"
JOB = JOBS + "/{job_id}"
TEMPLATES = "/organizations/{organization_id}/job-templates"
IMPORTS = "/organizations/{organization_id}/job-imports"

Writer = Annotated[Ctx, Depends(requires(Permission.JOBS_WRITE))]
VersionNumber = Annotated[int, Path(ge=1, le=1_000_000)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job (or not visible to you)."}
}


@router.get(JOBS, response_model=JobPage, summary="Jobs, newest first")
async def list_jobs(
    ctx: OrgCtx,
    session: DbSession,
    status: JobStatus | None = None,
    department: Annotated[str | None, Query(max_length=120)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words of the title")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> JobPage:
    page = await service.list_jobs(
        session, ctx, status=status, department=department, q=q, cursor=cursor, limit=limit
    )
    return JobPage(
        items=[JobRead.model_validate(job) for job in page.items], next_cursor=page.next_cursor
    )


@router.post(
    JOBS,
    response_model=JobRead,
    status_code=201,
    summary="Create a job (a draft), optionally from a template",
)
async def create_job(
    body: JobCreate, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return JobRead.model_validate(await service.create_job(session, ctx, body, origin))


@router.get(JOB, response_model=JobRead, summary="One job", responses=NOT_FOUND)
async def read_job(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> JobRead:
    return JobRead.model_validate(await service.get_job(session, ctx, job_id))


@router.patch(
    JOB,
    response_model=JobRead,
    summary="Change a job's content (a new version when anything changes)",
    responses={**NOT_FOUND, 409: {"description": "The job is archived"}},
)
async def update_job(
    job_id: uuid.UUID, body: JobUpdate, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return JobRead.model_validate(await service.update_job(session, ctx, job_id, body, origin))


STATUS_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "Not allowed from the job's current status"},
}


async def _change_status(
    action: str, job_id: uuid.UUID, ctx: Ctx, session: DbSession, origin: RequestOrigin
) -> JobRead:
    job = await service.change_status(session, ctx, job_id, action, origin)
    return JobRead.model_validate(job)


@router.post(
    JOB + "/open",
    response_model=JobRead,
    summary="Open a draft or on-hold job",
    responses=STATUS_RESPONSES,
)
async def open_job(
    job_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return await _change_status("open", job_id, ctx, session, origin)


@router.post(
    JOB + "/hold",
    response_model=JobRead,
    summary="Put an open job on hold",
    responses=STATUS_RESPONSES,
)
async def hold_job(
    job_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return await _change_status("hold", job_id, ctx, session, origin)


@router.post(
    JOB + "/close",
    response_model=JobRead,
    summary="Close an open or on-hold job",
    responses=STATUS_RESPONSES,
)
async def close_job(
    job_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return await _change_status("close", job_id, ctx, session, origin)


@router.post(
    JOB + "/reopen",
    response_model=JobRead,
    summary="Reopen a closed job",
    responses=STATUS_RESPONSES,
)
async def reopen_job(
    job_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return await _change_status("reopen", job_id, ctx, session, origin)


@router.post(
    JOB + "/archive",
    response_model=JobRead,
    summary="Archive a job (final: it becomes read-only)",
    responses=STATUS_RESPONSES,
)
async def archive_job(
    job_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> JobRead:
    return await _change_status("archive", job_id, ctx, session, origin)


# --- versions ------------------------------------------------------------------------------------


@router.get(
    JOB + "/versions", response_model=list[VersionSummary], summary="A job's versions, newest first"
)
async def list_versions(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> list[VersionSummary]:
    versions = await service.list_versions(session, ctx, job_id)
    return [VersionSummary.model_validate(v) for v in versions]


@router.get(JOB + "/versions/{number}", response_model=VersionRead, summary="One version")
async def read_version(
    job_id: uuid.UUID, number: VersionNumber, ctx: OrgCtx, session: DbSession
) -> VersionRead:
    return VersionRead.model_validate(await service.get_version(session, ctx, job_id, number))


@router.get(
    JOB + "/versions/{number}/diff",
    response_model=VersionDiff,
    summary="What changed from version `against` (default: the previous one) to this one",
)
async def diff_version(
    job_id: uuid.UUID,
    number: VersionNumber,
    ctx: OrgCtx,
    session: DbSession,
    against: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> VersionDiff:
    return await service.diff_versions(session, ctx, job_id, number, against)


@router.post(
    JOB + "/versions/{number}/restore",
    response_model=JobRead,
    summary="Make a version's content current again (as a new version)",
    responses={409: {"description": "Archived, or already this content"}},
)
async def restore_version(
    job_id: uuid.UUID,
    number: VersionNumber,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> JobRead:
    job = await service.restore_version(session, ctx, job_id, number, origin)
    return JobRead.model_validate(job)


# --- assignees -----------------------------------------------------------------------------------


def _assignee(assignment: JobAssignment, user: User) -> AssigneeRead:
    return AssigneeRead(
        user_id=user.id,
        name=user.name,
        email=user.email,
        assigned_by_user_id=assignment.assigned_by_user_id,
        assigned_at=assignment.created_at,
    )


@router.get(
    JOB + "/assignees", response_model=list[AssigneeRead], summary="Members assigned to a job"
)
async def list_assignees(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> list[AssigneeRead]:
    rows = await service.list_assignees(session, ctx, job_id)
    return [_assignee(a, u) for a, u in rows]


@router.put(
    JOB + "/assignees/{user_id}",
    response_model=AssigneeRead,
    summary="Assign a member to a job (idempotent)",
    responses={404: {"description": "No such job, or the user is not a member"}},
)
async def assign(
    job_id: uuid.UUID, user_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> AssigneeRead:
    assignment, user = await service.assign(session, ctx, job_id, user_id, origin)
    return _assignee(assignment, user)


@router.delete(JOB + "/assignees/{user_id}", status_code=204, summary="Remove a member from a job")
async def unassign(
    job_id: uuid.UUID, user_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.unassign(session, ctx, job_id, user_id, origin)
    return Response(status_code=204)


# --- templates -----------------------------------------------------------------------------------


@router.post(
    JOB + "/save-as-template",
    response_model=TemplateRead,
    status_code=201,
    summary="A new job template with this job's content",
    responses={409: {"description": "A template with this name exists"}},
)
async def save_as_template(
    job_id: uuid.UUID,
    body: SaveAsTemplate,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> TemplateRead:
    template = await service.save_as_template(session, ctx, job_id, body, origin)
    return TemplateRead.model_validate(template)


@router.get(TEMPLATES, response_model=list[TemplateRead], summary="Job templates, by name")
async def list_templates(ctx: OrgCtx, session: DbSession) -> list[TemplateRead]:
    return [TemplateRead.model_validate(t) for t in await service.list_templates(session, ctx)]


@router.post(
    TEMPLATES,
    response_model=TemplateRead,
    status_code=201,
    summary="Create a job template (from fields, or from a job with `from_job_id`)",
    responses={409: {"description": "A template with this name exists"}},
)
async def create_template(
    body: TemplateCreate, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> TemplateRead:
    template = await service.create_template(session, ctx, body, origin)
    return TemplateRead.model_validate(template)


@router.get(TEMPLATES + "/{template_id}", response_model=TemplateRead, summary="One job template")
async def read_template(template_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> TemplateRead:
    return TemplateRead.model_validate(await service.get_template(session, ctx, template_id))


@router.patch(
    TEMPLATES + "/{template_id}",
    response_model=TemplateRead,
    summary="Rename a job template or change its fields",
)
async def update_template(
    template_id: uuid.UUID,
    body: TemplateUpdate,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> TemplateRead:
    template = await service.update_template(session, ctx, template_id, body, origin)
    return TemplateRead.model_validate(template)


@router.delete(TEMPLATES + "/{template_id}", status_code=204, summary="Delete a job template")
async def delete_template(
    template_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.delete_template(session, ctx, template_id, origin)
    return Response(status_code=204)


# --- CSV imports ---------------------------------------------------------------------------------


@router.post(
    IMPORTS,
    response_model=ImportRead,
    status_code=201,
    summary="Upload a CSV of jobs: checked row by row and kept for import",
    responses={422: {"description": "The file cannot be read (encoding, header, columns)"}},
)
async def preview_import(
    file: Annotated[UploadFile, File(description="CSV, UTF-8, with a header row")],
    ctx: Writer,
    session: DbSession,
) -> ImportRead:
    data = await file.read()
    batch = await imports.preview_import(
        session, ctx, filename=file.filename or "jobs.csv", data=data
    )
    return imports.import_read(batch)


@router.get(IMPORTS + "/{import_id}", response_model=ImportRead, summary="A CSV upload's report")
async def read_import(import_id: uuid.UUID, ctx: Writer, session: DbSession) -> ImportRead:
    return imports.import_read(await imports.get_import(session, ctx, import_id))


@router.post(
    IMPORTS + "/{import_id}/import",
    response_model=ImportResult,
    summary="Create every job of a previewed file, or none",
    responses={
        409: {"description": "Already imported"},
        422: {"description": "Rows have errors; nothing was imported"},
    },
)
async def run_import(
    import_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> ImportResult:
    batch = await imports.run_import(session, ctx, import_id, origin)
    return ImportResult(import_id=batch.id, imported_count=batch.imported_count or 0)
