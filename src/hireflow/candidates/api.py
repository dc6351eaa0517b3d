"""Candidates JSON routes: profiles, documents, consents, duplicates and merging, search, the
timeline and CSV imports. Thin: each calls one service function."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from hireflow.api import API_PREFIX
from hireflow.authz.context import OrgCtx
from hireflow.candidates import imports, merge, service
from hireflow.candidates.schemas import (
    CandidateCreate,
    CandidateCreated,
    CandidatePage,
    CandidateRead,
    CandidateUpdate,
    ConsentCreate,
    ConsentRead,
    ConsentWithdraw,
    DocumentKind,
    DocumentRead,
    DuplicateRead,
    ImportRead,
    ImportRun,
    MergeRequest,
    SortOrder,
    Source,
    TimelinePage,
)
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.documents.service import download_response

router = APIRouter(prefix=API_PREFIX, tags=["candidates"])

BASE = "/organizations/{organization_id}/candidates"
ONE = BASE + "/{candidate_id}"
IMPORTS = "/organizations/{organization_id}/candidate-imports"

Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)]
Cursor = Annotated[str | None, Query(max_length=1000)]


def _read(candidate: object) -> CandidateRead:
    return CandidateRead.model_validate(candidate)


@router.get(BASE, response_model=CandidatePage, summary="Search and list candidates")
async def search_candidates(
    ctx: OrgCtx,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    job_id: uuid.UUID | None = None,
    stage_id: uuid.UUID | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    source: Source | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    sort: SortOrder | None = None,
    cursor: Cursor = None,
    limit: Limit = service.DEFAULT_PAGE_SIZE,
) -> CandidatePage:
    page = await service.search_candidates(
        session,
        ctx,
        q=q,
        job_id=job_id,
        stage_id=stage_id,
        tag=tag,
        source=source,
        created_from=created_from,
        created_to=created_to,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return CandidatePage(items=page.items, next_cursor=page.next_cursor)


@router.post(
    BASE,
    response_model=CandidateCreated,
    status_code=201,
    summary="Create a candidate (the answer lists possible duplicates)",
)
async def create_candidate(
    body: CandidateCreate, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> CandidateCreated:
    candidate, duplicates = await service.create_candidate(session, ctx, body, origin)
    return CandidateCreated(**_read(candidate).model_dump(), possible_duplicates=duplicates)


@router.get(
    ONE,
    response_model=CandidateRead,
    summary="One candidate (a merged record answers with merged_into_id)",
)
async def read_candidate(candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> CandidateRead:
    return _read(await service.get_candidate(session, ctx, candidate_id))


@router.patch(ONE, response_model=CandidateRead, summary="Change a candidate's profile")
async def update_candidate(
    candidate_id: uuid.UUID,
    body: CandidateUpdate,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> CandidateRead:
    return _read(await service.update_candidate(session, ctx, candidate_id, body, origin))


# --- documents ------------------------------------------------------------------------------


@router.get(ONE + "/documents", response_model=list[DocumentRead], summary="A candidate's files")
async def list_documents(
    candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> list[DocumentRead]:
    documents = await service.list_documents(session, ctx, candidate_id)
    return [DocumentRead.model_validate(d) for d in documents]


@router.post(
    ONE + "/documents",
    response_model=DocumentRead,
    status_code=201,
    summary="Upload a resume, cover letter or other file (PDF, DOCX or plain text)",
    responses={413: {"description": "Too large"}, 422: {"description": "Not an accepted file"}},
)
async def upload_document(
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    file: Annotated[UploadFile, File()],
    kind: Annotated[DocumentKind, Form()] = "resume",
) -> DocumentRead:
    # One byte over the limit is enough to refuse the file as too large.
    data = await file.read(settings.max_document_bytes + 1)
    document = await service.add_document(
        session,
        ctx,
        candidate_id,
        filename=file.filename,
        data=data,
        kind=kind,
        settings=settings,
        origin=origin,
    )
    return DocumentRead.model_validate(document)


@router.get(
    ONE + "/documents/{document_id}",
    summary="Download a file (always as an attachment)",
    response_class=Response,
)
async def download_document(
    candidate_id: uuid.UUID, document_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> Response:
    document = await service.get_document(session, ctx, candidate_id, document_id)
    return download_response(document)


@router.delete(ONE + "/documents/{document_id}", status_code=204, summary="Delete a file")
async def delete_document(
    candidate_id: uuid.UUID,
    document_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> None:
    await service.delete_document(session, ctx, candidate_id, document_id, origin)


# --- consents -------------------------------------------------------------------------------


@router.get(
    ONE + "/consents", response_model=list[ConsentRead], summary="Consents given, newest first"
)
async def list_consents(
    candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> list[ConsentRead]:
    consents = await service.list_consents(session, ctx, candidate_id)
    return [ConsentRead.model_validate(c) for c in consents]


@router.post(
    ONE + "/consents", response_model=ConsentRead, status_code=201, summary="Record a consent"
)
async def give_consent(
    candidate_id: uuid.UUID,
    body: ConsentCreate,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> ConsentRead:
    consent = await service.give_consent(
        session,
        ctx,
        candidate_id,
        purpose=body.purpose,
        statement=body.statement,
        source=body.source,
        origin=origin,
    )
    return ConsentRead.model_validate(consent)


@router.post(
    ONE + "/consents/withdraw",
    response_model=list[ConsentRead],
    summary="Withdraw the candidate's consent for a purpose",
)
async def withdraw_consent(
    candidate_id: uuid.UUID,
    body: ConsentWithdraw,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> list[ConsentRead]:
    consents = await service.withdraw_consent(
        session, ctx, candidate_id, purpose=body.purpose, origin=origin
    )
    return [ConsentRead.model_validate(c) for c in consents]


# --- duplicates and merging -----------------------------------------------------------------


@router.get(
    ONE + "/duplicates",
    response_model=list[DuplicateRead],
    summary="Possible duplicates: same email or phone, or a similar name",
)
async def list_duplicates(
    candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> list[DuplicateRead]:
    return await service.find_duplicates(session, ctx, candidate_id)


@router.post(
    ONE + "/merge",
    response_model=CandidateRead,
    summary="Merge a duplicate into this candidate",
    responses={409: {"description": "One of the two is already merged"}},
)
async def merge_candidate(
    candidate_id: uuid.UUID,
    body: MergeRequest,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> CandidateRead:
    kept = await merge.merge_candidates(session, ctx, candidate_id, body.duplicate_id, origin)
    return _read(kept)


# --- timeline -------------------------------------------------------------------------------


@router.get(
    ONE + "/timeline",
    response_model=TimelinePage,
    summary="The candidate's events and their applications' events, newest first",
)
async def read_timeline(
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    cursor: Cursor = None,
    limit: Limit = service.DEFAULT_PAGE_SIZE,
) -> TimelinePage:
    result = await service.timeline(session, ctx, candidate_id, cursor=cursor, limit=limit)
    return TimelinePage(items=result.items, next_cursor=result.next_cursor)


# --- CSV import -----------------------------------------------------------------------------


@router.post(
    IMPORTS,
    response_model=ImportRead,
    status_code=201,
    summary="Preview a CSV file of candidates (nothing is created yet)",
)
async def preview_import(
    ctx: OrgCtx, session: DbSession, settings: AppSettings, file: Annotated[UploadFile, File()]
) -> ImportRead:
    data = await file.read(settings.max_upload_bytes + 1)
    batch = await imports.preview_import(session, ctx, filename=file.filename, data=data)
    return imports.import_read(batch)


@router.get(IMPORTS + "/{import_id}", response_model=ImportRead, summary="An import's report")
async def read_import(import_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> ImportRead:
    return imports.import_read(await imports.get_import(session, ctx, import_id))


@router.post(
    IMPORTS + "/{import_id}/import",
    response_model=ImportRead,
    summary="Import the previewed file: every row, or none",
)
async def run_import(
    import_id: uuid.UUID, body: ImportRun, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> ImportRead:
    batch = await imports.run_import(
        session, ctx, import_id, duplicates=body.duplicates, origin=origin
    )
    return imports.import_read(batch)
