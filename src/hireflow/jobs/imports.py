"""Jobs from a CSV file: a preview (every row checked, a row-by-row error report and a sample),
then an all-or-nothing import of exactly the previewed file, written with bulk INSERTs so ten
thousand rows take seconds."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.stages import template_stages
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Invalid
from hireflow.imports import service as imports
from hireflow.jobs import repository
from hireflow.jobs.schemas import ImportRead, ImportRowError, JobDraft
from hireflow.jobs.service import complete_content, draft_changes, reads_assigned_only
from hireflow.kit.clock import now
from hireflow.kit.csv_rows import CsvRowError, read_csv
from hireflow.models import ImportBatch, Job, JobAssignment, JobStage, JobVersion

KIND = "jobs"
REQUIRED_COLUMNS = frozenset({"title"})
COLUMNS = frozenset(
    {
        "title",
        "description",
        "requirements",
        "skills",
        "location",
        "remote_policy",
        "employment_type",
        "salary_min",
        "salary_max",
        "salary_currency",
        "department",
        "headcount",
        "status",
    }
)
INTEGER_COLUMNS = ("salary_min", "salary_max", "headcount")
IMPORT_STATUSES = ("draft", "open")
SAMPLE_ROWS = 5
# The content field a validation error names → the file's column.
FIELD_COLUMNS = {"description_html": "description"}


@dataclass(frozen=True)
class ParsedRow:
    line: int
    status: str
    content: dict[str, Any]


def _description_html(value: str) -> str:
    """HTML as it is (sanitized later); plain text becomes paragraphs."""
    if "<" in value and ">" in value:
        return value
    paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def parse_row(line: int, values: dict[str, str]) -> tuple[ParsedRow | None, list[CsvRowError]]:
    errors: list[CsvRowError] = []
    data: dict[str, Any] = {}
    for column, value in values.items():
        if not value or column == "status":
            continue
        if column in INTEGER_COLUMNS:
            try:
                data[column] = int(value.replace(",", "").replace("_", "").replace(" ", ""))
            except ValueError:
                errors.append(CsvRowError(line, column, "Enter a whole number."))
        elif column == "skills":
            data[column] = value.split(";")
        elif column == "description":
            data[column] = _description_html(value)
        else:
            data[column] = value
    status = (values.get("status") or "draft").strip().lower()
    if status not in IMPORT_STATUSES:
        errors.append(CsvRowError(line, "status", "Use draft or open."))
    if not values.get("title"):
        errors.append(CsvRowError(line, "title", "A title is required."))
    try:
        draft = JobDraft.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = str(error["loc"][0]) if error["loc"] else None
            errors.append(CsvRowError(line, where, _message(error)))
        return None, errors
    if errors:
        return None, errors
    try:
        content = complete_content(draft_changes(draft))
    except Invalid as exc:
        field = exc.extra.get("field")
        named = FIELD_COLUMNS.get(str(field), str(field)) if field else None
        return None, [CsvRowError(line, named, exc.detail)]
    return ParsedRow(line, status, content), []


def parse_file(data: bytes) -> tuple[list[str], int, list[ParsedRow], list[CsvRowError]]:
    """The columns, the number of rows, the good rows and every error. A file that cannot be
    read as a whole raises `Invalid`."""
    table = read_csv(
        data, max_rows=imports.MAX_IMPORT_ROWS, required=REQUIRED_COLUMNS, known=COLUMNS
    )
    errors = list(table.errors)
    parsed: list[ParsedRow] = []
    for row in table.rows:
        good, row_errors = parse_row(row.line, row.values)
        if good is not None:
            parsed.append(good)
        errors.extend(row_errors)
    total = len(table.rows) + len({e.line for e in table.errors})
    return table.columns, total, parsed, errors


async def preview_import(
    session: AsyncSession, ctx: Ctx, *, filename: str, data: bytes
) -> ImportBatch:
    ctx.require(Permission.JOBS_WRITE)
    if not data:
        raise Invalid("The file is empty.", extra={"field": "file"})
    columns, total, parsed, errors = parse_file(data)
    sample = [
        {"line": row.line, "status": row.status, **row.content} for row in parsed[:SAMPLE_ROWS]
    ]
    return await imports.save_preview(
        session,
        ctx,
        kind=KIND,
        filename=filename,
        data=data,
        total_rows=total,
        errors=errors,
        columns=columns,
        extra={"sample": sample},
    )


async def get_import(session: AsyncSession, ctx: Ctx, import_id: uuid.UUID) -> ImportBatch:
    ctx.require(Permission.JOBS_WRITE)
    return await imports.get_batch(session, ctx, KIND, import_id)


async def run_import(
    session: AsyncSession, ctx: Ctx, import_id: uuid.UUID, origin: Origin
) -> ImportBatch:
    """Create every job of the previewed file, or none (any row error: 422; imported: 409)."""
    ctx.require(Permission.JOBS_WRITE)
    batch = await imports.get_batch(session, ctx, KIND, import_id)
    data = await imports.claim_for_import(session, batch)
    _, _, parsed, errors = parse_file(data)
    if errors:  # the preview found none; the rules may have changed since
        raise Invalid(
            f"{len({e.line for e in errors})} row(s) have errors: fix the file and preview it "
            "again. Nothing was imported.",
            extra={"errors": [e.as_dict() for e in errors[:100]]},
        )
    organization_id = ctx.organization.id
    author = ctx.user.id if ctx.user else None
    stages = await template_stages(session, organization_id)
    at = now()
    jobs: list[dict[str, Any]] = []
    job_stages: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    assign_to_self = reads_assigned_only(ctx)
    summary = f"Imported from {batch.filename}"[:300]
    for row in parsed:
        job_id = uuid.uuid4()
        jobs.append(
            {
                "id": job_id,
                "organization_id": organization_id,
                "status": row.status,
                "version": 1,
                "created_by_user_id": author,
                "opened_at": at if row.status == "open" else None,
                **row.content,
            }
        )
        job_stages.extend(
            {
                "id": uuid.uuid4(),
                "organization_id": organization_id,
                "job_id": job_id,
                "key": stage["key"],
                "name": stage["name"],
                "kind": stage.get("kind", "active"),
                "position": position,
            }
            for position, stage in enumerate(stages)
        )
        versions.append(
            {
                "id": uuid.uuid4(),
                "organization_id": organization_id,
                "job_id": job_id,
                "number": 1,
                "snapshot": row.content,
                "summary": summary,
                "author_user_id": author,
            }
        )
        if assign_to_self:
            assignments.append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": organization_id,
                    "job_id": job_id,
                    "user_id": author,
                    "assigned_by_user_id": author,
                }
            )
    await repository.insert_many(session, Job, jobs)
    await repository.insert_many(session, JobStage, job_stages)
    await repository.insert_many(session, JobVersion, versions)
    if assignments:
        await repository.insert_many(session, JobAssignment, assignments)
    imports.mark_imported(batch, len(jobs))
    await audit.record_by(
        session,
        ctx,
        "jobs.imported",
        origin=origin,
        target_type="import_batch",
        target_id=batch.id,
        data={"count": len(jobs), "filename": batch.filename},
    )
    await session.flush()
    return batch


def import_read(batch: ImportBatch) -> ImportRead:
    report = batch.report or {}
    return ImportRead(
        id=batch.id,
        filename=batch.filename,
        status=batch.status,
        total_rows=batch.total_rows,
        valid_rows=batch.total_rows - batch.error_rows,
        error_rows=batch.error_rows,
        columns=list(report.get("columns", [])),
        errors=[ImportRowError.model_validate(e) for e in report.get("errors", [])],
        errors_truncated=bool(report.get("errors_truncated")),
        sample=list(report.get("sample", [])),
        imported_count=batch.imported_count,
        created_at=batch.created_at,
        imported_at=batch.imported_at,
    )
