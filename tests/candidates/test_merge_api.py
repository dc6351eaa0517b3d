"""Duplicate detection and merging: the same person found by email, phone or name, merged
without losing history."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import Application, ApplicationEvent, Candidate, CandidateEvent, Document
from tests.candidates.conftest import Team
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization


async def test_duplicates_by_email_case_phone_format_and_similar_name(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        person = await make_candidate(
            session,
            team.org,
            full_name="Dorothy Vaughan",
            email="dorothy@example.test",
            phone="(415) 555-0100",
        )
        by_email = await make_candidate(
            session, team.org, full_name="D. V.", email="DOROTHY@Example.TEST"
        )
        by_phone = await make_candidate(
            session, team.org, full_name="Someone Else", phone="+1 415-555-0100"
        )
        by_name = await make_candidate(session, team.org, full_name="Dorothy Vaughn")
        await make_candidate(session, team.org, full_name="Mary Jackson")
    response = await client.get(f"{team.api}/candidates/{person.id}/duplicates")
    assert response.status_code == 200
    found = {d["id"]: d["reasons"] for d in response.json()}
    assert found == {
        str(by_email.id): ["email"],
        str(by_phone.id): ["phone"],
        str(by_name.id): ["name"],
    }


async def test_merge_keeps_history_and_moves_everything(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        shared_job = await make_job(session, team.org, title="Shared")
        only_dup_job = await make_job(session, team.org, title="Only duplicate")
        primary = await make_candidate(
            session,
            team.org,
            full_name="Annie Easley",
            email=None,
            tags=["nasa"],
            skills=[{"name": "Fortran", "level": 5, "years": 30}],
        )
        primary.email = None
        duplicate = await make_candidate(
            session,
            team.org,
            full_name="Annie J. Easley",
            email="annie@example.test",
            phone="415 555 0111",
            tags=["nasa", "rocketry"],
            skills=[
                {"name": "fortran", "level": 1, "years": 1},
                {"name": "SOAP", "level": 3, "years": 2},
            ],
            links=["https://example.test/annie"],
        )
        kept_app = await make_application(session, shared_job, primary)
        clash_app = await make_application(session, shared_job, duplicate)
        moved_app = await make_application(session, only_dup_job, duplicate)
    upload = await client.post(
        f"{team.api}/candidates/{duplicate.id}/documents",
        files={"file": ("cv.txt", b"Centaur rocket software")},
    )
    assert upload.status_code == 201
    consent = await client.post(
        f"{team.api}/candidates/{duplicate.id}/consents",
        json={"purpose": "talent_pool", "statement": "Yes."},
    )
    assert consent.status_code == 201

    response = await client.post(
        f"{team.api}/candidates/{primary.id}/merge", json={"duplicate_id": str(duplicate.id)}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["email"] == "annie@example.test"
    assert body["phone_normalized"] == "+14155550111"
    assert body["tags"] == ["nasa", "rocketry"]
    assert [s["name"] for s in body["skills"]] == ["Fortran", "SOAP"]
    assert body["skills"][0]["level"] == 5
    assert body["links"] == ["https://example.test/annie"]

    async with db.transaction() as session:
        apps = {
            a.id: a.candidate_id
            for a in await session.scalars(
                select(Application).where(
                    Application.id.in_([kept_app.id, clash_app.id, moved_app.id])
                )
            )
        }
        assert apps == {
            kept_app.id: primary.id,
            clash_app.id: duplicate.id,
            moved_app.id: primary.id,
        }
        # The clashing application keeps its own events.
        clash_events = await session.scalars(
            select(ApplicationEvent.type).where(ApplicationEvent.application_id == clash_app.id)
        )
        assert list(clash_events) == ["applied"]
        document = await session.scalar(select(Document).where(Document.candidate_id == primary.id))
        assert document is not None
        merged = await session.get(Candidate, duplicate.id)
        assert merged is not None
        assert merged.merged_into_id == primary.id
        assert merged.merged_at is not None
        kept = await session.get(Candidate, primary.id)
        assert kept is not None
        assert "Centaur" in kept.resume_text
        merge_event = await session.scalar(
            select(CandidateEvent).where(
                CandidateEvent.candidate_id == primary.id, CandidateEvent.type == "merged"
            )
        )
        assert merge_event is not None
        assert merge_event.data["kept_with_duplicate"][0]["application_id"] == str(clash_app.id)
        assert merge_event.data["moved_application_ids"] == [str(moved_app.id)]
        dup_events = list(
            await session.scalars(
                select(CandidateEvent.type).where(CandidateEvent.candidate_id == duplicate.id)
            )
        )
        assert dup_events == ["merged_into"]

    # The merged record stays readable and points at the one kept.
    read = await client.get(f"{team.api}/candidates/{duplicate.id}")
    assert read.status_code == 200
    assert read.json()["merged_into_id"] == str(primary.id)
    # The timeline of the kept record holds the duplicate's history too.
    timeline = (await client.get(f"{team.api}/candidates/{primary.id}/timeline")).json()["items"]
    types = [(i["source"], i["type"]) for i in timeline]
    assert ("candidate", "merged") in types
    assert ("candidate", "document_added") in types
    assert ("candidate", "consent_given") in types
    assert types.count(("application", "applied")) == 2
    consents = (await client.get(f"{team.api}/candidates/{primary.id}/consents")).json()
    assert [c["purpose"] for c in consents] == ["talent_pool"]


async def test_merge_refusals_change_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        a = await make_candidate(session, team.org, full_name="A")
        b = await make_candidate(session, team.org, full_name="B")
        c = await make_candidate(session, team.org, full_name="C")
        theirs = await make_organization(session, name="Theirs")
        stranger = await make_candidate(session, theirs, full_name="Stranger")
    url = f"{team.api}/candidates/{a.id}/merge"
    assert (await client.post(url, json={"duplicate_id": str(a.id)})).status_code == 422
    assert (await client.post(url, json={"duplicate_id": str(stranger.id)})).status_code == 404
    assert (await client.post(url, json={"duplicate_id": str(uuid.uuid4())})).status_code == 404
    assert (await client.post(url, json={"duplicate_id": "nope"})).status_code == 422
    assert (await client.post(url, json={})).status_code == 422
    ok = await client.post(url, json={"duplicate_id": str(b.id)})
    assert ok.status_code == 200
    # b is merged now: neither side of another merge.
    again = await client.post(url, json={"duplicate_id": str(b.id)})
    assert again.status_code == 409
    into_merged = await client.post(
        f"{team.api}/candidates/{b.id}/merge", json={"duplicate_id": str(c.id)}
    )
    assert into_merged.status_code == 409
    edit_merged = await client.patch(f"{team.api}/candidates/{b.id}", json={"headline": "x"})
    assert edit_merged.status_code == 409
    async with db.transaction() as session:
        for candidate in (a, c, stranger):
            row = await session.get(Candidate, candidate.id)
            assert row is not None
            assert row.merged_into_id is None
