"""Platform admins read the whole installation's audit log; nobody else does."""

from __future__ import annotations

import httpx

from hireflow.audit import service as audit
from hireflow.audit.service import SYSTEM
from hireflow.db import Database
from tests.factories.organizations import make_organization
from tests.factories.users import MFA_SECRET, make_member, make_user, sign_in


async def test_platform_audit_log(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        first = await make_organization(session)
        second = await make_organization(session)
        owner, _ = await make_member(session, first, role="owner")
        admin = await make_user(session, email="root@example.test", mfa_secret=MFA_SECRET)
        admin.is_platform_admin = True
        await audit.record(session, "test.one", origin=SYSTEM, organization_id=first.id)
        await audit.record(session, "test.two", origin=SYSTEM, organization_id=second.id)
    await sign_in(client, owner.email)
    assert (await client.get("/api/v1/platform/audit-events")).status_code == 403
    await sign_in(client, admin.email)
    everything = (await client.get("/api/v1/platform/audit-events")).json()["items"]
    assert {"test.one", "test.two"} <= {e["action"] for e in everything}
    only_second = (
        await client.get(
            "/api/v1/platform/audit-events", params={"organization_id": str(second.id)}
        )
    ).json()["items"]
    assert [e["action"] for e in only_second] == ["test.two"]
