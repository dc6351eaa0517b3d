"""Custom roles and member changes: permission checks, owner safeguards, audit events, and bad
input that changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, Membership, Role
from hireflow.organizations import repository
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def _count(db: Database, model: type[Role] | type[Membership] | type[AuditEvent]) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_admin_creates_edits_and_deletes_a_custom_role(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    base = f"/api/v1/organizations/{organization.id}/roles"
    created = await client.post(
        base, json={"name": "Sourcer", "permissions": ["candidates:read", "candidates:write"]}
    )
    assert created.status_code == 201, created.text
    role = created.json()
    assert role["key"] == "sourcer"
    assert role["is_system"] is False
    listed = (await client.get(base)).json()
    assert "sourcer" in [r["key"] for r in listed]
    assert len([r for r in listed if r["is_system"]]) == 9

    edited = await client.patch(f"{base}/{role['id']}", json={"permissions": ["candidates:read"]})
    assert edited.json()["permissions"] == ["candidates:read"]
    assert (await client.delete(f"{base}/{role['id']}")).status_code == 204
    assert (await client.get(f"{base}/{role['id']}")).status_code == 404
    async with db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.organization_id == organization.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["role.created", "role.updated", "role.deleted"]


async def test_bad_role_input_gets_4xx_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
        owner_role = await repository.system_role(session, "owner")
    await sign_in(client, admin.email)
    base = f"/api/v1/organizations/{organization.id}/roles"
    before = await _count(db, Role), await _count(db, AuditEvent)
    cases = [
        ({"name": "X", "permissions": ["no:such"]}, 422),
        ({"name": "", "permissions": []}, 422),
        ({"name": "Y", "permissions": [], "organization_id": str(organization.id)}, 422),
        ({"name": "Owner", "permissions": []}, 409),  # clashes with the system role's key
        ({"name": "Deleter", "permissions": ["organization:delete"]}, 403),  # admin lacks it
        ({"name": "!!!", "permissions": []}, 422),
    ]
    for body, status in cases:
        response = await client.post(base, json=body)
        assert response.status_code == status, (body, response.text)
    assert (await client.patch(f"{base}/{owner_role.id}", json={"name": "Boss"})).status_code == 403
    assert (await _count(db, Role), await _count(db, AuditEvent)) == before


async def test_a_recruiter_cannot_write_roles_or_members(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
        _, colleague = await make_member(session, organization, role="viewer")
        viewer = await repository.system_role(session, "viewer")
    await sign_in(client, recruiter.email)
    base = f"/api/v1/organizations/{organization.id}"
    assert (
        await client.post(f"{base}/roles", json={"name": "R", "permissions": []})
    ).status_code == 403
    assert (
        await client.patch(f"{base}/members/{colleague.id}", json={"role_id": str(viewer.id)})
    ).status_code == 403
    assert (await client.delete(f"{base}/members/{colleague.id}")).status_code == 403


async def test_owner_safeguards(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, owner_membership = await make_member(session, organization, role="owner")
        admin, admin_membership = await make_member(session, organization, role="admin")
        roles = {key: await repository.system_role(session, key) for key in ("owner", "viewer")}
    base = f"/api/v1/organizations/{organization.id}/members"

    await sign_in(client, admin.email)
    # An admin cannot make or unmake owners.
    assert (
        await client.patch(
            f"{base}/{admin_membership.id}", json={"role_id": str(roles["owner"].id)}
        )
    ).status_code == 403
    assert (await client.delete(f"{base}/{owner_membership.id}")).status_code == 403

    await sign_in(client, owner.email)
    # The last owner cannot step down or leave.
    last = await client.patch(
        f"{base}/{owner_membership.id}", json={"role_id": str(roles["viewer"].id)}
    )
    assert last.status_code == 409
    assert (await client.delete(f"{base}/{owner_membership.id}")).status_code == 409
    # Promote the admin, then the first owner may step down.
    promoted = await client.patch(
        f"{base}/{admin_membership.id}", json={"role_id": str(roles["owner"].id)}
    )
    assert promoted.json()["role"] == "owner"
    stepped = await client.patch(
        f"{base}/{owner_membership.id}", json={"role_id": str(roles["viewer"].id)}
    )
    assert stepped.json()["role"] == "viewer"


async def test_a_member_can_leave_and_an_admin_can_remove(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
        viewer, viewer_membership = await make_member(session, organization, role="viewer")
        _, other_membership = await make_member(session, organization, role="viewer")
    base = f"/api/v1/organizations/{organization.id}/members"
    await sign_in(client, viewer.email)
    assert (await client.delete(f"{base}/{other_membership.id}")).status_code == 403
    assert (await client.delete(f"{base}/{viewer_membership.id}")).status_code == 204
    assert (await client.get(f"/api/v1/organizations/{organization.id}")).status_code == 404
    await sign_in(client, admin.email)
    assert (await client.delete(f"{base}/{other_membership.id}")).status_code == 204
    members = (await client.get(base)).json()
    assert [m["email"] for m in members] == [admin.email]
