"""The audit log is append-only, filterable, and paginated newest first."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hireflow.audit import service as audit
from hireflow.audit.service import SYSTEM
from hireflow.db import Database
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def test_audit_events_cannot_be_changed_or_deleted(db: Database) -> None:
    async with db.transaction() as session:
        await audit.record(session, "test.event", origin=SYSTEM)
    for statement in (
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.execute(text(statement))


async def test_organization_audit_log_filters_and_pages(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        other = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
        for n in range(5):
            await audit.record(
                session,
                "member.role_changed",
                origin=SYSTEM,
                actor=admin,
                organization_id=organization.id,
                data={"n": n},
            )
        await audit.record(
            session, "member.removed", origin=SYSTEM, organization_id=organization.id
        )
        await audit.record(session, "member.removed", origin=SYSTEM, organization_id=other.id)
    await sign_in(client, admin.email)
    url = f"/api/v1/organizations/{organization.id}/audit-events"

    everything = (await client.get(url)).json()
    assert [e["action"] for e in everything["items"]] == ["member.removed"] + [
        "member.role_changed"
    ] * 5
    assert everything["next_before_id"] is None

    first = (await client.get(url, params={"action": "member.role_changed", "limit": 3})).json()
    assert [e["data"]["n"] for e in first["items"]] == [4, 3, 2]
    second = (
        await client.get(
            url,
            params={
                "action": "member.role_changed",
                "limit": 3,
                "before_id": first["next_before_id"],
            },
        )
    ).json()
    assert [e["data"]["n"] for e in second["items"]] == [1, 0]
    assert second["next_before_id"] is None

    by_actor = (await client.get(url, params={"actor_user_id": str(admin.id)})).json()
    assert len(by_actor["items"]) == 5
    assert (await client.get(url, params={"limit": 0})).status_code == 422
