"""The raw link token never reaches the logs: not when the link is opened in a browser, not
when it is exchanged over the API, not when it is wrong."""

from __future__ import annotations

import io
import json

import httpx
from fastapi import FastAPI

from hireflow.db import Database
from tests.factories.interviews import candidate_client, create_via_api, signed_in_team, token_of


def server_lines(logs: io.StringIO) -> list[str]:
    # The test's own HTTP client logs the URLs it requests; those lines are not the server's.
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    return [json.dumps(line) for line in lines if line.get("logger") != "httpx"]


async def test_the_token_is_in_no_log_line(
    client: httpx.AsyncClient, db: Database, app: FastAPI, json_logs: io.StringIO
) -> None:
    team = await signed_in_team(client, db)
    created = await create_via_api(client, team)
    token = token_of(created["candidate_url"])
    async with candidate_client(app) as candidate:
        joined = await candidate.get(f"/interview/join?token={token}")
        assert joined.status_code == 303
        assert "token" not in joined.headers["location"]
        assert joined.headers["referrer-policy"] == "no-referrer"
        exchanged = await candidate.post("/api/v1/interview/access", json={"token": token})
        assert exchanged.status_code == 200
        wrong = await candidate.get(f"/interview/join?token={token[:-4]}abcd")
        assert wrong.status_code == 404
    lines = server_lines(json_logs)
    assert any('"/interview/join"' in line for line in lines), "the join request was not logged"
    assert not [line for line in lines if token in line or token[:-4] in line]
