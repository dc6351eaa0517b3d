"""Personal API tokens and organization API keys: create (the token is shown once), list,
revoke. The request and response models are here because only these routes use them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hireflow.api import API_PREFIX
from hireflow.auth import api_tokens
from hireflow.auth.dependencies import CurrentUser
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin

router = APIRouter(prefix=API_PREFIX, tags=["api tokens"])

TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# Days until the token stops working; leave out for a token that works until revoked.
ExpiresInDays = Annotated[int | None, Field(ge=1, le=365)]
MAX_SCOPES = 100


class PersonalTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TokenName
    expires_in_days: ExpiresInDays = None
    # Restricts what the token may do in your organizations; empty: everything you may do.
    scopes: list[Permission] = Field(default_factory=list, max_length=MAX_SCOPES)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TokenName
    expires_in_days: ExpiresInDays = None
    # Exactly what the key may do; each must be one of your own permissions.
    scopes: list[Permission] = Field(min_length=1, max_length=MAX_SCOPES)


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    # The first characters of the token, to tell tokens apart (the token itself is never shown
    # again).
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenRead):
    # Shown only this once: send it as `Authorization: Bearer <token>`.
    token: str


def _created(issued: api_tokens.IssuedToken) -> ApiTokenCreated:
    read = ApiTokenRead.model_validate(issued.api_token)
    return ApiTokenCreated(**read.model_dump(), token=issued.token)


@router.post(
    "/auth/tokens",
    response_model=ApiTokenCreated,
    status_code=201,
    summary="Create a personal API token (shown only in this answer)",
    responses={
        403: {"description": "Made with an API token, or by an organization API key"},
        409: {"description": "Too many tokens: revoke some first"},
    },
)
async def create_token(
    body: PersonalTokenCreate,
    principal: CurrentUser,
    session: DbSession,
    origin: RequestOrigin,
) -> ApiTokenCreated:
    issued = await api_tokens.create_personal_token(
        session,
        principal,
        name=body.name,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        origin=origin,
    )
    return _created(issued)


@router.get(
    "/auth/tokens",
    response_model=list[ApiTokenRead],
    summary="My personal API tokens (not revoked), newest first",
)
async def list_tokens(principal: CurrentUser, session: DbSession) -> list[ApiTokenRead]:
    rows = await api_tokens.list_personal_tokens(session, principal.user)
    return [ApiTokenRead.model_validate(row) for row in rows]


@router.delete(
    "/auth/tokens/{token_id}",
    status_code=204,
    summary="Revoke one of my personal API tokens",
    responses={404: {"description": "No live token of yours has this id"}},
)
async def revoke_token(
    token_id: uuid.UUID, principal: CurrentUser, session: DbSession, origin: RequestOrigin
) -> None:
    await api_tokens.revoke_personal_token(session, principal.user, token_id, origin)


KeyManager = Annotated[Ctx, Depends(requires(Permission.API_KEYS_WRITE))]


@router.post(
    "/organizations/{organization_id}/api-keys",
    response_model=ApiTokenCreated,
    status_code=201,
    summary="Create an organization API key (shown only in this answer)",
    responses={
        403: {"description": "Not allowed, scopes beyond your own, or made with an API token"},
        409: {"description": "Too many keys: revoke some first"},
    },
)
async def create_api_key(
    body: ApiKeyCreate, ctx: KeyManager, session: DbSession, origin: RequestOrigin
) -> ApiTokenCreated:
    issued = await api_tokens.create_organization_key(
        session,
        ctx,
        name=body.name,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        origin=origin,
    )
    return _created(issued)


@router.get(
    "/organizations/{organization_id}/api-keys",
    response_model=list[ApiTokenRead],
    summary="The organization's API keys (not revoked), newest first",
)
async def list_api_keys(ctx: KeyManager, session: DbSession) -> list[ApiTokenRead]:
    rows = await api_tokens.list_organization_keys(session, ctx)
    return [ApiTokenRead.model_validate(row) for row in rows]


@router.delete(
    "/organizations/{organization_id}/api-keys/{api_key_id}",
    status_code=204,
    summary="Revoke an organization API key",
    responses={404: {"description": "No live key of the organization has this id"}},
)
async def revoke_api_key(
    api_key_id: uuid.UUID, ctx: KeyManager, session: DbSession, origin: RequestOrigin
) -> None:
    await api_tokens.revoke_organization_key(session, ctx, api_key_id, origin)
