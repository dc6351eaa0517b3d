"""Request ids in responses and logs, security headers, CORS, metrics, OpenAPI."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.worker import enqueue
from tests.worker.tasks_for_tests import record_effect


async def test_a_given_request_id_is_echoed_and_in_every_log_line(
    client: httpx.AsyncClient, json_logs: io.StringIO
) -> None:
    response = await client.get(
        "/api/v1/public/organizations/nobody", headers={"X-Request-ID": "trace-abc.123"}
    )
    assert response.headers["x-request-id"] == "trace-abc.123"
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    # The test's own HTTP client logs too; that line is not the server's.
    lines = [line for line in lines if line["logger"] != "httpx"]
    assert lines, "the request logged nothing"
    assert all(line["request_id"] == "trace-abc.123" for line in lines)
    access = [line for line in lines if line["event"] == "request"]
    assert access == [
        {
            **access[0],
            "status": 404,
            "route": "/api/v1/public/organizations/{slug}",
            "method": "GET",
        }
    ]


@pytest.mark.parametrize("given", ["", "x" * 129, "bad id", "<script>", "a;b"])
async def test_an_unusable_request_id_is_replaced(client: httpx.AsyncClient, given: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": given})
    generated = response.headers["x-request-id"]
    assert generated != given
    assert len(generated) == 32
    assert int(generated, 16) >= 0


async def test_each_request_gets_its_own_id(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


async def test_security_headers_on_api_and_pages(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/", "/api/v1/nothing"):
        headers = (await client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "strict-transport-security" not in headers
    assert (await client.get("/api/v1/nothing")).headers["cache-control"] == "no-store"


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/public/organizations/acme",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    response = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_cors_opens_only_to_configured_origins(
    database_url: str, test_settings: Settings
) -> None:
    settings = test_settings.model_copy(update={"cors_origins": ["https://jobs.example"]})
    app = create_app(database_url, settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            preflight = {"Access-Control-Request-Method": "GET"}
            allowed = await client.options(
                "/healthz", headers={"Origin": "https://jobs.example", **preflight}
            )
            refused = await client.options(
                "/healthz", headers={"Origin": "https://evil.example", **preflight}
            )
    assert allowed.headers["access-control-allow-origin"] == "https://jobs.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/public/organizations/some-slug-1")
    await client.get("/api/v1/public/organizations/some-slug-2")
    text = (await client.get("/metrics")).text
    assert (
        'hireflow_http_requests_total{method="GET",'
        'route="/api/v1/public/organizations/{slug}",status="404"}'
    ) in text
    assert "some-slug" not in text  # raw paths would explode the label set
    assert 'hireflow_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text


async def test_metrics_count_jobs_by_task_and_status(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await enqueue(session, record_effect, key="metrics")
    text = (await client.get("/metrics")).text
    assert 'hireflow_jobs{status="todo",task="tests.record_effect"} 1.0' in text
    assert "hireflow_jobs_scrape_error 0.0" in text


async def test_openapi_and_docs_are_served_locally(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    assert "/api/v1/public/organizations/{slug}" in spec["paths"]
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/dist/swagger/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text  # no CDN
