"""Importing candidates from a CSV file: preview (row errors and duplicates, nothing created),
then an all-or-nothing import of exactly the previewed file.

Columns: full_name (required), email, phone, headline, location, source, tags (";"-separated),
skills (";"-separated names, each optionally "name:level" with a level 1–5), links (";").
A row is a duplicate when its email (case-insensitively) or normalized phone is that of a live
candidate of the organization, or of an earlier row of the file. Importing with
`duplicates="skip"` leaves those rows out; with `"create"` they are created, for merging later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.candidates import repository
from hireflow.candidates.normalize import email_match_key, normalize_phone
from hireflow.candidates.schemas import CandidateCreate, ImportDuplicate, ImportRead
from hireflow.candidates.service import actor_id, record_audit
from hireflow.errors import Invalid
from hireflow.imports import service as batches
from hireflow.kit.clock import now
from hireflow.kit.csv_rows import CsvRowError, read_csv
from hireflow.models import ImportBatch
from hireflow.models.candidate import CANDIDATE_SOURCES

KIND = "candidates"
REQUIRED = frozenset({"full_name"})
KNOWN = frozenset(
    {"full_name", "email", "phone", "headline", "location", "source", "tags", "skills", "links"}
)
MAX_REPORTED_DUPLICATES = 1_000
PREVIEW_ROWS = 20


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    email_key: str | None
    phone_key: str | None


@dataclass
class Parsed:
    columns: list[str]
    rows: list[ParsedRow]
    errors: list[CsvRowError]


@dataclass
class Duplicate:
    line: int
    reasons: list[str] = field(default_factory=list)
    candidate_ids: list[uuid.UUID] = field(default_factory=list)
    same_as_line: int | None = None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _skills(value: str, line: int, errors: list[CsvRowError]) -> list[dict[str, Any]] | None:
    skills: list[dict[str, Any]] = []
    for part in _split(value):
        name, _, level = part.rpartition(":") if ":" in part else (part, "", "")
        level_value: int | None = None
        if level:
            if not level.strip().isdigit() or not 1 <= int(level) <= 5:
                errors.append(
                    CsvRowError(line, "skills", f"Skill level must be 1 to 5 (in {part!r}).")
                )
                return None
            level_value = int(level)
        skills.append({"name": name.strip(), "level": level_value, "years": None})
    return skills


def _message(error: Any) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def parse(data: bytes) -> Parsed:
    """The file's rows as candidate values, with every row's errors."""
    table = read_csv(data, max_rows=batches.MAX_IMPORT_ROWS, required=REQUIRED, known=KNOWN)
    errors = list(table.errors)
    rows: list[ParsedRow] = []
    for row in table.rows:
        v = row.values
        row_errors: list[CsvRowError] = []
        source = v.get("source", "").strip().lower() or "import"
        if source not in CANDIDATE_SOURCES:
            row_errors.append(
                CsvRowError(
                    row.line, "source", f"Source must be one of: {', '.join(CANDIDATE_SOURCES)}."
                )
            )
        skills = _skills(v.get("skills", ""), row.line, row_errors)
        raw: dict[str, Any] = {
            "full_name": v.get("full_name", ""),
            "email": v.get("email") or None,
            "phone": v.get("phone") or None,
            "headline": v.get("headline") or None,
            "location": v.get("location") or None,
            "source": source if source in CANDIDATE_SOURCES else "import",
            "tags": _split(v.get("tags", "")),
            "skills": skills or [],
            "links": _split(v.get("links", "")),
        }
        try:
            body = CandidateCreate.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                row_errors.append(CsvRowError(row.line, column, _message(error)))
        else:
            if v.get("phone") and body.phone and normalize_phone(body.phone) is None:
                row_errors.append(CsvRowError(row.line, "phone", "Not a phone number."))
            if not row_errors:
                values = body.model_dump()
                values["phone_normalized"] = normalize_phone(body.phone)
                rows.append(
                    ParsedRow(
                        row.line, values, email_match_key(body.email), values["phone_normalized"]
                    )
                )
        errors.extend(row_errors)
    return Parsed(table.columns, rows, errors)


async def find_duplicates(
    session: AsyncSession, organization_id: uuid.UUID, rows: list[ParsedRow]
) -> dict[int, Duplicate]:
    """Per line: the existing candidates and the earlier rows it duplicates."""
    emails = sorted({r.email_key for r in rows if r.email_key})
    phones = sorted({r.phone_key for r in rows if r.phone_key})
    by_email: dict[str, list[uuid.UUID]] = {}
    by_phone: dict[str, list[uuid.UUID]] = {}
    for candidate_id, email, phone in await repository.existing_contacts(
        session, organization_id, emails, phones
    ):
        if email:
            by_email.setdefault(email, []).append(candidate_id)
        if phone:
            by_phone.setdefault(phone, []).append(candidate_id)
    first_email: dict[str, int] = {}
    first_phone: dict[str, int] = {}
    found: dict[int, Duplicate] = {}
    for row in rows:
        dup = Duplicate(row.line)
        for key, existing, first, reason in (
            (row.email_key, by_email, first_email, "email"),
            (row.phone_key, by_phone, first_phone, "phone"),
        ):
            if not key:
                continue
            if key in existing:
                dup.reasons.append(reason)
                dup.candidate_ids.extend(i for i in existing[key] if i not in dup.candidate_ids)
            if key in first:
                if reason not in dup.reasons:
                    dup.reasons.append(reason)
                dup.same_as_line = dup.same_as_line or first[key]
            else:
                first[key] = row.line
        if dup.reasons:
            found[row.line] = dup
    return found


def _duplicate_report(duplicates: dict[int, Duplicate]) -> list[dict[str, Any]]:
    return [
        {
            "line": d.line,
            "reasons": d.reasons,
            "candidate_ids": [str(i) for i in d.candidate_ids],
            "same_as_line": d.same_as_line,
        }
        for d in list(duplicates.values())[:MAX_REPORTED_DUPLICATES]
    ]


async def preview_import(
    session: AsyncSession, ctx: Ctx, *, filename: str | None, data: bytes
) -> ImportBatch:
    ctx.require(Permission.CANDIDATES_WRITE)
    parsed = parse(data)
    duplicates = await find_duplicates(session, ctx.organization.id, parsed.rows)
    preview = [
        {"line": r.line, **{k: r.values[k] for k in ("full_name", "email", "phone", "source")}}
        | {"tags": r.values["tags"], "skills": [s["name"] for s in r.values["skills"]]}
        for r in parsed.rows[:PREVIEW_ROWS]
    ]
    return await batches.save_preview(
        session,
        ctx,
        kind=KIND,
        filename=filename or "candidates.csv",
        data=data,
        total_rows=len(parsed.rows) + len({e.line for e in parsed.errors}),
        errors=parsed.errors,
        columns=parsed.columns,
        extra={
            "duplicates": _duplicate_report(duplicates),
            "duplicates_truncated": len(duplicates) > MAX_REPORTED_DUPLICATES,
            "duplicate_rows": len(duplicates),
            "preview": preview,
        },
    )


async def get_import(session: AsyncSession, ctx: Ctx, import_id: uuid.UUID) -> ImportBatch:
    ctx.require(Permission.CANDIDATES_WRITE)
    return await batches.get_batch(session, ctx, KIND, import_id)


async def run_import(
    session: AsyncSession, ctx: Ctx, import_id: uuid.UUID, *, duplicates: str, origin: Origin
) -> ImportBatch:
    """Create the previewed file's candidates, all or none, in bulk."""
    ctx.require(Permission.CANDIDATES_WRITE)
    if duplicates not in ("skip", "create"):
        raise Invalid('duplicates must be "skip" or "create".', extra={"field": "duplicates"})
    batch = await batches.get_batch(session, ctx, KIND, import_id)
    data = await batches.claim_for_import(session, batch)
    parsed = parse(data)
    if parsed.errors:  # the rules changed since the preview
        raise Invalid("The file no longer passes the checks: preview it again.")
    found = await find_duplicates(session, ctx.organization.id, parsed.rows)
    at = now()
    actor = actor_id(ctx)
    candidates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    skipped = 0
    for row in parsed.rows:
        if duplicates == "skip" and row.line in found:
            skipped += 1
            continue
        candidate_id = uuid.uuid4()
        candidates.append(
            {
                **row.values,
                "id": candidate_id,
                "organization_id": ctx.organization.id,
                "created_at": at,
                "updated_at": at,
            }
        )
        events.append(
            {
                "id": uuid.uuid4(),
                "organization_id": ctx.organization.id,
                "candidate_id": candidate_id,
                "type": "created",
                "actor_user_id": actor,
                "data": {"source": "import", "import_id": str(batch.id), "line": row.line},
                "created_at": at,
            }
        )
    await repository.insert_candidates(session, candidates)
    await repository.insert_events(session, events)
    batches.mark_imported(batch, len(candidates))
    batch.report = {**batch.report, "skipped_count": skipped, "duplicates_mode": duplicates}
    await session.flush()
    await record_audit(
        session,
        ctx,
        origin,
        "candidate.imported",
        batch.id,
        {"created": len(candidates), "skipped": skipped, "duplicates": duplicates},
    )
    return batch


def import_read(batch: ImportBatch) -> ImportRead:
    report = batch.report or {}
    return ImportRead(
        id=batch.id,
        filename=batch.filename,
        status=batch.status,
        total_rows=batch.total_rows,
        error_rows=batch.error_rows,
        errors=report.get("errors", []),
        errors_truncated=bool(report.get("errors_truncated")),
        duplicates=[ImportDuplicate.model_validate(d) for d in report.get("duplicates", [])],
        duplicates_truncated=bool(report.get("duplicates_truncated")),
        duplicate_rows=int(report.get("duplicate_rows", 0)),
        preview=report.get("preview", []),
        imported_count=batch.imported_count,
        skipped_count=report.get("skipped_count"),
        created_at=batch.created_at,
        imported_at=batch.imported_at,
    )
