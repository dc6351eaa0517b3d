"""Import batches: saved at preview, loaded within the organization, marked imported once.

An import is all-or-nothing: a batch with row errors cannot be imported (fix the file and
preview again), and a batch is imported at most once (a second attempt is a 409).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.kit.clock import now
from hireflow.kit.csv_rows import CsvRowError
from hireflow.models import ImportBatch

MAX_IMPORT_ROWS = 20_000
MAX_REPORTED_ERRORS = 1_000


async def save_preview(
    session: AsyncSession,
    ctx: Ctx,
    *,
    kind: str,
    filename: str,
    data: bytes,
    total_rows: int,
    errors: list[CsvRowError],
    columns: list[str],
    extra: dict[str, object] | None = None,
) -> ImportBatch:
    errors = sorted(errors, key=lambda e: (e.line, e.column or ""))
    batch = ImportBatch(
        organization_id=ctx.organization.id,
        kind=kind,
        filename=filename[:255] or "import.csv",
        content=data,
        total_rows=total_rows,
        error_rows=len({e.line for e in errors}),
        report={
            "columns": columns,
            "errors": [e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
            "errors_truncated": len(errors) > MAX_REPORTED_ERRORS,
            **(extra or {}),
        },
        created_by_user_id=ctx.user.id if ctx.user else None,
    )
    session.add(batch)
    await session.flush()
    return batch


async def get_batch(session: AsyncSession, ctx: Ctx, kind: str, batch_id: uuid.UUID) -> ImportBatch:
    batch = await session.scalar(
        select(ImportBatch).where(
            ImportBatch.id == batch_id,
            ImportBatch.organization_id == ctx.organization.id,
            ImportBatch.kind == kind,
        )
    )
    if batch is None:
        raise NotFound("No import has this id.")
    return batch


async def claim_for_import(session: AsyncSession, batch: ImportBatch) -> bytes:
    """Lock the batch, check it can be imported, and return its file."""
    await session.refresh(batch, with_for_update=True)
    if batch.status == "imported":
        raise Conflict("This file was already imported.")
    if batch.error_rows:
        raise Invalid(
            f"{batch.error_rows} row(s) have errors: fix the file and preview it again. "
            "Nothing was imported.",
            extra={"errors": batch.report.get("errors", [])[:100]},
        )
    content = await session.scalar(select(ImportBatch.content).where(ImportBatch.id == batch.id))
    assert content is not None
    return content


def mark_imported(batch: ImportBatch, count: int) -> None:
    batch.status = "imported"
    batch.imported_count = count
    batch.imported_at = now()
