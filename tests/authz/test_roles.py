"""Roles are data, and the role × permission matrix is enforced."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from hireflow.authz.permissions import SYSTEM_ROLES, Permission
from hireflow.db import Database
from hireflow.models import Role
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def test_system_role_rows_match_the_code(db: Database) -> None:
    async with db.transaction() as session:
        rows = list(await session.scalars(select(Role).where(Role.organization_id.is_(None))))
    assert {row.key: frozenset(row.permissions) for row in rows} == {
        key: frozenset(p.value for p in permissions)
        for key, (_, permissions) in SYSTEM_ROLES.items()
    }
    assert all(row.is_system for row in rows)


def test_every_permission_is_granted_by_some_role_and_the_owner_has_all() -> None:
    granted = set().union(*(permissions for _, permissions in SYSTEM_ROLES.values()))
    assert granted == set(Permission)
    assert SYSTEM_ROLES["owner"][1] == frozenset(Permission)
    assert SYSTEM_ROLES["dei_consultant"][1] == {Permission.MESSAGES_READ, Permission.MESSAGES_SEND}


# Every endpoint guarded by a permission, with the permission it needs.
GUARDED = [
    ("/api/v1/organizations/{org}", Permission.ORGANIZATION_READ, None),
    ("/api/v1/organizations/{org}/members", Permission.MEMBERS_READ, Permission.MEMBERS_READ),
    ("/api/v1/organizations/{org}/roles", Permission.MEMBERS_READ, Permission.MEMBERS_READ),
    ("/api/v1/organizations/{org}/audit-events", Permission.AUDIT_READ, Permission.AUDIT_READ),
]


@pytest.mark.parametrize("role", sorted(SYSTEM_ROLES))
async def test_role_permission_matrix(client: httpx.AsyncClient, db: Database, role: str) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        user, _ = await make_member(session, organization, role=role)
    await sign_in(client, user.email)
    granted = SYSTEM_ROLES[role][1]
    for path, _, needs in GUARDED:
        response = await client.get(path.format(org=organization.id))
        allowed = needs is None or needs in granted
        assert response.status_code == (200 if allowed else 403), (role, path, response.text)
        if not allowed:
            assert response.json()["missing_permissions"] == [needs.value]  # type: ignore[union-attr]
