"""Job rules: content validation, creation (stages, first version, assignment of a creator who
only sees assigned jobs), edits as versions, status transitions, templates and assignees.

Every read goes through `repository` (scoped by `readable_jobs`); every change checks
`jobs:write` and writes an audit event.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.stages import create_job_stages
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.authz.records import require_job_reader
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.jobs import repository
from hireflow.jobs.sanitize import sanitize_description
from hireflow.jobs.schemas import (
    CONTENT_FIELDS,
    FIELD_LABELS,
    FieldChange,
    JobCreate,
    JobDraft,
    JobUpdate,
    SaveAsTemplate,
    TemplateCreate,
    TemplateUpdate,
    VersionDiff,
)
from hireflow.kit import cursors
from hireflow.kit.clock import now
from hireflow.models import Job, JobAssignment, JobTemplate, JobVersion, User

DEFAULT_CONTENT: dict[str, Any] = {
    "description_html": "",
    "requirements": "",
    "skills": [],
    "location": None,
    "remote_policy": "onsite",
    "employment_type": "full_time",
    "salary_min": None,
    "salary_max": None,
    "salary_currency": None,
    "department": None,
    "headcount": 1,
}
# Content fields that must have a value (an explicit null is refused).
REQUIRED_FIELDS = {
    "title": "Give the job a title.",
    "remote_policy": "Choose onsite, hybrid or remote.",
    "employment_type": "Choose an employment type.",
    "headcount": "The headcount is a whole number of at least 1.",
}
STATUS_LABELS = {
    "draft": "Draft",
    "open": "Open",
    "on_hold": "On hold",
    "closed": "Closed",
    "archived": "Archived",
}
# action → (the statuses it applies to, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({"draft", "on_hold"}), "open"),
    "hold": (frozenset({"open"}), "on_hold"),
    "close": (frozenset({"open", "on_hold"}), "closed"),
    "reopen": (frozenset({"closed"}), "open"),
    "archive": (frozenset({"draft", "open", "on_hold", "closed"}), "archived"),
}
ACTION_LABELS = {
    "open": "Open",
    "hold": "Put on hold",
    "close": "Close",
    "reopen": "Reopen",
    "archive": "Archive",
}


# --- content -------------------------------------------------------------------------------------


def content_of(job: Job) -> dict[str, Any]:
    return {
        "title": job.title,
        "description_html": job.description_html,
        "requirements": job.requirements,
        "skills": list(job.skills),
        "location": job.location,
        "remote_policy": job.remote_policy,
        "employment_type": job.employment_type,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "salary_currency": job.salary_currency,
        "department": job.department,
        "headcount": job.headcount,
    }


def draft_changes(draft: JobDraft) -> dict[str, Any]:
    """The content fields `draft` sets, as stored: the description sanitized, empty text for a
    cleared description or requirements, no skills for cleared skills."""
    changes: dict[str, Any] = {}
    for name in draft.model_fields_set:
        value = getattr(draft, name)
        if name == "description":
            changes["description_html"] = sanitize_description(value or "")
        elif name == "requirements":
            changes[name] = (value or "").strip()
        elif name == "skills":
            changes[name] = value or []
        elif name in CONTENT_FIELDS:
            changes[name] = value
    return changes


def check_salary(content: dict[str, Any]) -> None:
    low, high = content.get("salary_min"), content.get("salary_max")
    if (low is not None or high is not None) and not content.get("salary_currency"):
        raise Invalid(
            "Give the salary's currency (such as EUR or USD).",
            extra={"field": "salary_currency"},
        )
    if low is not None and high is not None and low > high:
        raise Invalid("The minimum salary is more than the maximum.", extra={"field": "salary_min"})


def complete_content(content: dict[str, Any]) -> dict[str, Any]:
    """`content` with defaults for the fields it lacks, checked as a whole: required fields
    present, salary rules. Raises `Invalid` naming the field (`extra["field"]`)."""
    full = {**DEFAULT_CONTENT, **content}
    for name, message in REQUIRED_FIELDS.items():
        if full.get(name) in (None, ""):
            raise Invalid(message, extra={"field": name})
    check_salary(full)
    return {name: full[name] for name in CONTENT_FIELDS}


def _apply(job: Job, content: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        setattr(job, name, content[name])


def _summary(changed: list[str]) -> str:
    return ("Changed " + ", ".join(FIELD_LABELS[f].lower() for f in changed))[:300]


async def _add_version(
    session: AsyncSession, ctx: Ctx, job: Job, content: dict[str, Any], summary: str
) -> JobVersion:
    version = JobVersion(
        organization_id=job.organization_id,
        job_id=job.id,
        number=job.version,
        snapshot=content,
        summary=summary[:300],
        author_user_id=ctx.user.id if ctx.user else None,
    )
    session.add(version)
    await session.flush()
    return version


def reads_assigned_only(ctx: Ctx) -> bool:
    """Whether the caller sees only the jobs assigned to them (recruiters): a job they create
    or import is assigned to them, or they could not see it."""
    return ctx.user is not None and not ctx.can(Permission.JOBS_READ)


# --- jobs ----------------------------------------------------------------------------------------


async def get_job(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, for_update: bool = False
) -> Job:
    job = await repository.get_job(session, ctx, job_id, for_update=for_update)
    if job is None:
        raise NotFound("No job has this id.")
    return job


async def _writable_job(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> Job:
    ctx.require(Permission.JOBS_WRITE)
    job = await get_job(session, ctx, job_id, for_update=True)
    if job.status == "archived":
        raise Conflict(
            "This job is archived: it can no longer be changed.", extra={"job_status": job.status}
        )
    return job


async def create_job(session: AsyncSession, ctx: Ctx, body: JobCreate, origin: Origin) -> Job:
    ctx.require(Permission.JOBS_WRITE)
    base: dict[str, Any] = {}
    template: JobTemplate | None = None
    if body.template_id is not None:
        template = await repository.get_template(session, ctx.organization.id, body.template_id)
        if template is None:
            raise NotFound("No job template has this id.", extra={"field": "template_id"})
        base = {k: v for k, v in template.fields.items() if k in CONTENT_FIELDS}
    content = complete_content({**base, **draft_changes(body)})
    job = Job(
        organization_id=ctx.organization.id,
        status="draft",
        version=1,
        created_by_user_id=ctx.user.id if ctx.user else None,
    )
    _apply(job, content)
    session.add(job)
    await session.flush()
    await create_job_stages(session, job)
    summary = f"Created from template {template.name}" if template else "Created"
    await _add_version(session, ctx, job, content, summary)
    if reads_assigned_only(ctx):
        assert ctx.user is not None
        session.add(
            JobAssignment(
                organization_id=job.organization_id,
                job_id=job.id,
                user_id=ctx.user.id,
                assigned_by_user_id=ctx.user.id,
            )
        )
    await audit.record_by(
        session,
        ctx,
        "job.created",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"title": job.title, "template_id": str(template.id) if template else None},
    )
    await session.flush()
    await session.refresh(job)
    return job


async def update_job(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, body: JobUpdate, origin: Origin
) -> Job:
    job = await _writable_job(session, ctx, job_id)
    before = content_of(job)
    after = complete_content({**before, **draft_changes(body)})
    changed = [name for name in CONTENT_FIELDS if after[name] != before[name]]
    if not changed:
        return job
    _apply(job, after)
    job.version += 1
    await _add_version(session, ctx, job, after, _summary(changed))
    await audit.record_by(
        session,
        ctx,
        "job.updated",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"fields": changed, "version": job.version},
    )
    await session.flush()
    await session.refresh(job)
    return job


@dataclass(frozen=True)
class JobList:
    items: list[Job]
    next_cursor: str | None


async def list_jobs(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None = None,
    department: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> JobList:
    require_job_reader(ctx)
    after = cursors.decode(cursor)
    rows = await repository.list_jobs(
        session,
        ctx,
        status=status,
        department=(department or "").strip() or None,
        q=(q or "").strip() or None,
        after=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    items = rows[:limit]
    return JobList(
        items, cursors.encode(items[-1].created_at, items[-1].id) if more and items else None
    )


def allowed_actions(job: Job) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if job.status in sources]


async def change_status(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, action: str, origin: Origin
) -> Job:
    ctx.require(Permission.JOBS_WRITE)
    if action not in TRANSITIONS:
        raise NotFound("No such status action.")
    job = await get_job(session, ctx, job_id, for_update=True)
    sources, target = TRANSITIONS[action]
    if job.status not in sources:
        raise Conflict(
            f"A job that is {STATUS_LABELS[job.status].lower()} cannot be "
            f"{'moved to ' + STATUS_LABELS[target].lower() if action != 'reopen' else 'reopened'}.",
            extra={"job_status": job.status, "allowed_actions": allowed_actions(job)},
        )
    previous = job.status
    at = now()
    job.status = target
    if target == "open":
        job.opened_at = at
        job.closed_at = None
    elif target == "closed":
        job.closed_at = at
    elif target == "archived":
        job.archived_at = at
    await audit.record_by(
        session,
        ctx,
        "job.status_changed",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"from": previous, "to": target},
    )
    await session.flush()
    await session.refresh(job)
    return job


# --- versions ------------------------------------------------------------------------------------


async def list_versions(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> list[JobVersion]:
    job = await get_job(session, ctx, job_id)
    return await repository.list_versions(session, job.id)


async def get_version(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, number: int
) -> JobVersion:
    job = await get_job(session, ctx, job_id)
    version = await repository.get_version(session, job.id, number)
    if version is None:
        raise NotFound(f"This job has no version {number}.")
    return version


def snapshot_content(version: JobVersion) -> dict[str, Any]:
    """A version's content with every field (fields a snapshot lacks are None)."""
    return {name: version.snapshot.get(name) for name in CONTENT_FIELDS}


