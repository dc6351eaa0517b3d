from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class MembershipRead(BaseModel):
    organization_id: uuid.UUID
    organization_name: str
    organization_slug: str
    role: str
    permissions: list[str]


class MeRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    is_platform_admin: bool
    mfa_enabled: bool
    memberships: list[MembershipRead]


class LoginOut(BaseModel):
    user_id: uuid.UUID
    # True: finish with the second factor before anything else is allowed.
    mfa_required: bool
    # Echo this in the X-CSRF-Token header (or a csrf_token form field) on unsafe requests.
    csrf_token: str


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool = False


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    phone: str | None = Field(
        default=None, min_length=5, max_length=32, pattern=r"^\+?[0-9 ()./-]{5,32}$"
    )


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


class ResetPasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class ChangePasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class Accepted(BaseModel):
    detail: str
