"""Every error is an RFC 9457 problem; bad input gets a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hireflow.db import Database
from tests.factories.organizations import make_organization

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:hireflow:problem:{code}"
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_api_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    body = assert_problem(response, 404, "not-found")
    assert body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/public/organizations/acme")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_malformed_json_is_a_400_problem(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/api/v1/_probe/candidates",
        content=b'{"name": "Ada", "age": ',
        headers={"content-type": "application/json"},
    )
    body = assert_problem(response, 400, "malformed-json")
    assert "not valid JSON" in str(body["detail"])


async def test_wrong_types_point_at_each_bad_field(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/api/v1/_probe/candidates", json={"name": "", "age": "old", "tags": ["a", 7]}
    )
    body = assert_problem(response, 422, "validation-error")
    pointers = sorted(error["pointer"] for error in body["errors"])  # type: ignore[attr-defined]
    assert pointers == ["#/age", "#/name", "#/tags/1"]
    assert all(error["detail"] for error in body["errors"])  # type: ignore[attr-defined]


async def test_missing_and_unexpected_fields_are_reported(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/api/v1/_probe/candidates", json={"name": "Ada", "organization_id": "other-tenant"}
    )
    body = assert_problem(response, 422, "validation-error")
    errors = {error["pointer"]: error["code"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert errors == {"#/age": "missing", "#/organization_id": "extra_forbidden"}


@pytest.mark.parametrize(
    "payload",
    [
        b"[]",
        b"null",
        b'"text"',
        b"123",
        b"{}",
        b'{"name": null, "age": null}',
        b'{"name": "x", "age": 1e400}',
        b"\xff\xfe",
        b'{"name": "\\ud800", "age": 20}',
    ],
)
async def test_odd_bodies_get_a_4xx(probe: httpx.AsyncClient, payload: bytes) -> None:
    response = await probe.post(
        "/api/v1/_probe/candidates", content=payload, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_a_body_that_is_not_json_gets_a_4xx(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/api/v1/_probe/candidates",
        content=b"name=Ada&age=30",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM


async def test_a_declared_oversized_body_is_refused_with_413(probe: httpx.AsyncClient) -> None:
    response = await probe.post("/api/v1/_probe/candidates", json={"name": "x" * 5000, "age": 30})
    body = assert_problem(response, 413, "payload-too-large")
    assert "2048" in str(body["detail"])


async def test_file_uploads_have_their_own_larger_limit(probe: httpx.AsyncClient) -> None:
    # 5,000 bytes: over the 2,048 for other bodies, within the 8,192 for multipart uploads, so
    # the request reaches the route (which wants JSON, hence a 422 rather than a 413).
    files = {"file": ("cv.txt", b"x" * 5000, "text/plain")}
    response = await probe.post("/api/v1/_probe/candidates", files=files)
    assert_problem(response, 422, "validation-error")
    files = {"file": ("cv.txt", b"x" * 10_000, "text/plain")}
    response = await probe.post("/api/v1/_probe/candidates", files=files)
    body = assert_problem(response, 413, "payload-too-large")
    assert "8192" in str(body["detail"])


async def test_a_streamed_oversized_body_is_refused_with_413(probe: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = await probe.post(
        "/api/v1/_probe/candidates", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload-too-large")


async def test_an_unhandled_error_is_a_500_problem_without_internals(
    probe: httpx.AsyncClient,
) -> None:
    response = await probe.get("/api/v1/_probe/crash")
    assert_problem(response, 500, "internal-error")
    assert "secret" not in response.text
    assert "Traceback" not in response.text


async def test_an_unhandled_error_on_a_page_is_the_500_page(probe: httpx.AsyncClient) -> None:
    response = await probe.get("/api/v1/_probe/crash-page", headers={"accept": "text/html"})
    assert response.status_code == 500
    # Under /api/ the answer stays JSON even for a browser.
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_page_for_a_browser_is_the_html_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-request-id"] in response.text


async def test_a_valid_body_passes(probe: httpx.AsyncClient) -> None:
    response = await probe.post("/api/v1/_probe/candidates", json={"name": "Ada", "age": 36})
    assert response.status_code == 201
    assert response.json() == {"name": "Ada", "age": 36, "tags": []}


async def test_a_failing_commit_is_reported_not_answered_with_success(
    probe: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_organization(session, slug="taken")
    response = await probe.post("/api/v1/_probe/organizations/taken")
    # The commit runs before the response is sent, so its failure is what the client sees.
    assert_problem(response, 500, "internal-error")
    created = await probe.post("/api/v1/_probe/organizations/fresh-one")
    assert created.status_code == 201
