from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hireflow.authz.permissions import Permission


class OrganizationPublic(BaseModel):
    """What anyone may see of an organization (its careers page header)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    created_at: datetime


class OrganizationRead(OrganizationPublic):
    """An organization as its members see it, with the caller's role there."""

    role: str | None  # None when an organization API key is calling
    permissions: list[str]


class MemberRead(BaseModel):
    membership_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    joined_at: datetime


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    name: str
    description: str
    permissions: list[str]
    is_system: bool


class RoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    permissions: list[Permission] = Field(max_length=len(Permission))


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    permissions: list[Permission] | None = Field(default=None, max_length=len(Permission))


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_id: uuid.UUID


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    role_id: uuid.UUID


class InvitationRead(BaseModel):
    id: uuid.UUID
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class InvitationToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


class InvitationPreview(BaseModel):
    organization_name: str
    email: str
    role: str
    has_account: bool


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    # For a new account only.
    name: str | None = Field(default=None, min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=1, max_length=1024)
