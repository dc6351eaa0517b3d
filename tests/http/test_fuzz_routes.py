"""No input produces a 500, on every real write route: each JSON body the API accepts (found in
the OpenAPI description, so routes added later are fuzzed too) gets random bodies — its own
field names with values of every type and size, text with NUL bytes and odd Unicode, wrong
top-level shapes — as the owner of an organization, on ids that exist. List routes get random
query strings (cursors, dates, sorts, limits).

A deterministic fuzzer (fixed seed) rather than hypothesis: the routes share one organization
and the whole walk runs in one test transaction, which hypothesis's shrinking would replay
many times over."""

from __future__ import annotations

import random
import re
import string
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from hireflow.db import Database
from tests.authz.test_tenant_isolation import ID_MAKERS, NOT_IDS
from tests.factories.interviews import make_session
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

BODIES_PER_ROUTE = 12
QUERIES_PER_ROUTE = 12
PROBLEM = "application/problem+json"
TEXTS = [
    "",
    " ",
    "a",
    "x" * 5000,
    "\x00",
    "nul\x00inside",
    "😀" * 50,
    "\u202e\u200b",
    "<script>alert(1)</script>",
    "'; DROP TABLE candidate; --",
    "2026-13-45",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "%00%ff",
    "../../etc/passwd",
]


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 2 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 5, 2**31, -(2**63), 10**30])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e308, 3.0])
    if kind in (4, 5, 6):
        if rng.random() < 0.5:
            return rng.choice(TEXTS)
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 40)))
    if kind in (7, 8):
        return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {rng.choice(["name", "level", "x", ""]): _value(rng, depth + 1) for _ in range(2)}


def _body(rng: random.Random, fields: list[str]) -> Any:
    if not fields or rng.random() < 0.15:
        return _value(rng)
    chosen = rng.sample(fields, rng.randrange(0, len(fields) + 1))
    body = {name: _value(rng) for name in chosen}
    if rng.random() < 0.2:
        body["organization_id"] = _value(rng)
    return body


def _fields(openapi: dict[str, Any], operation: dict[str, Any]) -> list[str] | None:
    """The property names of a JSON request body, or None when it takes no JSON."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


def _query_params(operation: dict[str, Any]) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


async def test_random_input_never_gives_a_5xx_on_any_route(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    rng = random.Random(20261121)
    async with db.transaction() as session:
        organization = await make_organization(session, name="Fuzzed")
        owner, _ = await make_member(session, organization, role="owner")
        ids = {name: await make(session, organization, owner) for name, make in ID_MAKERS.items()}
        slug = organization.slug
        _, link_token = await make_session(session, organization, owner)
    await sign_in(client, owner.email)
    # The candidate's interview routes get a started interview to act on (the access cookie
    # is the candidate's own, next to the owner's session).
    for path, body in (
        ("access", {"token": link_token}),
        ("consent", {"ai_evaluation": True}),
        ("start", None),
    ):
        started = await client.post(f"/api/v1/interview/{path}", json=body)
        assert started.status_code == 200, started.text
    openapi = app.openapi()

    walked = 0
    for path, operations in sorted(openapi["paths"].items()):
        if path.startswith("/api/v1/platform/") or "/auth/" in path:
            continue  # platform routes are for admins; sign-in routes would end the session
        url = path.replace("{slug}", slug)
        for param in re.findall(r"{(\w+)}", url):
            if param in NOT_IDS:
                break
            url = url.replace("{" + param + "}", str(ids[param]))
        else:
            for method, operation in sorted(operations.items()):
                if method == "delete":
                    continue  # deleting the shared objects would only turn later routes into 404s
                fields = _fields(openapi, operation)
                queries = _query_params(operation)
                if method in {"post", "put", "patch"} and fields is not None:
                    for _ in range(BODIES_PER_ROUTE):
                        body = _body(rng, fields)
                        # A new key per body, so idempotent creates get as far as creating.
                        headers = {"Idempotency-Key": str(uuid.uuid4())}
                        response = await client.request(
                            method.upper(), url, json=body, headers=headers
                        )
                        _check(response, method, url, body)
                    walked += 1
                elif method == "get" and queries:
                    for _ in range(QUERIES_PER_ROUTE):
                        params = {
                            name: str(_value(rng))
                            for name in rng.sample(queries, rng.randrange(1, len(queries) + 1))
                        }
                        response = await client.get(url, params=params)
                        _check(response, method, url, params)
                    walked += 1
    assert walked > 40, f"only {walked} routes were fuzzed: the walk is broken"


def _check(response: httpx.Response, method: str, url: str, sent: object) -> None:
    assert response.status_code < 500, (method, url, sent, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM, (method, url, response.text[:300])


async def test_a_value_the_database_refuses_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Nul Bytes")
        owner, _ = await make_member(session, organization, role="owner")
    await sign_in(client, owner.email)
    url = f"/api/v1/organizations/{organization.id}/candidates"
    response = await client.post(url, json={"full_name": "Ada\x00Lovelace"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid-value"
    assert "NUL" in response.json()["detail"]
    listing = await client.get(url)
    assert listing.status_code == 200
    assert listing.json()["items"] == []
