"""AI interview sessions, the recruiter's JSON routes: create (idempotent), list, read, events,
links (re-issue, revoke), cancel, score overrides."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from hireflow import idempotency
from hireflow.ai_interviews import repository, service
from hireflow.ai_interviews.intake import read_create_request
from hireflow.ai_interviews.schemas import (
    CancelIn,
    EventPage,
    EventRead,
    LinkIssued,
    LinkIssueIn,
    OverrideIn,
    SessionCreate,
    SessionCreated,
    SessionDetail,
    SessionPage,
    SessionRead,
    SessionStatus,
)
from hireflow.ai_interviews.views import session_detail
from hireflow.api import API_PREFIX
from hireflow.authz.context import OrgCtx
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin

router = APIRouter(prefix=API_PREFIX, tags=["ai interviews"])

ORG = "/organizations/{organization_id}"
SESSIONS = ORG + "/interview-sessions"
SESSION = SESSIONS + "/{interview_id}"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found (or another organization's)"}
}
_CREATE_SCHEMA = SessionCreate.model_json_schema(ref_template="#/components/schemas/{model}")
_MULTIPART_SCHEMA = {
    **_CREATE_SCHEMA,
    "properties": {
        **_CREATE_SCHEMA["properties"],
        "job_description_file": {"type": "string", "format": "binary"},
    },
}


@router.post(
    SESSIONS,
    response_model=SessionCreated,
    status_code=201,
    summary="Configure an AI interview session and its candidate link (idempotent)",
    description=(
        "Send `Idempotency-Key` (e.g. a new UUID): a retry with the same key and body returns "
        "the first response again, `candidate_url` included; the same key with another body is "
        "a 422; while the first request runs, a 409. The job description is text "
        "(`job_description`) or, in a multipart form, a PDF, DOCX or TXT file "
        "(`job_description_file`)."
    ),
    responses={
        404: {"description": "The job or application is not found"},
        409: {"description": "The first request with this key is still running"},
        415: {"description": "Neither JSON nor a form"},
        422: {"description": "Invalid configuration, or the key was used for another body"},
        428: {"description": "No Idempotency-Key header"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _CREATE_SCHEMA},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        }
    },
)
async def create_session(
    request: Request,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    body, jd_file = await read_create_request(request, settings)
    status, payload, replayed = await service.create_session(
        session,
        ctx,
        body,
        jd_file,
        idempotency_key=idempotency_key,
        origin=origin,
        settings=settings,
    )
    return idempotency.response(status, payload, replayed)


@router.get(SESSIONS, response_model=SessionPage, summary="AI interview sessions, newest first")
async def list_sessions(
    ctx: OrgCtx,
    session: DbSession,
    status: SessionStatus | None = None,
    job_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> SessionPage:
    items, next_cursor = await service.list_sessions(
        session,
        ctx,
        status=status,
        job_id=job_id,
        application_id=application_id,
        cursor=cursor,
        limit=limit,
    )
    return SessionPage(items=items, next_cursor=next_cursor)


@router.get(
    SESSION,
    response_model=SessionDetail,
    summary="One session: configuration, notes, transcript, scores with reasons",
    responses=NOT_FOUND,
)
async def read_session(interview_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> SessionDetail:
    return await session_detail(session, ctx, interview_id)


@router.get(
    SESSION + "/events",
    response_model=EventPage,
    summary="A session's events in order (`after`: the last `seq` seen)",
    responses=NOT_FOUND,
)
async def list_events(
    interview_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EventPage:
    rows, next_after = await service.list_events(
        session, ctx, interview_id, after=after, limit=limit
    )
    return EventPage(items=[EventRead.model_validate(e) for e in rows], next_after=next_after)


@router.post(
    SESSION + "/link",
    response_model=LinkIssued,
    status_code=201,
    summary="Issue a new candidate link; the previous one stops working",
    responses={**NOT_FOUND, 409: {"description": "The interview has started or ended"}},
)
async def reissue_link(
    interview_id: uuid.UUID,
    body: LinkIssueIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
) -> LinkIssued:
    raw, invite = await service.reissue_link(
        session, ctx, interview_id, days=body.link_valid_days, origin=origin, settings=settings
    )
    return LinkIssued(
        candidate_url=service.candidate_url(settings, raw), link_expires_at=invite.expires_at
    )


@router.post(
    SESSION + "/link/revoke",
    response_model=SessionRead,
    summary="Revoke the candidate link",
    responses={**NOT_FOUND, 409: {"description": "No working link"}},
)
async def revoke_link(
    interview_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> SessionRead:
    interview = await service.revoke_link(session, ctx, interview_id, origin=origin)
    return service.session_read(interview, await repository.latest_invite(session, interview.id))


@router.post(
    SESSION + "/cancel",
    response_model=SessionRead,
    summary="Cancel a session that has not ended; its link stops working",
    responses={**NOT_FOUND, 409: {"description": "Already ended"}},
)
async def cancel_session(
    interview_id: uuid.UUID, body: CancelIn, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> SessionRead:
    interview = await service.cancel_session(session, ctx, interview_id, body.reason, origin=origin)
    return service.session_read(interview, None)


@router.post(
    SESSION + "/overrides",
    response_model=SessionDetail,
    summary="Override an AI score (a question's or a competency's) with a reason",
    responses={**NOT_FOUND, 409: {"description": "Not scored yet"}},
)
async def override_score(
    interview_id: uuid.UUID,
    body: OverrideIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> SessionDetail:
    await service.override_score(
        session,
        ctx,
        interview_id,
        target=body.target,
        score=body.score,
        reason=body.reason,
        origin=origin,
    )
    return await session_detail(session, ctx, interview_id)