def _html_lines(html: str) -> list[str]:
    return re.sub(r"(</(?:p|li|h[2-4]|blockquote|pre|ul|ol)>|<br>)", r"\1\n", html).splitlines()


def diff_contents(
    before: dict[str, Any], after: dict[str, Any], *, before_name: str, after_name: str
) -> tuple[list[FieldChange], list[str]]:
    fields = [
        FieldChange(
            field=name,
            label=FIELD_LABELS[name],
            changed=before.get(name) != after.get(name),
            before=before.get(name),
            after=after.get(name),
        )
        for name in CONTENT_FIELDS
    ]
    lines = list(
        difflib.unified_diff(
            _html_lines(before.get("description_html") or ""),
            _html_lines(after.get("description_html") or ""),
            fromfile=before_name,
            tofile=after_name,
            lineterm="",
        )
    )
    return fields, lines


async def diff_versions(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, number: int, against: int | None
) -> VersionDiff:
    """Version `number` compared with version `against` (by default the one before it)."""
    await get_job(session, ctx, job_id)
    if against is None:
        if number <= 1:
            raise Invalid(
                "Version 1 has no earlier version: choose one with `against`.",
                extra={"field": "against"},
            )
        against = number - 1
    after = await get_version(session, ctx, job_id, number)
    before = await get_version(session, ctx, job_id, against)
    fields, lines = diff_contents(
        snapshot_content(before),
        snapshot_content(after),
        before_name=f"version {against}",
        after_name=f"version {number}",
    )
    return VersionDiff(
        job_id=job_id, number=number, against=against, fields=fields, description_diff=lines
    )


