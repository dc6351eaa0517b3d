"""Jobs HTML pages: the list, new and edit forms, a job's page (status, assignees), its
versions (view, compare, restore), job templates and the CSV import (upload → preview →
import). Thin routes over the services the JSON API calls; forms post without JavaScript."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, OrgCtx, requires
from hireflow.authz.permissions import Permission
from hireflow.authz.records import require_job_reader
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import AppError, NotFound
from hireflow.jobs import imports, repository, service
from hireflow.jobs.sanitize import sanitize_description
from hireflow.jobs.schemas import (
    CONTENT_FIELDS,
    FIELD_LABELS,
    JobCreate,
    JobUpdate,
    SaveAsTemplate,
    TemplateCreate,
    TemplateUpdate,
)
from hireflow.models import Job, JobTemplate
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

Writer = Annotated[Ctx, Depends(requires(Permission.JOBS_WRITE))]
PAGE_SIZE = 25

register_notices(
    {
        "job-created": Notice("success", "Job created", "It is a draft until you open it."),
        "job-saved": Notice("success", "Job saved"),
        "job-unchanged": Notice("info", "Nothing changed", "No new version was made."),
        "job-status-changed": Notice("success", "Status changed"),
        "assignee-added": Notice("success", "Member assigned"),
        "assignee-removed": Notice("success", "Member unassigned"),
        "version-restored": Notice("success", "Version restored", "It is now the latest version."),
        "template-created": Notice("success", "Template created", "Start jobs from it here."),
        "template-saved": Notice("success", "Template saved"),
        "template-unchanged": Notice("info", "Nothing changed", "The template is as it was."),
        "template-deleted": Notice("success", "Template deleted"),
        "jobs-imported": Notice("success", "Jobs imported"),
    }
)

STATUS_TONES = {
    "draft": "neutral",
    "open": "success",
    "on_hold": "warning",
    "closed": "info",
    "archived": "neutral",
}
REMOTE_POLICIES = [("onsite", "Onsite"), ("hybrid", "Hybrid"), ("remote", "Remote")]
EMPLOYMENT_TYPES = [
    ("full_time", "Full time"),
    ("part_time", "Part time"),
    ("contract", "Contract"),
    ("temporary", "Temporary"),
    ("internship", "Internship"),
]
JOB_MESSAGES = {
    "title": "Give the job a title (200 characters at most).",
    "description": "Keep the description under 100,000 characters.",
    "requirements": "Keep the requirements under 20,000 characters.",
    "skills": "List at most 50 skills of up to 80 characters each.",
    "location": "Keep the location under 200 characters.",
    "remote_policy": "Choose onsite, hybrid or remote.",
    "employment_type": "Choose an employment type.",
    "salary_min": "Enter a whole number (0 or more), or leave it empty.",
    "salary_max": "Enter a whole number (0 or more), or leave it empty.",
    "salary_currency": "Enter an ISO currency code such as EUR or USD.",
    "department": "Keep the department under 120 characters.",
    "headcount": "Enter a whole number from 1 to 10,000.",
    "template_id": "Choose a template from the list.",
}
# Where a service error naming a content field goes on the form.
JOB_FIELDS = {name: name for name in JOB_MESSAGES} | {"description_html": "description"}
# A template sets any of the content fields: an empty one is not set.
TEMPLATE_MESSAGES = {k: v for k, v in JOB_MESSAGES.items() if k != "template_id"} | {
    "name": "Give the template a name (120 characters at most).",
    "title": "Keep the title under 200 characters, or leave it empty.",
    "remote_policy": "Choose onsite, hybrid or remote, or leave it not set.",
    "employment_type": "Choose an employment type, or leave it not set.",
    "headcount": "Enter a whole number from 1 to 10,000, or leave it empty.",
}
TEMPLATE_FIELDS = JOB_FIELDS | {"name": "name"}


def _base(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}"


def _job_url(ctx: Ctx, job_id: uuid.UUID) -> str:
    return f"{_base(ctx)}/jobs/{job_id}"


def _context(ctx: Ctx, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "tab": tab,
        "permissions": frozenset(p.value for p in ctx.permissions),
        "can_write": ctx.can(Permission.JOBS_WRITE),
        "status_labels": service.STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "remote_labels": dict(REMOTE_POLICIES),
        "employment_labels": dict(EMPLOYMENT_TYPES),
        **extra,
    }


# --- the list ------------------------------------------------------------------------------------


@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(
    request: Request,
    ctx: OrgCtx,
    session: DbSession,
    status: Annotated[str, Query(max_length=20)] = "",
    department: Annotated[str, Query(max_length=120)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    chosen_status = status if status in service.STATUS_LABELS else ""
    page = await service.list_jobs(
        session,
        ctx,
        status=chosen_status or None,
        department=department,
        q=q,
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    base = with_query(
        f"{_base(ctx)}/jobs",
        status=chosen_status or None,
        department=department.strip() or None,
        q=q.strip() or None,
    )
    context = _context(
        ctx,
        "jobs",
        jobs=page.items,
        filters={"status": chosen_status, "department": department.strip(), "q": q.strip()},
        filtered=bool(chosen_status or department.strip() or q.strip()),
        departments=await repository.departments(session, ctx),
        status_options=list(service.STATUS_LABELS.items()),
        first_url=base if cursor else None,
        next_url=with_query(base, cursor=page.next_cursor) if page.next_cursor else None,
    )
    return templates.TemplateResponse(request, "jobs/list.html", context)


# --- new and edit --------------------------------------------------------------------------------


def _form_of(job: Job | None = None, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """A job's (or a template's) content as the form shows it."""
    content: dict[str, Any] = service.content_of(job) if job else dict(fields or {})
    form = {name: content.get(name) for name in CONTENT_FIELDS}
    form["description"] = form.pop("description_html") or ""
    form["skills"] = ", ".join(form.get("skills") or [])
    for name, value in list(form.items()):
        form[name] = "" if value is None else str(value)
    return form


def _job_data(form: dict[str, str]) -> dict[str, Any]:
    """The form as the API's input: empty optional fields are null."""
    data: dict[str, Any] = {}
    for name, value in form.items():
        if name == "skills":
            data[name] = [s for s in re.split(r"[,\n]", value) if s.strip()]
        elif name in ("title", "description", "requirements"):
            data[name] = value
        else:
            data[name] = value.strip() or None
    return data


