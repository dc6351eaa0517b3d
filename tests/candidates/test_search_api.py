"""Candidate search: full text, fuzzy names, filters, sorts and keyset pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from hireflow.db import Database
from hireflow.models import Candidate
from tests.candidates.conftest import Team
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job


async def _names(client: httpx.AsyncClient, team: Team, **params: object) -> list[str]:
    response = await client.get(f"{team.api}/candidates", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [c["full_name"] for c in response.json()["items"]]


async def test_full_text_fuzzy_name_and_email_prefix(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        await make_candidate(
            session,
            team.org,
            full_name="Margaret Hamilton",
            email="mhamilton@nasa.test",
            headline="Flight software lead",
        )
        await make_candidate(
            session,
            team.org,
            full_name="Barbara Liskov",
            email="liskov@mit.test",
            skills=[{"name": "Distributed systems", "level": 5, "years": 40}],
        )
        await make_candidate(
            session, team.org, full_name="Edsger Dijkstra", resume_text="Wrote about goto."
        )
    assert await _names(client, team, q="flight software") == ["Margaret Hamilton"]
    assert await _names(client, team, q="distributed") == ["Barbara Liskov"]
    assert await _names(client, team, q="goto") == ["Edsger Dijkstra"]
    # Typos in a name.
    assert await _names(client, team, q="Margret Hamiltn") == ["Margaret Hamilton"]
    assert await _names(client, team, q="Dijkstrra") == ["Edsger Dijkstra"]
    # An email, whole or its start, in any case.
    assert await _names(client, team, q="LISKOV@MIT.test") == ["Barbara Liskov"]
    assert await _names(client, team, q="mhamil") == ["Margaret Hamilton"]
    # websearch syntax: "-" excludes.
    assert "Barbara Liskov" not in await _names(client, team, q="liskov -distributed")
    assert await _names(client, team, q="zebra") == []


async def test_filters_combine(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.org, title="Platform")
        other_job = await make_job(session, team.org, title="Data")
        a = await make_candidate(
            session, team.org, full_name="Alpha", tags=["senior"], source="referral"
        )
        b = await make_candidate(session, team.org, full_name="Bravo", tags=["senior"])
        await make_candidate(session, team.org, full_name="Charlie", tags=["junior"])
        await make_application(session, job, a)
        application = await make_application(session, other_job, b)
        old = await make_candidate(session, team.org, full_name="Delta Old")
        await session.execute(
            update(Candidate)
            .where(Candidate.id == old.id)
            .values(created_at=datetime(2020, 5, 1, tzinfo=UTC))
        )
    assert await _names(client, team, tag="senior", sort="name") == ["Alpha", "Bravo"]
    assert await _names(client, team, tag="SENIOR", source="referral") == ["Alpha"]
    assert await _names(client, team, job_id=str(job.id)) == ["Alpha"]
    assert await _names(client, team, stage_id=str(application.stage_id)) == ["Bravo"]
    assert await _names(client, team, job_id=str(job.id), tag="junior") == []
    assert await _names(client, team, created_to="2020-05-01") == ["Delta Old"]
    today = datetime.now(UTC).date()
    recent = await _names(client, team, created_from=str(today - timedelta(days=1)), sort="name")
    assert recent == ["Alpha", "Bravo", "Charlie"]


async def test_pagination_walks_every_result_once(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        for i in range(23):
            await make_candidate(session, team.org, full_name=f"Person {i:02d} Smith")
    for sort, q in (("newest", None), ("name", None), ("relevance", "smith")):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, str | int] = {"limit": 5, "sort": sort}
            if q:
                params["q"] = q
            if cursor:
                params["cursor"] = cursor
            response = await client.get(f"{team.api}/candidates", params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            seen.extend(c["id"] for c in body["items"])
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 23, sort
        assert len(set(seen)) == 23, sort
        assert pages == 5
    names = await _names(client, team, sort="name", limit=3)
    assert names == ["Person 00 Smith", "Person 01 Smith", "Person 02 Smith"]


async def test_bad_search_parameters_are_422(client: httpx.AsyncClient, team: Team) -> None:
    for params in (
        {"limit": 101},
        {"limit": 0},
        {"sort": "random"},
        {"sort": "relevance"},
        {"cursor": "%%%not-base64"},
        {"cursor": "eyJzIjoibmFtZSJ9", "sort": "newest"},
        {"source": "telepathy"},
        {"job_id": "nope"},
        {"created_from": "2024-02-01", "created_to": "2024-01-01"},
    ):
        response = await client.get(f"{team.api}/candidates", params=params)
        assert response.status_code == 422, (params, response.text)


async def test_merged_candidates_leave_search(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        keep = await make_candidate(session, team.org, full_name="Katherine Johnson")
        gone = await make_candidate(session, team.org, full_name="Katharine Johnson")
    merged = await client.post(
        f"{team.api}/candidates/{keep.id}/merge", json={"duplicate_id": str(gone.id)}
    )
    assert merged.status_code == 200, merged.text
    assert await _names(client, team, q="johnson") == ["Katherine Johnson"]
    assert await _names(client, team) == ["Katherine Johnson"]