async def restore_version(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, number: int, origin: Origin
) -> Job:
    """Make the job's content that of version `number` again, as a new version."""
    job = await _writable_job(session, ctx, job_id)
    version = await repository.get_version(session, job.id, number)
    if version is None:
        raise NotFound(f"This job has no version {number}.")
    before = content_of(job)
    stored = {k: v for k, v in version.snapshot.items() if k in CONTENT_FIELDS}
    after = complete_content({**before, **stored})
    if after == before:
        raise Conflict(f"The job's content is already that of version {number}.")
    _apply(job, after)
    job.version += 1
    await _add_version(session, ctx, job, after, f"Restored version {number}")
    await audit.record_by(
        session,
        ctx,
        "job.version_restored",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"restored": number, "version": job.version},
    )
    await session.flush()
    await session.refresh(job)
    return job


# --- templates -----------------------------------------------------------------------------------


async def list_templates(session: AsyncSession, ctx: Ctx) -> list[JobTemplate]:
    require_job_reader(ctx)
    return await repository.list_templates(session, ctx.organization.id)


async def get_template(session: AsyncSession, ctx: Ctx, template_id: uuid.UUID) -> JobTemplate:
    require_job_reader(ctx)
    template = await repository.get_template(session, ctx.organization.id, template_id)
    if template is None:
        raise NotFound("No job template has this id.")
    return template