FormText = Annotated[str, Form(max_length=200_000)]
FormShort = Annotated[str, Form(max_length=1_000)]


def _content_form(
    title: FormShort = "",
    description: FormText = "",
    requirements: FormText = "",
    skills: FormText = "",
    location: FormShort = "",
    remote_policy: FormShort = "",
    employment_type: FormShort = "",
    salary_min: FormShort = "",
    salary_max: FormShort = "",
    salary_currency: FormShort = "",
    department: FormShort = "",
    headcount: FormShort = "",
) -> dict[str, str]:
    """The job content fields of a posted form (the job form and the template form share
    them), as typed."""
    return {
        "title": title,
        "description": description,
        "requirements": requirements,
        "skills": skills,
        "location": location,
        "remote_policy": remote_policy,
        "employment_type": employment_type,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_currency": salary_currency,
        "department": department,
        "headcount": headcount,
    }


ContentForm = Annotated[dict[str, str], Depends(_content_form)]


def _choices() -> dict[str, Any]:
    return {"remote_options": REMOTE_POLICIES, "employment_options": EMPLOYMENT_TYPES}


async def _new_context(
    session: AsyncSession, ctx: Ctx, form: dict[str, str], template_id: str
) -> dict[str, Any]:
    job_templates = await repository.list_templates(session, ctx.organization.id)
    return _context(
        ctx,
        "jobs",
        job=None,
        form=form,
        template_id=template_id,
        template_options=[(str(t.id), t.name) for t in job_templates],
        **_choices(),
    )


