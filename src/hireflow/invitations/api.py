"""Invitations to AI interviews, JSON routes: invite (one or up to 1,000, idempotent), list,
read, cancel; email an existing session's link; invitation rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse

from hireflow import idempotency
from hireflow.api import API_PREFIX
from hireflow.authz.context import OrgCtx
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.invitations import rules, service
from hireflow.invitations.schemas import (
    BatchAccepted,
    InvitationPage,
    InvitationRead,
    InviteIn,
    RuleCreate,
    RuleList,
    RuleRead,
    RuleUpdate,
    SessionInviteIn,
)
from hireflow.invitations.status import InvitationStatus

router = APIRouter(prefix=API_PREFIX, tags=["invitations"])

ORG = "/organizations/{organization_id}"
INVITATIONS = ORG + "/interview-invitations"
INVITATION = INVITATIONS + "/{interview_invitation_id}"
RULES = ORG + "/invitation-rules"
RULE = RULES + "/{rule_id}"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found (or another organization's)"}
}


@router.post(
    INVITATIONS,
    response_model=BatchAccepted,
    status_code=202,
    summary="Invite candidates to AI interviews: 1 to 1,000 applications, now or later",
    description=(
        "Records one invitation per application and prepares them at `send_at` (default now): "
        "a session, its link and the email each. Send `Idempotency-Key`: a retry returns the "
        "first response. Unknown ids → 422 and nothing is recorded; a job whose interview kit "
        "is not approved → 409 `kit-not-approved`. Candidates without an email, unsubscribed, "
        "or with an invitation still open are listed in `skipped`."
    ),
    responses={
        409: {"description": "A kit is not approved, or the first request is still running"},
        422: {"description": "Invalid body, unknown application ids, or `sms-disabled`"},
        428: {"description": "No Idempotency-Key header"},
    },
)
async def invite(
    body: InviteIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    status, payload, replayed = await service.invite(
        session, ctx, body, idempotency_key=idempotency_key, origin=origin, settings=settings
    )
    return idempotency.response(status, payload, replayed)


@router.get(INVITATIONS, response_model=InvitationPage, summary="Invitations, newest first")
async def list_invitations(
    ctx: OrgCtx,
    session: DbSession,
    status: InvitationStatus | None = None,
    job_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> InvitationPage:
    items, next_cursor = await service.list_invitations(
        session,
        ctx,
        status=status,
        job_id=job_id,
        batch_id=batch_id,
        application_id=application_id,
        cursor=cursor,
        limit=limit,
    )
    return InvitationPage(items=items, next_cursor=next_cursor)


@router.get(
    INVITATION, response_model=InvitationRead, summary="One invitation", responses=NOT_FOUND
)
async def read_invitation(
    interview_invitation_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> InvitationRead:
    return await service.get_invitation(session, ctx, interview_invitation_id)


@router.post(
    INVITATION + "/cancel",
    response_model=InvitationRead,
    summary="Cancel an invitation that is still scheduled",
    responses={**NOT_FOUND, 409: {"description": "Already prepared, skipped or cancelled"}},
)
async def cancel_invitation(
    interview_invitation_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> InvitationRead:
    return await service.cancel_invitation(session, ctx, interview_invitation_id, origin=origin)


@router.post(
    ORG + "/interview-sessions/{interview_id}/invitation",
    response_model=InvitationRead,
    status_code=202,
    summary="Email a session's link to the candidate (a new link; the previous one stops)",
    responses={**NOT_FOUND, 409: {"description": "The interview has started or ended"}},
)
async def invite_to_session(
    interview_id: uuid.UUID,
    body: SessionInviteIn,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    settings: AppSettings,
) -> InvitationRead:
    return await service.invite_to_session(
        session, ctx, interview_id, body, origin=origin, settings=settings
    )


@router.get(RULES, response_model=RuleList, summary="Invitation rules (of one job)")
async def list_rules(ctx: OrgCtx, session: DbSession, job_id: uuid.UUID | None = None) -> RuleList:
    rows = await rules.list_rules(session, ctx, job_id)
    return RuleList(items=[RuleRead.model_validate(r) for r in rows])


@router.post(
    RULES,
    response_model=RuleRead,
    status_code=201,
    summary="Invite to an AI interview when an application enters a stage",
    responses={409: {"description": "The stage already has a rule"}},
)
async def create_rule(
    body: RuleCreate, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> RuleRead:
    return RuleRead.model_validate(await rules.create_rule(session, ctx, body, origin=origin))


@router.patch(RULE, response_model=RuleRead, summary="Change a rule", responses=NOT_FOUND)
async def update_rule(
    rule_id: uuid.UUID, body: RuleUpdate, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> RuleRead:
    rule = await rules.update_rule(session, ctx, rule_id, body, origin=origin)
    return RuleRead.model_validate(rule)


@router.delete(RULE, status_code=204, summary="Delete a rule", responses=NOT_FOUND)
async def delete_rule(
    rule_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    await rules.delete_rule(session, ctx, rule_id, origin=origin)
    return Response(status_code=204)