def _template_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Only set fields are kept (null removes one); the salary rules apply to what is set."""
    kept = {k: v for k, v in fields.items() if k in CONTENT_FIELDS and v is not None}
    check_salary(kept)
    return kept


async def _check_name(
    session: AsyncSession, ctx: Ctx, name: str, other_than: uuid.UUID | None = None
) -> None:
    if await repository.template_name_taken(
        session, ctx.organization.id, name, other_than=other_than
    ):
        raise Conflict("A job template with this name exists.", extra={"field": "name"})


async def _add_template(
    session: AsyncSession, ctx: Ctx, name: str, fields: dict[str, Any], origin: Origin
) -> JobTemplate:
    await _check_name(session, ctx, name)
    template = JobTemplate(
        organization_id=ctx.organization.id,
        name=name,
        fields=fields,
        created_by_user_id=ctx.user.id if ctx.user else None,
    )
    session.add(template)
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "job_template.created",
        origin=origin,
        target_type="job_template",
        target_id=template.id,
        data={"name": name},
    )
    await session.refresh(template)
    return template


async def create_template(
    session: AsyncSession, ctx: Ctx, body: TemplateCreate, origin: Origin
) -> JobTemplate:
    ctx.require(Permission.JOBS_WRITE)
    base: dict[str, Any] = {}
    if body.from_job_id is not None:
        job = await repository.get_job(session, ctx, body.from_job_id)
        if job is None:
            raise NotFound("No job has this id.", extra={"field": "from_job_id"})
        base = content_of(job)
    fields = _template_fields({**base, **draft_changes(body)})
    return await _add_template(session, ctx, body.name, fields, origin)


async def save_as_template(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, body: SaveAsTemplate, origin: Origin
) -> JobTemplate:
    ctx.require(Permission.JOBS_WRITE)
    job = await get_job(session, ctx, job_id)
    return await _add_template(session, ctx, body.name, _template_fields(content_of(job)), origin)


async def update_template(
    session: AsyncSession, ctx: Ctx, template_id: uuid.UUID, body: TemplateUpdate, origin: Origin
) -> JobTemplate:
    ctx.require(Permission.JOBS_WRITE)
    template = await get_template(session, ctx, template_id)
    changed: list[str] = []
    if body.name is not None and body.name != template.name:
        await _check_name(session, ctx, body.name, other_than=template.id)
        template.name = body.name
        changed.append("name")
    fields = _template_fields({**template.fields, **draft_changes(body)})
    if fields != template.fields:
        keys = set(fields) | set(template.fields)
        changed.extend(sorted(k for k in keys if fields.get(k) != template.fields.get(k)))
        template.fields = fields
    if changed:
        await audit.record_by(
            session,
            ctx,
            "job_template.updated",
            origin=origin,
            target_type="job_template",
            target_id=template.id,
            data={"fields": changed},
        )
        await session.flush()
        await session.refresh(template)
    return template


async def delete_template(
    session: AsyncSession, ctx: Ctx, template_id: uuid.UUID, origin: Origin
) -> None:
    ctx.require(Permission.JOBS_WRITE)
    template = await get_template(session, ctx, template_id)
    await audit.record_by(
        session,
        ctx,
        "job_template.deleted",
        origin=origin,
        target_type="job_template",
        target_id=template.id,
        data={"name": template.name},
    )
    await session.delete(template)
    await session.flush()


# --- assignees -----------------------------------------------------------------------------------


async def list_assignees(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID
) -> list[tuple[JobAssignment, User]]:
    job = await get_job(session, ctx, job_id)
    return await repository.list_assignees(session, job.id)


async def assign(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, user_id: uuid.UUID, origin: Origin
) -> tuple[JobAssignment, User]:
    """Assign a member to the job (assigning twice changes nothing)."""
    ctx.require(Permission.JOBS_WRITE)
    job = await get_job(session, ctx, job_id, for_update=True)
    user = await repository.member_user(session, ctx.organization.id, user_id)
    if user is None:
        raise NotFound("No member of the organization has this id.", extra={"field": "user_id"})
    existing = await repository.get_assignment(session, job.id, user.id)
    if existing is not None:
        return existing, user
    assignment = JobAssignment(
        organization_id=job.organization_id,
        job_id=job.id,
        user_id=user.id,
        assigned_by_user_id=ctx.user.id if ctx.user else None,
    )
    session.add(assignment)
    await session.flush()
    await session.refresh(assignment)
    await audit.record_by(
        session,
        ctx,
        "job.assignee_added",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"user_id": str(user.id), "email": user.email},
    )
    return assignment, user


async def unassign(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, user_id: uuid.UUID, origin: Origin
) -> None:
    ctx.require(Permission.JOBS_WRITE)
    job = await get_job(session, ctx, job_id, for_update=True)
    assignment = await repository.get_assignment(session, job.id, user_id)
    if assignment is None:
        raise NotFound("This member is not assigned to the job.")
    await session.delete(assignment)
    await audit.record_by(
        session,
        ctx,
        "job.assignee_removed",
        origin=origin,
        target_type="job",
        target_id=job.id,
        data={"user_id": str(user_id)},
    )
    await session.flush()


async def assignable_members(session: AsyncSession, ctx: Ctx) -> list[User]:
    """Members offered in the page's picker (only to those who may see the team)."""
    if not ctx.can(Permission.MEMBERS_READ):
        return []
    return await repository.members(session, ctx.organization.id)