@router.get("/jobs/new", response_class=HTMLResponse)
async def new_job_page(
    request: Request,
    ctx: Writer,
    session: DbSession,
    template_id: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    fields: dict[str, Any] = {"remote_policy": "onsite", "employment_type": "full_time"}
    fields["headcount"] = 1
    chosen = ""
    if template_id:
        try:
            template = await service.get_template(session, ctx, uuid.UUID(template_id))
        except (ValueError, NotFound):
            template = None
        if template is not None:
            fields |= template.fields
            chosen = str(template.id)
    context = await _new_context(session, ctx, _form_of(fields=fields), chosen)
    return templates.TemplateResponse(request, "jobs/form.html", context)


@router.post("/jobs", response_class=HTMLResponse)
async def create_job(
    request: Request,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    form: ContentForm,
    template_id: FormShort = "",
) -> Response:
    try:
        data = _job_data(form) | {"template_id": template_id.strip() or None}
        body = validated(JobCreate, data, JOB_MESSAGES)
        job = await service.create_job(session, ctx, body, origin)
    except AppError as exc:
        context = await _new_context(session, ctx, form, template_id)
        refuse(request, exc, "jobs/form.html", context, fields=JOB_FIELDS)
    return see_other(_job_url(ctx, job.id), notice="job-created")


@router.get("/jobs/{job_id}/edit", response_class=HTMLResponse)
async def edit_job_page(
    request: Request, job_id: uuid.UUID, ctx: Writer, session: DbSession
) -> HTMLResponse:
    job = await service.get_job(session, ctx, job_id)
    context = _context(ctx, "jobs", job=job, form=_form_of(job), **_choices())
    return templates.TemplateResponse(request, "jobs/form.html", context)


@router.post("/jobs/{job_id}/edit", response_class=HTMLResponse)
async def update_job(
    request: Request,
    job_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    form: ContentForm,
) -> Response:
    job = await service.get_job(session, ctx, job_id)
    version = job.version
    try:
        body = validated(JobUpdate, _job_data(form), JOB_MESSAGES)
        job = await service.update_job(session, ctx, job_id, body, origin)
    except AppError as exc:
        context = _context(ctx, "jobs", job=job, form=form, **_choices())
        refuse(request, exc, "jobs/form.html", context, fields=JOB_FIELDS)
    notice = "job-saved" if job.version != version else "job-unchanged"
    return see_other(_job_url(ctx, job_id), notice=notice)


# --- a job ---------------------------------------------------------------------------------------


async def _job_context(session: AsyncSession, ctx: Ctx, job: Job, **extra: Any) -> dict[str, Any]:
    assignees = await repository.list_assignees(session, job.id)
    assigned = {user.id for _, user in assignees}
    members = await service.assignable_members(session, ctx)
    return _context(
        ctx,
        "jobs",
        job=job,
        description=Markup(sanitize_description(job.description_html)),  # noqa: S704
        actions=[(a, service.ACTION_LABELS[a]) for a in service.allowed_actions(job)],
        assignees=assignees,
        member_options=[
            (str(u.id), f"{u.name} ({u.email})") for u in members if u.id not in assigned
        ],
        **extra,
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(
    request: Request, job_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    job = await service.get_job(session, ctx, job_id)
    context = await _job_context(session, ctx, job)
    return templates.TemplateResponse(request, "jobs/detail.html", context)


@router.post("/jobs/{job_id}/status", response_class=HTMLResponse)
async def change_status(
    request: Request,
    job_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    action: FormShort = "",
) -> Response:
    try:
        if action not in service.TRANSITIONS:
            raise NotFound("Choose open, hold, close, reopen or archive.")
        await service.change_status(session, ctx, job_id, action, origin)
    except AppError as exc:
        job = await service.get_job(session, ctx, job_id)
        refuse(request, exc, "jobs/detail.html", await _job_context(session, ctx, job))
    return see_other(_job_url(ctx, job_id), notice="job-status-changed")


@router.post("/jobs/{job_id}/assignees", response_class=HTMLResponse)
async def add_assignee(
    request: Request,
    job_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    user_id: FormShort = "",
) -> Response:
    try:
        try:
            member_id = uuid.UUID(user_id)
        except ValueError as exc:
            raise NotFound("Choose a member of the organization.") from exc
        await service.assign(session, ctx, job_id, member_id, origin)
    except AppError as exc:
        job = await service.get_job(session, ctx, job_id)
        context = await _job_context(session, ctx, job)
        refuse(request, exc, "jobs/detail.html", context, default_field="user_id")
    return see_other(_job_url(ctx, job_id), notice="assignee-added")


@router.post("/jobs/{job_id}/assignees/{user_id}/remove", response_class=HTMLResponse)
async def remove_assignee(
    request: Request,
    job_id: uuid.UUID,
    user_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.unassign(session, ctx, job_id, user_id, origin)
    except AppError as exc:
        job = await service.get_job(session, ctx, job_id)
        refuse(request, exc, "jobs/detail.html", await _job_context(session, ctx, job))
    return see_other(_job_url(ctx, job_id), notice="assignee-removed")


@router.post("/jobs/{job_id}/save-as-template", response_class=HTMLResponse)
async def save_as_template(
    request: Request,
    job_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    name: FormShort = "",
) -> Response:
    try:
        body = validated(SaveAsTemplate, {"name": name}, {"name": "Give the template a name."})
        await service.save_as_template(session, ctx, job_id, body, origin)
    except AppError as exc:
        job = await service.get_job(session, ctx, job_id)
        context = await _job_context(session, ctx, job, form={"name": name})
        refuse(request, exc, "jobs/detail.html", context, fields={"name": "name"})
    return see_other(f"{_base(ctx)}/job-templates", notice="template-saved")


# --- versions ------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}/versions", response_class=HTMLResponse)
async def versions_page(
    request: Request, job_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    job = await service.get_job(session, ctx, job_id)
    versions = await repository.list_versions(session, job.id)
    authors = await repository.user_names(
        session, {v.author_user_id for v in versions if v.author_user_id}
    )
    context = _context(ctx, "jobs", job=job, versions=versions, authors=authors)
    return templates.TemplateResponse(request, "jobs/versions.html", context)


@router.get("/jobs/{job_id}/versions/{number}", response_class=HTMLResponse)
async def version_page(
    request: Request,
    job_id: uuid.UUID,
    number: int,
    ctx: OrgCtx,
    session: DbSession,
    against: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    job = await service.get_job(session, ctx, job_id)
    version = await service.get_version(session, ctx, job_id, number)
    other_number = int(against) if against.isdigit() else number - 1
    diff = None
    if other_number >= 1 and other_number != number:
        diff = await service.diff_versions(session, ctx, job_id, number, other_number)
    content = service.snapshot_content(version)
    numbers = [v.number for v in await repository.list_versions(session, job.id)]
    context = _context(
        ctx,
        "jobs",
        job=job,
        version=version,
        content=content,
        description=Markup(sanitize_description(content.get("description_html") or "")),  # noqa: S704
        labels=FIELD_LABELS,
        diff=diff,
        against=other_number if diff else None,
        other_numbers=[n for n in numbers if n != number],
        is_current=number == job.version,
    )
    return templates.TemplateResponse(request, "jobs/version.html", context)


@router.post("/jobs/{job_id}/versions/{number}/restore", response_class=HTMLResponse)
async def restore_version(
    request: Request,
    job_id: uuid.UUID,
    number: int,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.restore_version(session, ctx, job_id, number, origin)
    except AppError as exc:
        job = await service.get_job(session, ctx, job_id)
        versions = await repository.list_versions(session, job.id)
        authors = await repository.user_names(
            session, {v.author_user_id for v in versions if v.author_user_id}
        )
        context = _context(ctx, "jobs", job=job, versions=versions, authors=authors)
        refuse(request, exc, "jobs/versions.html", context)
    return see_other(_job_url(ctx, job_id), notice="version-restored")


# --- templates -----------------------------------------------------------------------------------


async def _templates_context(session: AsyncSession, ctx: Ctx) -> dict[str, Any]:
    require_job_reader(ctx)
    job_templates: list[JobTemplate] = await service.list_templates(session, ctx)
    return _context(ctx, "templates", job_templates=job_templates)


@router.get("/job-templates", response_class=HTMLResponse)
async def templates_page(request: Request, ctx: OrgCtx, session: DbSession) -> HTMLResponse:
    context = await _templates_context(session, ctx)
    return templates.TemplateResponse(request, "jobs/templates.html", context)


def _template_data(form: dict[str, str]) -> dict[str, Any]:
    """The form's content fields as the API's input; an empty one (blank text, no skills) is
    None: not set by the template."""
    data = _job_data(form)
    for name, value in data.items():
        if value == [] or (isinstance(value, str) and not value.strip()):
            data[name] = None
    return data


def _template_form_context(
    ctx: Ctx, form: dict[str, str], template: JobTemplate | None = None, name: str = ""
) -> dict[str, Any]:
    heading = f"Edit template {name}" if template else "New job template"
    return _context(
        ctx,
        "templates",
        template=template,
        heading=heading,
        form=form,
        **_choices(),
    )


def _template_form_of(template: JobTemplate) -> dict[str, str]:
    return {"name": template.name, **_form_of(fields=template.fields)}


@router.get("/job-templates/new", response_class=HTMLResponse)
async def new_template_page(request: Request, ctx: Writer) -> HTMLResponse:
    context = _template_form_context(ctx, {"name": "", **_form_of(fields={})})
    return templates.TemplateResponse(request, "jobs/template_form.html", context)


@router.post("/job-templates", response_class=HTMLResponse)
async def create_template(
    request: Request,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    form: ContentForm,
    name: FormShort = "",
) -> Response:
    try:
        data = {name: v for name, v in _template_data(form).items() if v is not None}
        body = validated(TemplateCreate, {"name": name, **data}, TEMPLATE_MESSAGES)
        await service.create_template(session, ctx, body, origin)
    except AppError as exc:
        context = _template_form_context(ctx, {"name": name, **form})
        refuse(request, exc, "jobs/template_form.html", context, fields=TEMPLATE_FIELDS)
    return see_other(f"{_base(ctx)}/job-templates", notice="template-created")


@router.get("/job-templates/{template_id}/edit", response_class=HTMLResponse)
async def edit_template_page(
    request: Request, template_id: uuid.UUID, ctx: Writer, session: DbSession
) -> HTMLResponse:
    template = await service.get_template(session, ctx, template_id)
    context = _template_form_context(ctx, _template_form_of(template), template, template.name)
    return templates.TemplateResponse(request, "jobs/template_form.html", context)


@router.post("/job-templates/{template_id}/edit", response_class=HTMLResponse)
async def update_template(
    request: Request,
    template_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    form: ContentForm,
    name: FormShort = "",
) -> Response:
    template = await service.get_template(session, ctx, template_id)
    before = (template.name, dict(template.fields))
    try:
        # The form shows every field: one the template sets and the form leaves empty is
        # removed (null, as in the API's PATCH); one that was empty already is left alone.
        current = _template_form_of(template)
        changes = {k: v for k, v in _template_data(form).items() if v is not None or current[k]}
        body = validated(TemplateUpdate, {"name": name, **changes}, TEMPLATE_MESSAGES)
        template = await service.update_template(session, ctx, template_id, body, origin)
    except AppError as exc:
        context = _template_form_context(ctx, {"name": name, **form}, template, before[0])
        refuse(request, exc, "jobs/template_form.html", context, fields=TEMPLATE_FIELDS)
    changed = (template.name, template.fields) != before
    notice = "template-saved" if changed else "template-unchanged"
    return see_other(f"{_base(ctx)}/job-templates", notice=notice)


@router.post("/job-templates/{template_id}/delete", response_class=HTMLResponse)
async def delete_template(
    request: Request,
    template_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.delete_template(session, ctx, template_id, origin)
    except AppError as exc:
        refuse(request, exc, "jobs/templates.html", await _templates_context(session, ctx))
    return see_other(f"{_base(ctx)}/job-templates", notice="template-deleted")


# --- CSV import ----------------------------------------------------------------------------------


@router.get("/job-imports/new", response_class=HTMLResponse)
async def import_page(request: Request, ctx: Writer) -> HTMLResponse:
    context = _context(ctx, "import", columns=sorted(imports.COLUMNS))
    return templates.TemplateResponse(request, "jobs/import.html", context)


@router.post("/job-imports", response_class=HTMLResponse)
async def upload_import(
    request: Request,
    ctx: Writer,
    session: DbSession,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        data = await file.read() if file is not None else b""
        filename = (file.filename if file is not None else None) or "jobs.csv"
        batch = await imports.preview_import(session, ctx, filename=filename, data=data)
    except AppError as exc:
        context = _context(ctx, "import", columns=sorted(imports.COLUMNS))
        refuse(request, exc, "jobs/import.html", context, default_field="file")
    return see_other(f"{_base(ctx)}/job-imports/{batch.id}")


@router.get("/job-imports/{import_id}", response_class=HTMLResponse)
async def import_preview_page(
    request: Request, import_id: uuid.UUID, ctx: Writer, session: DbSession
) -> HTMLResponse:
    batch = await imports.get_import(session, ctx, import_id)
    context = _context(ctx, "import", report=imports.import_read(batch), labels=FIELD_LABELS)
    return templates.TemplateResponse(request, "jobs/import_preview.html", context)


@router.post("/job-imports/{import_id}/import", response_class=HTMLResponse)
async def run_import(
    request: Request,
    import_id: uuid.UUID,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await imports.run_import(session, ctx, import_id, origin)
    except AppError as exc:
        batch = await imports.get_import(session, ctx, import_id)
        context = _context(ctx, "import", report=imports.import_read(batch), labels=FIELD_LABELS)
        refuse(request, exc, "jobs/import_preview.html", context)
    return see_other(f"{_base(ctx)}/job-imports/{import_id}", notice="jobs-imported")
