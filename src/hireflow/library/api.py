"""Library JSON routes: items (list, create, read, edit), the workflow (submit, approve, reject,
retire), versions, AI drafts from a job description, code runs, import and export."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Path, Query, Response, UploadFile

from hireflow.api import API_PREFIX
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import PayloadTooLarge
from hireflow.library import drafting, runs, service, transfer
from hireflow.library.schemas import (
    DraftRequest,
    DraftResult,
    Export,
    ImportReport,
    ItemDetail,
    ItemIn,
    ItemKind,
    ItemPage,
    ItemRead,
    Review,
    RunRead,
    RunRequest,
    Seniority,
    VersionRead,
    VersionStatus,
)

router = APIRouter(prefix=API_PREFIX, tags=["library"])

LIBRARY = "/organizations/{organization_id}/library"
ITEMS = LIBRARY + "/items"
ITEM = ITEMS + "/{item_id}"
VERSION = ITEM + "/versions/{number}"
MAX_UPLOAD = 5 * 1024 * 1024

Reader = Annotated[Ctx, Depends(requires(Permission.LIBRARY_READ))]
Writer = Annotated[Ctx, Depends(requires(Permission.LIBRARY_WRITE))]
Approver = Annotated[Ctx, Depends(requires(Permission.LIBRARY_APPROVE))]
Number = Annotated[int, Path(ge=1, le=1_000_000)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such library item."}}
WORKFLOW: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "Not allowed now; `allowed_actions` lists what is"},
}


async def detail(session: DbSession, ctx: Ctx, item_id: uuid.UUID) -> ItemDetail:
    view = await service.item_view(session, ctx, item_id)
    return ItemDetail(
        item=service.item_read(view.item, view.latest),
        live_version=view.live.number if view.live else None,
        allowed_actions=view.actions,
        versions=[VersionRead.model_validate(v) for v in view.versions],
    )


@router.get(ITEMS, response_model=ItemPage, summary="Library items, most recently changed first")
async def list_items(
    ctx: Reader,
    session: DbSession,
    kind: ItemKind | None = None,
    status: Annotated[VersionStatus | None, Query(description="Of the latest version")] = None,
    skill: Annotated[str | None, Query(max_length=60)] = None,
    seniority: Seniority | None = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    ai_generated: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> ItemPage:
    page = await service.list_items(
        session,
        ctx,
        kind=kind,
        status=status,
        skill=skill,
        seniority=seniority,
        category=category,
        ai_generated=ai_generated,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return ItemPage(items=page.reads(), next_cursor=page.next_cursor)


@router.post(ITEMS, response_model=ItemDetail, status_code=201, summary="Create an item (a draft)")
async def create_item(
    body: Annotated[ItemIn, Body()], ctx: Writer, session: DbSession, origin: RequestOrigin
) -> ItemDetail:
    item, _ = await service.create_item(session, ctx, body, origin)
    return await detail(session, ctx, item.id)


@router.get(
    ITEM, response_model=ItemDetail, summary="An item with its versions", responses=NOT_FOUND
)
async def read_item(item_id: uuid.UUID, ctx: Reader, session: DbSession) -> ItemDetail:
    return await detail(session, ctx, item_id)


@router.put(
    ITEM,
    response_model=ItemDetail,
    summary="Edit an item: a draft changes in place, an approved or rejected one gets a new draft",
    responses=WORKFLOW,
)
async def edit_item(
    item_id: uuid.UUID,
    body: Annotated[ItemIn, Body()],
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> ItemDetail:
    await service.edit_item(session, ctx, item_id, body, origin)
    return await detail(session, ctx, item_id)


@router.post(
    ITEM + "/submit",
    response_model=ItemDetail,
    summary="Submit the draft for review",
    responses=WORKFLOW,
)
async def submit_item(
    item_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> ItemDetail:
    await service.transition(session, ctx, item_id, "submit", origin)
    return await detail(session, ctx, item_id)


@router.post(
    ITEM + "/approve",
    response_model=ItemDetail,
    summary="Approve the version in review",
    responses=WORKFLOW,
)
async def approve_item(
    item_id: uuid.UUID,
    ctx: Approver,
    session: DbSession,
    origin: RequestOrigin,
    body: Review | None = None,
) -> ItemDetail:
    comment = body.comment if body else None
    await service.transition(session, ctx, item_id, "approve", origin, comment=comment)
    return await detail(session, ctx, item_id)


@router.post(
    ITEM + "/reject",
    response_model=ItemDetail,
    summary="Reject the version in review (with a comment)",
    responses=WORKFLOW,
)
async def reject_item(
    item_id: uuid.UUID, body: Review, ctx: Approver, session: DbSession, origin: RequestOrigin
) -> ItemDetail:
    await service.transition(session, ctx, item_id, "reject", origin, comment=body.comment)
    return await detail(session, ctx, item_id)


@router.post(
    ITEM + "/retire",
    response_model=ItemDetail,
    summary="Retire an approved item",
    responses=WORKFLOW,
)
async def retire_item(
    item_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> ItemDetail:
    await service.transition(session, ctx, item_id, "retire", origin)
    return await detail(session, ctx, item_id)


@router.get(
    ITEM + "/versions",
    response_model=list[VersionRead],
    summary="An item's versions, newest first",
    responses=NOT_FOUND,
)
async def list_versions(item_id: uuid.UUID, ctx: Reader, session: DbSession) -> list[VersionRead]:
    view = await service.item_view(session, ctx, item_id)
    return [VersionRead.model_validate(v) for v in view.versions]


@router.get(VERSION, response_model=VersionRead, summary="One version", responses=NOT_FOUND)
async def read_version(
    item_id: uuid.UUID, number: Number, ctx: Reader, session: DbSession
) -> VersionRead:
    _, version = await service.get_version(session, ctx, item_id, number)
    return VersionRead.model_validate(version)


@router.post(
    VERSION + "/runs",
    response_model=RunRead,
    status_code=201,
    summary="Run code against all of a challenge version's tests in the sandbox",
    responses={**NOT_FOUND, 503: {"description": "The sandbox is not available"}},
)
async def run_code(
    item_id: uuid.UUID,
    number: Number,
    body: RunRequest,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
) -> RunRead:
    return await runs.run_version(session, ctx, item_id, number, body, origin)


@router.post(
    LIBRARY + "/drafts",
    response_model=DraftResult,
    status_code=201,
    summary="Draft questions from a job description (AI); they wait in review",
)
async def draft_items(
    body: DraftRequest,
    ctx: Writer,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
) -> DraftResult:
    created, model, fallback = await drafting.draft_from_job_description(
        session, ctx, body, settings, origin
    )
    return DraftResult(
        items=[service.item_read(item, version) for item, version in created],
        model=model,
        fallback=fallback,
    )


@router.get(LIBRARY + "/export", summary="Export items as JSON or CSV (the latest versions)")
async def export_items(
    ctx: Reader,
    session: DbSession,
    format: Literal["json", "csv"] = "json",
    kind: ItemKind | None = None,
    status: VersionStatus | None = None,
    skill: Annotated[str | None, Query(max_length=60)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items = await transfer.export_items(
        session, ctx, kind=kind, status=status, skill=skill, category=category
    )
    if format == "csv":
        return Response(
            transfer.to_csv(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="library.csv"'},
        )
    return Response(
        Export(items=items).model_dump_json(),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="library.json"'},
    )


@router.post(
    LIBRARY + "/import",
    response_model=ImportReport,
    summary="Import items from a JSON or CSV file: all (each a draft) or none",
    responses={422: {"description": "Errors in the file; nothing was imported"}},
)
async def import_items(
    file: Annotated[UploadFile, File(description="A library export (JSON) or CSV")],
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    dry_run: bool = False,
) -> ImportReport:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PayloadTooLarge("The file is larger than 5 MB.")
    name = (file.filename or "").lower()
    fmt = (
        "csv"
        if name.endswith(".csv") or (file.content_type or "").startswith("text/csv")
        else "json"
    )
    checked = transfer.check(data, fmt)
    if dry_run:
        if checked.errors:
            return ImportReport(
                imported_count=0,
                item_ids=[],
                errors=checked.errors,
                checked_count=len(checked.items),
            )
        return ImportReport(imported_count=0, item_ids=[], checked_count=len(checked.items))
    items = await transfer.import_items(session, ctx, checked, origin, fmt=fmt)
    return ImportReport(
        imported_count=len(items), item_ids=transfer.item_ids(items), checked_count=len(items)
    )


__all__ = ["ItemRead", "router"]
