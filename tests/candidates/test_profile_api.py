"""Candidate profiles over the API: create, read, edit, with their timeline and audit events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, Candidate, CandidateEvent
from tests.candidates.conftest import Team
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

FULL: dict[str, Any] = {
    "full_name": "  Grace   Hopper ",
    "email": "Grace@Example.test",
    "phone": "(415) 555-0100",
    "headline": "Compiler engineer",
    "location": "Arlington",
    "summary": "Wrote the first compiler.",
    "links": ["https://example.test/grace", "https://example.test/grace"],
    "source": "referral",
    "tags": ["Navy", " navy ", "COBOL"],
    "skills": [
        {"name": "COBOL", "level": 5, "years": 30},
        {"name": "cobol", "level": 1},
        {"name": " Fortran ", "level": None, "years": None},
    ],
    "experience": [
        {"title": "Rear admiral", "company": "US Navy", "start_on": "1943-01-01", "end_on": None}
    ],
    "education": [{"institution": "Yale", "degree": "PhD", "field": "Mathematics"}],
}


async def _count(db: Database, model: Any, **where: Any) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def test_create_normalizes_and_records_the_event_and_audit(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await client.post(f"{team.api}/candidates", json=FULL)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["full_name"] == "Grace Hopper"
    assert body["email"] == "Grace@Example.test"
    assert body["phone"] == "(415) 555-0100"
    assert body["phone_normalized"] == "+14155550100"
    assert body["tags"] == ["navy", "cobol"]
    assert body["links"] == ["https://example.test/grace"]
    assert [s["name"] for s in body["skills"]] == ["COBOL", "Fortran"]
    assert body["skills"][0] == {"name": "COBOL", "level": 5, "years": 30}
    assert body["experience"][0]["start_on"] == "1943-01-01"
    assert body["possible_duplicates"] == []
    assert body["merged_into_id"] is None
    candidate_id = uuid.UUID(body["id"])
    assert await _count(db, CandidateEvent, candidate_id=candidate_id, type="created") == 1
    assert await _count(db, AuditEvent, action="candidate.created", target_id=str(candidate_id))

    read = await client.get(f"{team.api}/candidates/{candidate_id}")
    assert read.status_code == 200
    assert read.json()["skills"] == body["skills"]


async def test_create_flags_possible_duplicates(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        same = await make_candidate(
            session, team.org, full_name="G. Hopper", email="grace@example.test"
        )
    response = await client.post(f"{team.api}/candidates", json=FULL)
    assert response.status_code == 201
    duplicates = response.json()["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [str(same.id)]
    assert duplicates[0]["reasons"] == ["email"]


async def test_bad_input_is_422_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    bad_bodies: list[dict[str, Any]] = [
        {},
        {"full_name": "   "},
        {"full_name": "A", "source": "telepathy"},
        {"full_name": "A", "organization_id": str(uuid.uuid4())},
        {"full_name": "A", "tags": [f"t{i}" for i in range(31)]},
        {"full_name": "A", "skills": [{"name": "Go", "level": 6}]},
        {"full_name": "A", "skills": [{"name": "Go", "years": 61}]},
        {"full_name": "A", "email": "not-an-email"},
        {
            "full_name": "A",
            "experience": [{"title": "X", "start_on": "2020-01-01", "end_on": "2019-01-01"}],
        },
        {"full_name": "A", "education": [{"institution": "Y", "start_on": "nope"}]},
    ]
    for body in bad_bodies:
        response = await client.post(f"{team.api}/candidates", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await _count(db, Candidate, organization_id=team.org.id) == 0


async def test_patch_changes_only_what_is_sent(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = (await client.post(f"{team.api}/candidates", json=FULL)).json()
    url = f"{team.api}/candidates/{created['id']}"
    response = await client.patch(
        url, json={"phone": "+1 415-555-0199", "headline": None, "tags": ["Lead"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phone_normalized"] == "+14155550199"
    assert body["headline"] is None
    assert body["tags"] == ["lead"]
    assert body["full_name"] == "Grace Hopper"
    async with db.transaction() as session:
        event = await session.scalar(
            select(CandidateEvent).where(
                CandidateEvent.candidate_id == uuid.UUID(created["id"]),
                CandidateEvent.type == "updated",
            )
        )
    assert event is not None
    assert event.data["fields"] == ["headline", "phone", "tags"]


async def test_bad_patch_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = (await client.post(f"{team.api}/candidates", json=FULL)).json()
    url = f"{team.api}/candidates/{created['id']}"
    for body in (
        {"full_name": None},
        {"full_name": ""},
        {"skills": [{"name": ""}]},
        {"merged_into_id": str(uuid.uuid4())},
        {"resume_text": "sneaky"},
    ):
        response = await client.patch(url, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await client.get(url)).json() == {
        k: v for k, v in created.items() if k != "possible_duplicates"
    }


async def test_other_organizations_candidate_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        stranger = await make_candidate(session, theirs, full_name="Their Person")
    for method, path, body in (
        ("GET", "", None),
        ("PATCH", "", {"headline": "x"}),
        ("GET", "/documents", None),
        ("GET", "/consents", None),
        ("POST", "/consents", {"purpose": "talent_pool", "statement": "ok"}),
        ("POST", "/consents/withdraw", {"purpose": "talent_pool"}),
        ("GET", "/duplicates", None),
        ("GET", "/timeline", None),
        ("POST", "/merge", {"duplicate_id": str(uuid.uuid4())}),
    ):
        response = await client.request(
            method, f"{team.api}/candidates/{stranger.id}{path}", json=body
        )
        assert response.status_code == 404, (method, path, response.text)
        assert "Their Person" not in response.text
    async with db.transaction() as session:
        unchanged = await session.get(Candidate, stranger.id)
        assert unchanged is not None
        assert unchanged.headline is None


async def test_recruiter_reads_only_candidates_of_assigned_jobs(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, team.org, role="recruiter")
        mine = await make_job(session, team.org, title="Mine", assignees=[recruiter])
        other = await make_job(session, team.org, title="Other")
        seen = await make_candidate(session, team.org, full_name="Seen Person")
        hidden = await make_candidate(session, team.org, full_name="Hidden Person")
        await make_application(session, mine, seen)
        await make_application(session, other, hidden)
    client.cookies.clear()
    await sign_in(client, recruiter.email)
    listing = await client.get(f"{team.api}/candidates")
    assert listing.status_code == 200
    assert [c["full_name"] for c in listing.json()["items"]] == ["Seen Person"]
    assert listing.json()["items"][0]["latest_application"]["job_title"] == "Mine"
    assert (await client.get(f"{team.api}/candidates/{seen.id}")).status_code == 200
    assert (await client.get(f"{team.api}/candidates/{hidden.id}")).status_code == 404
    patched = await client.patch(f"{team.api}/candidates/{hidden.id}", json={"headline": "x"})
    assert patched.status_code == 404
    searched = await client.get(f"{team.api}/candidates", params={"q": "Hidden"})
    assert searched.json()["items"] == []


async def test_recruiter_reads_the_candidates_they_added_and_no_one_elses(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, team.org, role="recruiter")
        colleague, _ = await make_member(session, team.org, role="recruiter")
    client.cookies.clear()
    await sign_in(client, recruiter.email)
    created = await client.post(f"{team.api}/candidates", json={"full_name": "Walk In"})
    assert created.status_code == 201, created.text
    candidate_id = created.json()["id"]
    assert (await client.get(f"{team.api}/candidates/{candidate_id}")).status_code == 200
    listing = await client.get(f"{team.api}/candidates")
    assert [c["full_name"] for c in listing.json()["items"]] == ["Walk In"]

    client.cookies.clear()
    await sign_in(client, colleague.email)
    assert (await client.get(f"{team.api}/candidates/{candidate_id}")).status_code == 404
    assert (await client.get(f"{team.api}/candidates")).json()["items"] == []


async def test_viewer_cannot_write(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        viewer, _ = await make_member(session, team.org, role="viewer")
        candidate = await make_candidate(session, team.org)
    client.cookies.clear()
    await sign_in(client, viewer.email)
    assert (await client.get(f"{team.api}/candidates/{candidate.id}")).status_code == 200
    created = await client.post(f"{team.api}/candidates", json={"full_name": "X"})
    assert created.status_code == 403
    patched = await client.patch(f"{team.api}/candidates/{candidate.id}", json={"headline": "x"})
    assert patched.status_code == 403
    assert await _count(db, Candidate, organization_id=team.org.id) == 1


async def test_consents_given_and_withdrawn(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = (await client.post(f"{team.api}/candidates", json={"full_name": "Ada"})).json()
    url = f"{team.api}/candidates/{created['id']}/consents"
    given = await client.post(
        url, json={"purpose": "talent_pool", "statement": "Keep my profile for 2 years."}
    )
    assert given.status_code == 201, given.text
    assert given.json()["withdrawn_at"] is None
    assert given.json()["source"] == "recruiter"
    bad = await client.post(url, json={"purpose": "Talent Pool!", "statement": "x"})
    assert bad.status_code == 422
    missing = await client.post(f"{url}/withdraw", json={"purpose": "ai_evaluation"})
    assert missing.status_code == 404
    withdrawn = await client.post(f"{url}/withdraw", json={"purpose": "talent_pool"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()[0]["withdrawn_at"] is not None
    listed = (await client.get(url)).json()
    assert len(listed) == 1
    assert listed[0]["withdrawn_at"] is not None
    types = [
        item["type"]
        for item in (await client.get(f"{team.api}/candidates/{created['id']}/timeline")).json()[
            "items"
        ]
    ]
    assert types == ["consent_withdrawn", "consent_given", "created"]
