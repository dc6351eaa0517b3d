"""Organization settings: typed, defaults filled in, partial updates audited."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, OrganizationSetting
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def test_defaults_then_a_partial_update(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    url = f"/api/v1/organizations/{organization.id}/settings"
    defaults = (await client.get(url)).json()
    assert defaults["candidate_retention_days"] == 730
    assert defaults["email_tracking_enabled"] is True

    changed = await client.patch(
        url, json={"candidate_retention_days": 365, "email_tracking_enabled": False}
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get(url)).json() == {
        **defaults,
        "candidate_retention_days": 365,
        "email_tracking_enabled": False,
    }
    async with db.transaction() as session:
        [event] = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "organization.settings_changed")
            )
        )
    assert event.data == {
        "candidate_retention_days": {"from": 730, "to": 365},
        "email_tracking_enabled": {"from": True, "to": False},
    }


async def test_bad_settings_get_422_and_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    url = f"/api/v1/organizations/{organization.id}/settings"
    for body in (
        {"candidate_retention_days": 5},
        {"brand_color": "red"},
        {"unknown_key": 1},
        {"logo_url": "javascript:alert(1)"},
        {"careers_page_enabled": None},
        {"interview_language": "xx"},
    ):
        response = await client.patch(url, json=body)
        assert response.status_code == 422, (body, response.text)
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OrganizationSetting)) == 0


async def test_a_viewer_reads_but_cannot_change(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        viewer, _ = await make_member(session, organization, role="viewer")
    await sign_in(client, viewer.email)
    url = f"/api/v1/organizations/{organization.id}/settings"
    assert (await client.get(url)).status_code == 200
    assert (await client.patch(url, json={"timezone": "Europe/Paris"})).status_code == 403
