"""No input produces a 500: random JSON bodies, paths and headers against the real app."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hireflow.app import create_app
from hireflow.config import Settings
from tests.http.conftest import probe_router

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
candidate_like = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "age": json_values,
        "tags": json_values,
        "organization_id": json_values,
    },
)

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _client(database_url: str, test_settings: Settings) -> TestClient:
    app = create_app(database_url, test_settings)
    app.include_router(probe_router())
    return TestClient(app, raise_server_exceptions=False)


def test_random_json_bodies_never_give_a_5xx(database_url: str, test_settings: Settings) -> None:
    with _client(database_url, test_settings) as client:

        @FUZZ
        @given(body=json_values | candidate_like)
        def check(body: object) -> None:
            response = client.post(
                "/api/v1/_probe/candidates",
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"

        check()


def test_random_bytes_never_give_a_5xx(database_url: str, test_settings: Settings) -> None:
    with _client(database_url, test_settings) as client:

        @FUZZ
        @given(
            body=st.binary(max_size=300),
            content_type=st.sampled_from(
                ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
            ),
        )
        def check(body: bytes, content_type: str) -> None:
            response = client.post(
                "/api/v1/_probe/candidates", content=body, headers={"content-type": content_type}
            )
            assert response.status_code < 500, response.text

        check()


def test_random_paths_and_slugs_never_give_a_5xx(
    database_url: str, test_settings: Settings
) -> None:
    with _client(database_url, test_settings) as client:

        @FUZZ
        @given(
            segment=st.text(min_size=1, max_size=80),
            accept=st.sampled_from(["application/json", "text/html", "*/*"]),
        )
        def check(segment: str, accept: str) -> None:
            encoded = quote(segment, safe="")
            for path in (
                f"/api/v1/public/organizations/{encoded}",
                f"/{encoded}",
                f"/api/v1/{encoded}",
            ):
                response = client.get(path, headers={"accept": accept})
                assert response.status_code < 500, (path, response.text)

        check()
