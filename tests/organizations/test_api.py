from __future__ import annotations

import httpx

from hireflow.db import Database
from tests.factories.organizations import make_organization


async def test_public_profile_of_an_organization(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech", slug="initech")
    response = await client.get("/api/v1/public/organizations/initech")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(organization.id),
        "name": "Initech",
        "slug": "initech",
        "created_at": organization.created_at.isoformat().replace("+00:00", "Z"),
    }


async def test_slug_lookup_is_case_insensitive_in_the_database(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_organization(session, slug="MixedCase")
    response = await client.get("/api/v1/public/organizations/mixedcase")
    assert response.status_code == 200


async def test_unknown_organization_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/public/organizations/no-such-org")
    assert response.status_code == 404
    assert response.json()["detail"] == "No organization has this address."


async def test_malformed_slug_is_422_with_the_parameter_named(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/public/organizations/" + "x" * 101)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "slug"
