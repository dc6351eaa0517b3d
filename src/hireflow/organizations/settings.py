"""Organization settings: a typed schema over key → JSON rows. Each field of
`OrganizationSettings` is one key; absent rows take the field's default."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Invalid
from hireflow.models import OrganizationSetting


class OrganizationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Branding, used by emails and the careers page.
    brand_color: str = Field(default="#3b4fd8", pattern=r"^#[0-9a-fA-F]{6}$")
    logo_url: HttpUrl | None = None
    careers_page_enabled: bool = True
    # Candidate privacy and data retention.
    candidate_retention_days: int = Field(default=730, ge=30, le=3650)
    # Email tracking (open pixel, click redirects); organizations may opt out.
    email_tracking_enabled: bool = True
    interview_language: Literal["en", "de", "fr", "es", "nl", "pt", "it"] = "en"
    timezone: str = Field(default="UTC", min_length=1, max_length=60)


class SettingsUpdate(BaseModel):
    """A partial update: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    brand_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    logo_url: HttpUrl | None = None
    careers_page_enabled: bool | None = None
    candidate_retention_days: int | None = Field(default=None, ge=30, le=3650)
    email_tracking_enabled: bool | None = None
    interview_language: Literal["en", "de", "fr", "es", "nl", "pt", "it"] | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=60)


async def read_settings(session: AsyncSession, ctx: Ctx) -> OrganizationSettings:
    ctx.require(Permission.ORGANIZATION_READ)
    return await stored_settings(session, ctx.organization.id)


async def stored_settings(
    session: AsyncSession, organization_id: uuid.UUID, keys: Collection[str] | None = None
) -> OrganizationSettings:
    """The organization's settings (no permission check: for code acting for it, such as its
    emails); with `keys`, only those are read and the rest take their defaults."""
    query = select(OrganizationSetting.key, OrganizationSetting.value).where(
        OrganizationSetting.organization_id == organization_id
    )
    if keys is not None:
        query = query.where(OrganizationSetting.key.in_(list(keys)))
    known = OrganizationSettings.model_fields
    stored = {key: value for key, value in (await session.execute(query)).all() if key in known}
    return OrganizationSettings.model_validate(stored)


async def update_settings(
    session: AsyncSession, ctx: Ctx, changes: SettingsUpdate, origin: Origin
) -> OrganizationSettings:
    ctx.require(Permission.ORGANIZATION_SETTINGS_WRITE)
    current = await read_settings(session, ctx)
    given = changes.model_dump(mode="json", exclude_unset=True)
    try:
        updated = OrganizationSettings.model_validate({**current.model_dump(mode="json"), **given})
    except ValidationError as exc:  # e.g. a required value set to null
        raise Invalid(
            "These settings are not valid.", extra={"errors": [e["msg"] for e in exc.errors()]}
        ) from exc
    before = current.model_dump(mode="json")
    after = updated.model_dump(mode="json")
    diff: dict[str, Any] = {
        k: {"from": before[k], "to": after[k]} for k in given if before[k] != after[k]
    }
    for key in diff:
        statement = insert(OrganizationSetting).values(
            organization_id=ctx.organization.id,
            key=key,
            value=after[key],
            updated_by_user_id=ctx.user.id if ctx.user else None,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["organization_id", "key"],
                set_={
                    "value": statement.excluded.value,
                    "updated_by_user_id": statement.excluded.updated_by_user_id,
                },
            )
        )
    if diff:
        await audit.record(
            session,
            "organization.settings_changed",
            origin=origin,
            actor=ctx.user,
            actor_email=ctx.actor_email,
            organization_id=ctx.organization.id,
            target_type="organization",
            target_id=ctx.organization.id,
            data=diff,
        )
    return updated
