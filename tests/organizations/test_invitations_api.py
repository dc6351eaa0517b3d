"""Inviting a teammate by email, accepting with a new or an existing account."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import AuditEvent
from hireflow.organizations import repository
from tests.factories.mail import emails_to, link_token
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user, sign_in

STRONG = "lantern-orbit-9-meadow-quill"


async def test_invite_then_accept_with_a_new_account(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Umbrella")
        owner, _ = await make_member(session, organization, role="owner")
        recruiter = await repository.system_role(session, "recruiter")
    await sign_in(client, owner.email)
    base = f"/api/v1/organizations/{organization.id}/invitations"
    created = await client.post(
        base, json={"email": "New.Hire@Example.test", "role_id": str(recruiter.id)}
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "recruiter"
    assert [i["email"] for i in (await client.get(base)).json()] == ["New.Hire@example.test"]
    [email] = await emails_to(db, "New.Hire@example.test")
    assert "Umbrella" in email.subject

    token = await link_token(db, "New.Hire@example.test", "/invitations/accept")
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as newcomer:
        preview = await newcomer.post("/api/v1/invitations/preview", json={"token": token})
        assert preview.json() == {
            "organization_name": "Umbrella",
            "email": "New.Hire@example.test",
            "role": "Recruiter",
            "has_account": False,
        }
        joined = await newcomer.post(
            "/api/v1/invitations/accept", json={"token": token, "name": "Nina", "password": STRONG}
        )
        assert joined.status_code == 200, joined.text
        assert joined.json()["name"] == "Umbrella"
        again = await newcomer.post(
            "/api/v1/invitations/accept", json={"token": token, "name": "Nina", "password": STRONG}
        )
        assert again.status_code == 422
        await sign_in(newcomer, "new.hire@example.test", STRONG)
        [membership] = (await newcomer.get("/api/v1/auth/me")).json()["memberships"]
        assert membership["role"] == "recruiter"
    async with db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.organization_id == organization.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["member.invited", "member.joined"]


async def test_an_existing_account_must_sign_in_to_accept(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        await make_user(session, email="known@example.test")
        viewer = await repository.system_role(session, "viewer")
    await sign_in(client, owner.email)
    await client.post(
        f"/api/v1/organizations/{organization.id}/invitations",
        json={"email": "known@example.test", "role_id": str(viewer.id)},
    )
    token = await link_token(db, "known@example.test", "/invitations/accept")
    # Signed in as the inviter, not as the invitee.
    wrong_person = await client.post("/api/v1/invitations/accept", json={"token": token})
    assert wrong_person.status_code == 401
    await sign_in(client, "known@example.test")
    accepted = await client.post("/api/v1/invitations/accept", json={"token": token})
    assert accepted.status_code == 200


async def test_invitation_rules(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
        member, _ = await make_member(session, organization, role="viewer")
        owner_role = await repository.system_role(session, "owner")
        viewer_role = await repository.system_role(session, "viewer")
    await sign_in(client, admin.email)
    base = f"/api/v1/organizations/{organization.id}/invitations"
    assert (
        await client.post(base, json={"email": "x@example.test", "role_id": str(owner_role.id)})
    ).status_code == 403
    assert (
        await client.post(base, json={"email": member.email, "role_id": str(viewer_role.id)})
    ).status_code == 409
    assert (
        await client.post(base, json={"email": "bad", "role_id": str(viewer_role.id)})
    ).status_code == 422
    first = (
        await client.post(
            base, json={"email": "twice@example.test", "role_id": str(viewer_role.id)}
        )
    ).json()
    second = (
        await client.post(
            base, json={"email": "twice@example.test", "role_id": str(viewer_role.id)}
        )
    ).json()
    pending = [i["id"] for i in (await client.get(base)).json()]
    assert pending == [second["id"]]  # the new invitation replaced the first
    assert (await client.delete(f"{base}/{first['id']}")).status_code == 204
    assert (await client.delete(f"{base}/{second['id']}")).status_code == 204
    assert (await client.get(base)).json() == []
