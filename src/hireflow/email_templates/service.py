"""Organizations' email templates: reading the effective one (theirs or the default), saving a
checked one, resetting to the default, previewing a draft with sample values and the
organization's branding. Also what `notifications.service.send_templated` reads: the content
and branding to send with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.email_templates import repository
from hireflow.email_templates.schemas import (
    PreviewRead,
    TemplateContent,
    TemplateKindRead,
    TemplatePreviewIn,
    TemplateRead,
    TemplateUpdate,
)
from hireflow.errors import Conflict
from hireflow.models import EmailTemplate
from hireflow.notifications.catalog import CATALOG, MessageKind, get_kind
from hireflow.notifications.rendering import (
    PLATFORM_BRANDING,
    Branding,
    Content,
    branding,
    check_content,
    default_content,
    render,
)
from hireflow.organizations.settings import OrganizationSettings, stored_settings

# The settings an organization's emails use (branding and tracking).
MAIL_SETTINGS = ("brand_color", "logo_url", "email_tracking_enabled")


class NotCustomizable(Conflict):
    code = "template-not-customizable"
    title = "This email cannot be customized"


@dataclass(frozen=True)
class MailProfile:
    """How an organization's emails look and whether they are tracked."""

    branding: Branding
    tracking: bool


async def mail_profile(session: AsyncSession, organization_id: uuid.UUID) -> MailProfile:
    organization = await repository.organization(session, organization_id)
    name = organization.name if organization is not None else "hireflow"
    try:
        settings = await stored_settings(session, organization_id, MAIL_SETTINGS)
    except ValidationError:  # a stored value no longer valid: fall back to the defaults
        settings = OrganizationSettings()
    logo = str(settings.logo_url) if settings.logo_url is not None else None
    return MailProfile(
        branding=branding(name, settings.brand_color, logo),
        tracking=settings.email_tracking_enabled,
    )


async def effective_content(
    session: AsyncSession, organization_id: uuid.UUID | None, kind: MessageKind
) -> Content:
    """The organization's template of `kind` when it has one (and may), else the default."""
    if organization_id is not None and kind.organization_scoped:
        saved = await repository.get(session, organization_id, kind.key)
        if saved is not None:
            return Content(saved.subject, saved.text_body, saved.html_body)
    return default_content(kind)


def _content(content: Content) -> TemplateContent:
    return TemplateContent(
        subject=content.subject, text_body=content.text_body, html_body=content.html_body
    )


def _summary(kind: MessageKind, saved: EmailTemplate | None) -> TemplateKindRead:
    return TemplateKindRead(
        kind=kind.key,
        label=kind.label,
        description=kind.description,
        transactional=kind.transactional,
        organization_scoped=kind.organization_scoped,
        customized=saved is not None,
        variables=dict(kind.allowed_variables),
        updated_at=saved.updated_at if saved is not None else None,
    )


async def list_templates(session: AsyncSession, ctx: Ctx) -> list[TemplateKindRead]:
    ctx.require(Permission.ORGANIZATION_READ)
    saved = {t.kind: t for t in await repository.list_for(session, ctx.organization.id)}
    return [_summary(kind, saved.get(kind.key)) for kind in CATALOG.values()]


async def get_template(session: AsyncSession, ctx: Ctx, key: str) -> TemplateRead:
    ctx.require(Permission.ORGANIZATION_READ)
    kind = get_kind(key)
    saved = (
        await repository.get(session, ctx.organization.id, kind.key)
        if kind.organization_scoped
        else None
    )
    content = (
        Content(saved.subject, saved.text_body, saved.html_body)
        if saved is not None
        else default_content(kind)
    )
    return TemplateRead(
        **_summary(kind, saved).model_dump(),
        content=_content(content),
        default=_content(default_content(kind)),
    )


def _customizable(key: str) -> MessageKind:
    kind = get_kind(key)
    if not kind.organization_scoped:
        raise NotCustomizable(
            f"“{kind.label}” is sent by hireflow itself, not by an organization: it cannot be "
            "customized.",
            extra={"kind": kind.key},
        )
    return kind


async def save_template(
    session: AsyncSession, ctx: Ctx, key: str, data: TemplateUpdate, origin: Origin
) -> TemplateRead:
    """Check, then save the organization's template of `key` (audited when it changed)."""
    ctx.require(Permission.TEMPLATES_WRITE)
    kind = _customizable(key)
    content = Content(data.subject, data.text_body, data.html_body)
    check_content(kind, content)
    saved = await repository.get(session, ctx.organization.id, kind.key)
    user_id = ctx.user.id if ctx.user is not None else None
    if saved is None:
        saved = await repository.add(
            session,
            EmailTemplate(
                organization_id=ctx.organization.id,
                kind=kind.key,
                subject=content.subject,
                text_body=content.text_body,
                html_body=content.html_body,
                updated_by_user_id=user_id,
            ),
        )
        changed = ["subject", "text_body", "html_body"]
    else:
        changed = [
            field
            for field in ("subject", "text_body", "html_body")
            if getattr(saved, field) != getattr(content, field)
        ]
        for field in changed:
            setattr(saved, field, getattr(content, field))
        if changed:
            saved.updated_by_user_id = user_id
            await session.flush()
    if changed:
        await audit.record_by(
            session,
            ctx,
            "email_template.updated",
            origin=origin,
            target_type="email_template",
            target_id=saved.id,
            data={"kind": kind.key, "changed": changed},
        )
    return await get_template(session, ctx, key)


async def reset_template(session: AsyncSession, ctx: Ctx, key: str, origin: Origin) -> None:
    """Back to the default (nothing to do, and nothing audited, when it already is)."""
    ctx.require(Permission.TEMPLATES_WRITE)
    kind = _customizable(key)
    saved = await repository.get(session, ctx.organization.id, kind.key)
    if saved is None:
        return
    template_id = saved.id
    await repository.delete(session, saved)
    await audit.record_by(
        session,
        ctx,
        "email_template.reset",
        origin=origin,
        target_type="email_template",
        target_id=template_id,
        data={"kind": kind.key},
    )


async def preview(
    session: AsyncSession, ctx: Ctx, key: str, draft: TemplatePreviewIn | None = None
) -> PreviewRead:
    """The email of `key` as it would be sent, with sample values and the organization's
    branding: the draft's parts where given, the effective template's otherwise. Nothing is
    saved or sent."""
    ctx.require(Permission.TEMPLATES_WRITE)
    kind = get_kind(key)
    current = await effective_content(session, ctx.organization.id, kind)
    draft = draft or TemplatePreviewIn()
    content = Content(
        draft.subject if draft.subject is not None else current.subject,
        draft.text_body if draft.text_body is not None else current.text_body,
        draft.html_body if draft.html_body is not None else current.html_body,
    )
    check_content(kind, content)
    profile = await mail_profile(session, ctx.organization.id)
    look = profile.branding if kind.organization_scoped else None
    samples = {**kind.sample_values}
    if look is not None:
        samples.update(look.variables())
    rendered = render(
        kind,
        content,
        samples,
        look or PLATFORM_BRANDING,
        unsubscribe_url=None if kind.transactional else "https://hireflow.example/unsubscribe",
    )
    return PreviewRead(subject=rendered.subject, text=rendered.text, html=rendered.html)
