"""The recruiter's AI interview API (UC-R1): configuring a session and its link, the
configuration's limits (A1, A2), nothing before the final submit (A4), recruiter-only notes
(A5), links (re-issue, revoke, expiry, cancel), score overrides, and who sees which session."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from hireflow.ai_interviews import events
from hireflow.ai_interviews.schemas import SessionCreate
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import (
    AuditEvent,
    IdempotencyRecord,
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    InterviewSessionNote,
)
from tests.factories.candidates import elf_bytes, pdf_bytes, png_bytes, zip_bytes
from tests.factories.interviews import (
    CANDIDATE_API,
    STRONG_ANSWER,
    Team,
    candidate_client,
    create_via_api,
    expire_link,
    make_session,
    run_interview,
    signed_in_team,
    token_of,
)
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

PROBLEM = "application/problem+json"
# Every table that a create request writes to, searched for the raw link token.
WRITTEN_TABLES = (
    "interview_session",
    "interview_invite",
    "interview_event",
    "interview_session_note",
    "idempotency_record",
    "audit_event",
)


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    return await signed_in_team(client, db)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def _count(db: Database, model: Any, **where: Any) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def _assert_nothing_created(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    """A4 too: no session, event, link or stored response exists, and the list is empty."""
    org = team.organization.id
    assert await _count(db, InterviewSession, organization_id=org) == 0
    assert await _count(db, InterviewEvent, organization_id=org) == 0
    assert await _count(db, InterviewInvite, organization_id=org) == 0
    assert await _count(db, IdempotencyRecord, organization_id=org) == 0
    listing = await client.get(team.api)
    assert listing.status_code == 200
    assert listing.json()["items"] == []


async def _events(client: httpx.AsyncClient, team: Team, interview_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{team.api}/{interview_id}/events", params={"limit": 500})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _access(candidate: httpx.AsyncClient, token: str) -> httpx.Response:
    return await candidate.post(f"{CANDIDATE_API}/access", json={"token": token})


async def _start(candidate: httpx.AsyncClient, token: str) -> dict[str, Any]:
    opened = await _access(candidate, token)
    assert opened.status_code == 200, opened.text
    candidate.headers["Authorization"] = f"Bearer {opened.json()['access_token']}"
    assert (
        await candidate.post(f"{CANDIDATE_API}/consent", json={"ai_evaluation": True})
    ).is_success
    started = await candidate.post(f"{CANDIDATE_API}/start")
    assert started.status_code == 200, started.text
    return dict(started.json())


# --- UC-R1 main scenario -----------------------------------------------------------------------


async def test_create_configures_a_not_started_session_with_its_events_and_a_hashed_link(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    config = {
        "target_role": "Data Engineer",
        "job_description": "We build Kafka and Airflow pipelines for our analysts.",
        "skills": ["Python", "SQL", "SQL"],
        "stage": "technical",
        "confidence_baseline": 3,
        "session_goal": "Depth in data modelling",
        "duration_minutes": 45,
        "question_count": 4,
        "max_follow_ups": 1,
        "coding_language": "python",
        "candidate_name": "Ada Lovelace",
        "candidate_email": "ada@example.test",
        "recruiter_notes": "Referred by Grace.",
    }
    response = await client.post(team.api, json=config, headers=_key())
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    created = response.json()
    session = created["session"]
    assert session["status"] == "NOT_STARTED"
    assert session["created_by_user_id"] == str(team.owner.id)
    assert session["organization_id"] == str(team.organization.id)
    assert session["skills"] == ["Python", "SQL"]
    assert session["link"]["status"] == "active"
    assert session["scoring_status"] is None

    # The link: the app's address, and a token of at least 128 random bits (URL-safe).
    url = created["candidate_url"]
    assert url.startswith(f"{test_settings.base_url}/interview/join?token=")
    token = token_of(url)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128

    found = await _events(client, team, session["id"])
    assert [(e["seq"], e["type"]) for e in found] == [
        (1, events.SESSION_CREATED),
        (2, events.SESSION_CONFIGURED),
        (3, events.INVITE_ISSUED),
    ]
    assert {e["actor_type"] for e in found} == {"recruiter"}
    assert {e["actor_user_id"] for e in found} == {str(team.owner.id)}
    assert found[1]["payload"]["has_recruiter_notes"] is True

    # The configuration is kept (the recruiter's detail shows it).
    detail = (await client.get(f"{team.api}/{session['id']}")).json()
    for name in ("target_role", "job_description", "stage", "session_goal", "coding_language"):
        assert detail[name] == config[name]
    assert (detail["duration_minutes"], detail["question_count"], detail["max_follow_ups"]) == (
        45,
        4,
        1,
    )
    assert detail["recruiter_notes"] == "Referred by Grace."

    # Only the token's SHA-256 is stored, and the raw token is in no row anywhere.
    async with db.transaction() as db_session:
        [invite] = list(
            await db_session.scalars(
                select(InterviewInvite).where(InterviewInvite.session_id == session["id"])
            )
        )
        assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
        for table in WRITTEN_TABLES:
            dump = await db_session.scalar(text(f"SELECT string_agg(t::text, ' ') FROM {table} t"))
            assert dump, f"{table} is empty: the search below would prove nothing"
            assert token not in dump, table
        actions = list(await db_session.scalars(select(AuditEvent.action)))
    assert "interview_session.created" in actions


async def test_link_tokens_are_random_not_time_ordered(
    client: httpx.AsyncClient, team: Team
) -> None:
    tokens = [token_of((await create_via_api(client, team))["candidate_url"]) for _ in range(5)]
    assert len(set(tokens)) == 5
    # Created one after another, yet no two share a prefix: nothing in them counts time.
    assert len({t[:4] for t in tokens}) == 5


async def test_create_from_an_application_takes_its_job_and_candidate(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    from tests.factories.applications import make_application
    from tests.factories.candidates import make_candidate

    async with db.transaction() as session:
        job = await make_job(
            session,
            team.organization,
            description_html="<p>Run <b>Kubernetes</b> clusters.</p>",
            skills=["Kubernetes", "Go"],
        )
        candidate = await make_candidate(session, team.organization, full_name="Grace Hopper")
        application = await make_application(session, job, candidate)
    created = await create_via_api(client, team, application_id=str(application.id))
    session_read = created["session"]
    assert session_read["job_id"] == str(job.id)
    assert session_read["candidate_id"] == str(candidate.id)
    assert session_read["candidate_name"] == "Grace Hopper"
    assert session_read["skills"] == ["Kubernetes", "Go"]
    detail = (await client.get(f"{team.api}/{session_read['id']}")).json()
    assert "Kubernetes clusters" in detail["job_description"]

    other_job = await _other_job(db, team)
    refused = await client.post(
        team.api,
        json={"target_role": "SRE", "application_id": str(application.id), "job_id": other_job},
        headers=_key(),
    )
    assert refused.status_code == 422, refused.text
    assert await _count(db, InterviewSession, organization_id=team.organization.id) == 1


async def _other_job(db: Database, team: Team) -> str:
    async with db.transaction() as session:
        return str((await make_job(session, team.organization, title="Other")).id)


# --- A1: missing required configuration ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"target_role": ""},
        {"target_role": "   "},
        {"target_role": None},
        {"target_role": "x" * 201},
        {"job_description": "A role without a name"},
    ],
)
async def test_no_target_role_is_a_422_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, body: dict[str, Any]
) -> None:
    key = _key()
    response = await client.post(team.api, json=body, headers=key)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert "#/target_role" in [e["pointer"] for e in response.json()["errors"]]
    await _assert_nothing_created(client, db, team)
    # The key was not used up by the refused request.
    retried = await client.post(team.api, json={"target_role": "Analyst"}, headers=key)
    assert retried.status_code == 201, retried.text


@pytest.mark.parametrize(
    "body",
    [
        {"target_role": "Analyst", "question_count": 0},
        {"target_role": "Analyst", "duration_minutes": 500},
        {"target_role": "Analyst", "max_follow_ups": 11},
        {"target_role": "Analyst", "coding_language": "cobol"},
        {"target_role": "Analyst", "candidate_email": "not an address"},
        {"target_role": "Analyst", "skills": [f"skill {n}" for n in range(31)]},
        {"target_role": "Analyst", "organization_id": str(uuid.uuid4())},
        {"target_role": "Analyst", "recruiter_notes": "n" * 5001},
    ],
)
async def test_invalid_configuration_is_a_422_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, body: dict[str, Any]
) -> None:
    response = await client.post(team.api, json=body, headers=_key())
    assert response.status_code == 422, response.text
    await _assert_nothing_created(client, db, team)


async def test_a_body_that_is_not_a_session_is_refused(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    malformed = await client.post(
        team.api,
        content=b"{not json",
        headers={**_key(), "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    not_object = await client.post(team.api, json=["Analyst"], headers=_key())
    assert not_object.status_code == 422
    wrong_type = await client.post(
        team.api, content=b"target_role=x", headers={**_key(), "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    await _assert_nothing_created(client, db, team)


# --- A2: large or invalid job descriptions ------------------------------------------------------


async def test_job_description_over_50000_characters_is_a_422(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    body = {"target_role": "Analyst", "job_description": "word " * 10_001}
    response = await client.post(team.api, json=body, headers=_key())
    assert response.status_code == 422, response.text
    assert "#/job_description" in [e["pointer"] for e in response.json()["errors"]]
    await _assert_nothing_created(client, db, team)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("jd.png", png_bytes()),
        ("jd.exe", elf_bytes()),
        ("jd.zip", zip_bytes()),
        ("jd.pdf", b"%PDF-1.7 but not really a PDF"),
    ],
)
async def test_unsupported_job_description_file_is_a_422_naming_what_is_accepted(
    client: httpx.AsyncClient, db: Database, team: Team, filename: str, data: bytes
) -> None:
    response = await client.post(
        team.api,
        data={"target_role": "Analyst"},
        files={"job_description_file": (filename, data, "application/octet-stream")},
        headers=_key(),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    if filename != "jd.pdf":  # a damaged PDF is named as such
        assert "PDF" in response.json()["detail"]
        assert "DOCX" in response.json()["detail"]
    await _assert_nothing_created(client, db, team)


async def test_job_description_file_over_the_size_limit_is_a_413(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    data = b"a" * (test_settings.max_document_bytes + 1)
    response = await client.post(
        team.api,
        data={"target_role": "Analyst"},
        files={"job_description_file": ("jd.txt", data, "text/plain")},
        headers=_key(),
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM
    await _assert_nothing_created(client, db, team)


async def test_a_pdf_job_description_is_stored_as_text(
    client: httpx.AsyncClient, team: Team
) -> None:
    response = await client.post(
        team.api,
        data={"target_role": "Data Engineer", "skills": "Kafka, SQL", "question_count": "3"},
        files={
            "job_description_file": (
                "role.pdf",
                pdf_bytes("You will run our Kafka streams and tune PostgreSQL."),
                "application/pdf",
            )
        },
        headers=_key(),
    )
    assert response.status_code == 201, response.text
    session = response.json()["session"]
    assert session["job_description_filename"] == "role.pdf"
    assert session["skills"] == ["Kafka", "SQL"]
    detail = (await client.get(f"{team.api}/{session['id']}")).json()
    assert "Kafka streams" in detail["job_description"]
    assert "%PDF" not in detail["job_description"]


async def test_job_description_as_text_and_file_together_is_a_422(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await client.post(
        team.api,
        data={"target_role": "Analyst", "job_description": "Typed in as well"},
        files={"job_description_file": ("jd.txt", b"Plain text description", "text/plain")},
        headers=_key(),
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "job_description_file"
    await _assert_nothing_created(client, db, team)


# --- A5: recruiter-only notes -------------------------------------------------------------------


async def test_recruiter_notes_are_stored_apart_and_only_the_recruiter_sees_them(
    app: FastAPI, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    marker = f"internal-{uuid.uuid4().hex}"
    created = await create_via_api(client, team, recruiter_notes=f"Salary cap 90k. {marker}")
    session_id = created["session"]["id"]
    assert marker not in str(created["session"])

    async with db.transaction() as session:
        note = await session.get(InterviewSessionNote, uuid.UUID(session_id))
        assert note is not None
        assert marker in note.body
        interview = await session.get(InterviewSession, uuid.UUID(session_id))
        assert interview is not None
        assert marker not in str(interview.state)
        assert marker not in interview.job_description

    detail = (await client.get(f"{team.api}/{session_id}")).json()
    assert marker in detail["recruiter_notes"]

    async with candidate_client(app) as candidate:
        await _start(candidate, token_of(created["candidate_url"]))
        now = await candidate.get(f"{CANDIDATE_API}/now")
        assert now.status_code == 200
        assert marker not in now.text
    async with db.transaction() as session:
        payloads = list(
            await session.scalars(
                select(InterviewEvent.payload).where(
                    InterviewEvent.session_id == uuid.UUID(session_id)
                )
            )
        )
        audit = list(await session.scalars(select(AuditEvent.data)))
    assert len(payloads) >= 5
    assert all(marker not in str(payload) for payload in payloads)
    assert all(marker not in str(data) for data in audit)


# --- links ----------------------------------------------------------------------------------------


async def test_reissuing_the_link_retires_the_old_one(
    app: FastAPI, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    old = token_of(created["candidate_url"])

    reissued = await client.post(f"{team.api}/{session_id}/link", json={"link_valid_days": 3})
    assert reissued.status_code == 201, reissued.text
    new = token_of(reissued.json()["candidate_url"])
    assert new != old

    async with candidate_client(app) as candidate:
        gone = await _access(candidate, old)
        assert gone.status_code == 410
        assert gone.json()["code"] == "link-gone"
        works = await _access(candidate, new)
        assert works.status_code == 200, works.text
        assert works.json()["now"]["status"] == "NOT_STARTED"

    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types[3:] == [events.INVITE_REVOKED, events.INVITE_ISSUED, events.LINK_OPENED]
    assert await _count(db, InterviewInvite, session_id=uuid.UUID(session_id)) == 2


async def test_reissue_with_bad_input_changes_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    for body in ({"link_valid_days": 0}, {"link_valid_days": 366}, {"token": "mine"}):
        response = await client.post(f"{team.api}/{session_id}/link", json=body)
        assert response.status_code == 422, response.text
    assert len(await _events(client, team, session_id)) == 3
    assert await _count(db, InterviewInvite, session_id=uuid.UUID(session_id)) == 1


async def test_revoking_the_link_makes_it_gone(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    revoked = await client.post(f"{team.api}/{session_id}/link/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["link"]["status"] == "revoked"
    async with candidate_client(app) as candidate:
        gone = await _access(candidate, token_of(created["candidate_url"]))
    assert gone.status_code == 410
    again = await client.post(f"{team.api}/{session_id}/link/revoke")
    assert again.status_code == 409
    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types.count(events.INVITE_REVOKED) == 1


async def test_an_expired_link_is_gone_and_the_session_expires(
    app: FastAPI, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    async with db.transaction() as session:
        await expire_link(session, uuid.UUID(session_id))
    async with candidate_client(app) as candidate:
        gone = await _access(candidate, token_of(created["candidate_url"]))
    assert gone.status_code == 410
    assert "expired" in gone.json()["detail"]

    detail = (await client.get(f"{team.api}/{session_id}")).json()
    assert detail["status"] == "EXPIRED"
    assert detail["end_reason"] == "expired"
    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types.count(events.SESSION_EXPIRED) == 1
    # An expired session can get no new link.
    reissued = await client.post(f"{team.api}/{session_id}/link", json={})
    assert reissued.status_code == 409


async def test_cancelling_ends_the_session_and_its_link(
    app: FastAPI, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    too_long = await client.post(f"{team.api}/{session_id}/cancel", json={"reason": "r" * 501})
    assert too_long.status_code == 422
    cancelled = await client.post(
        f"{team.api}/{session_id}/cancel", json={"reason": "The role was filled."}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["end_reason"] == "cancelled"
    async with candidate_client(app) as candidate:
        gone = await _access(candidate, token_of(created["candidate_url"]))
    assert gone.status_code == 410
    assert "cancelled" in gone.json()["detail"]
    again = await client.post(f"{team.api}/{session_id}/cancel", json={})
    assert again.status_code == 409
    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types.count(events.SESSION_CANCELLED) == 1
    async with db.transaction() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "interview_session.cancelled" in actions


async def test_a_started_interview_gets_no_new_link(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team)
    session_id = created["session"]["id"]
    async with candidate_client(app) as candidate:
        await _start(candidate, token_of(created["candidate_url"]))
    refused = await client.post(f"{team.api}/{session_id}/link", json={})
    assert refused.status_code == 409
    assert refused.json()["code"] == "session-closed"
    assert refused.json()["session_status"] == "IN_PROGRESS"
    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types.count(events.INVITE_ISSUED) == 1


# --- reads ----------------------------------------------------------------------------------------


async def test_list_filters_and_pages_and_events_page_by_seq(
    client: httpx.AsyncClient, team: Team
) -> None:
    ids = [(await create_via_api(client, team))["session"]["id"] for _ in range(3)]
    cancelled = ids[0]
    assert (await client.post(f"{team.api}/{cancelled}/cancel", json={})).status_code == 200

    first = (await client.get(team.api, params={"limit": 2})).json()
    assert len(first["items"]) == 2
    second = (
        await client.get(team.api, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert sorted(s["id"] for s in first["items"] + second["items"]) == sorted(ids)
    only = (await client.get(team.api, params={"status": "CANCELLED"})).json()
    assert [s["id"] for s in only["items"]] == [cancelled]
    bad = await client.get(team.api, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422

    page = (await client.get(f"{team.api}/{cancelled}/events", params={"limit": 2})).json()
    assert [e["seq"] for e in page["items"]] == [1, 2]
    rest = await client.get(f"{team.api}/{cancelled}/events", params={"after": page["next_after"]})
    assert [e["seq"] for e in rest.json()["items"]] == [3, 4]
    assert rest.json()["items"][-1]["type"] == events.SESSION_CANCELLED


# --- score overrides ------------------------------------------------------------------------------


async def _scored_session(db: Database, team: Team, settings: Settings) -> str:
    async with db.transaction() as session:
        interview, token = await make_session(
            session, team.organization, team.owner, settings, max_follow_ups=0
        )
        await run_interview(session, token, settings, [STRONG_ANSWER])
        return str(interview.id)


async def test_overriding_a_score_keeps_the_ai_score_and_is_audited(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    session_id = await _scored_session(db, team, test_settings)
    before = (await client.get(f"{team.api}/{session_id}")).json()
    first = before["transcript"][0]
    ai_score = first["ai_score"]
    assert first["score"] == ai_score is not None
    new_score = 7 if ai_score != 7 else 8

    response = await client.post(
        f"{team.api}/{session_id}/overrides",
        json={"target": first["question_id"], "score": new_score, "reason": "Answer was vague."},
    )
    assert response.status_code == 200, response.text
    after = response.json()
    item = after["transcript"][0]
    assert item["score"] == new_score
    assert item["ai_score"] == ai_score
    assert [(o["target"], o["score"], o["previous"]) for o in after["overrides"]] == [
        (first["question_id"], new_score, ai_score)
    ]
    assert after["overrides"][0]["by"] == team.owner.email

    competency = after["competencies"][0]
    target = f"competency:{competency['competency']}"
    by_competency = await client.post(
        f"{team.api}/{session_id}/overrides",
        json={"target": target, "score": 55, "reason": "Seen in the live round."},
    )
    assert by_competency.status_code == 200, by_competency.text
    changed = by_competency.json()["competencies"][0]
    assert (changed["score"], changed["ai_score"]) == (55, competency["ai_score"])

    types = [e["type"] for e in await _events(client, team, session_id)]
    assert types.count(events.SCORE_OVERRIDDEN) == 2
    async with db.transaction() as session:
        audited = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "interview_session.score_overridden",
                    AuditEvent.target_id == session_id,
                )
            )
        )
    assert len(audited) == 2
    assert audited[0].actor_user_id == team.owner.id
    assert {a.data["reason"] for a in audited} == {"Answer was vague.", "Seen in the live round."}


async def test_override_refusals_change_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    session_id = await _scored_session(db, team, test_settings)
    url = f"{team.api}/{session_id}/overrides"
    unknown = await client.post(url, json={"target": "q99", "score": 50, "reason": "Because."})
    assert unknown.status_code == 422
    assert "q1" in unknown.json()["targets"]
    for body in (
        {"target": "q1", "score": 101, "reason": "Because."},
        {"target": "q1", "score": -1, "reason": "Because."},
        {"target": "q1", "score": 50, "reason": "  "},
        {"target": "q1", "score": 50},
    ):
        response = await client.post(url, json=body)
        assert response.status_code == 422, (body, response.text)

    not_scored = (await create_via_api(client, team))["session"]["id"]
    refused = await client.post(
        f"{team.api}/{not_scored}/overrides",
        json={"target": "q1", "score": 50, "reason": "Because."},
    )
    assert refused.status_code == 409
    assert await _count(db, InterviewEvent, type=events.SCORE_OVERRIDDEN) == 0
    detail = (await client.get(f"{team.api}/{session_id}")).json()
    assert detail["overrides"] == []


async def test_overriding_needs_scores_override(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    session_id = await _scored_session(db, team, test_settings)
    async with db.transaction() as session:
        interviewer, _ = await make_member(session, team.organization, role="interviewer")
    await sign_in(client, interviewer.email)
    refused = await client.post(
        f"{team.api}/{session_id}/overrides",
        json={"target": "q1", "score": 50, "reason": "Because."},
    )
    assert refused.status_code == 403
    assert "scores:override" in refused.json()["missing_permissions"]
    assert await _count(db, InterviewEvent, type=events.SCORE_OVERRIDDEN) == 0


# --- who sees what -----------------------------------------------------------------------------


async def test_an_interviewer_cannot_create_sessions(
    client: httpx.AsyncClient, db: Database
) -> None:
    team = await signed_in_team(client, db, role="interviewer")
    response = await client.post(team.api, json={"target_role": "Analyst"}, headers=_key())
    assert response.status_code == 403
    assert "sessions:create" in response.json()["missing_permissions"]
    await _assert_nothing_created(client, db, team)


async def test_a_recruiter_sees_their_own_sessions_and_those_of_their_jobs(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session, name="Acme")
        owner, _ = await make_member(session, org, role="owner")
        recruiter, _ = await make_member(session, org, role="recruiter")
        assigned = await make_job(session, org, title="Assigned", assignees=[recruiter])
        other = await make_job(session, org, title="Not assigned")
        own, _ = await make_session(session, org, recruiter, test_settings, target_role="Mine")
        of_job, _ = await make_session(
            session, org, owner, test_settings, target_role="Of my job", job_id=assigned.id
        )
        hidden, _ = await make_session(
            session, org, owner, test_settings, target_role="Other job", job_id=other.id
        )
        unassigned, _ = await make_session(session, org, owner, test_settings, target_role="No job")
    await sign_in(client, recruiter.email)
    api = f"/api/v1/organizations/{org.id}/interview-sessions"
    listed = (await client.get(api)).json()["items"]
    assert {s["id"] for s in listed} == {str(own.id), str(of_job.id)}
    for visible in (own, of_job):
        assert (await client.get(f"{api}/{visible.id}")).status_code == 200
    for invisible in (hidden, unassigned):
        assert (await client.get(f"{api}/{invisible.id}")).status_code == 404
        assert (await client.get(f"{api}/{invisible.id}/events")).status_code == 404
        cancel = await client.post(f"{api}/{invisible.id}/cancel", json={})
        assert cancel.status_code == 404
    async with db.transaction() as session:
        still = await session.get(InterviewSession, hidden.id)
        assert still is not None
        assert still.status == "NOT_STARTED"
    # A recruiter cannot point a session at a job they cannot read.
    refused = await client.post(
        api, json={"target_role": "X", "job_id": str(other.id)}, headers=_key()
    )
    assert refused.status_code == 404


async def test_another_organizations_session_is_not_found(
    client: httpx.AsyncClient, db: Database, team: Team, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        them, _ = await make_member(session, theirs, role="owner")
        interview, _ = await make_session(session, theirs, them, test_settings)
    base = f"{team.api}/{interview.id}"
    checks = [
        ("GET", base, None),
        ("GET", f"{base}/events", None),
        ("POST", f"{base}/link", {}),
        ("POST", f"{base}/link/revoke", None),
        ("POST", f"{base}/cancel", {}),
        ("POST", f"{base}/overrides", {"target": "q1", "score": 1, "reason": "Because."}),
    ]
    for method, url, body in checks:
        response = await client.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
        assert "Theirs" not in response.text
    their_api = f"/api/v1/organizations/{theirs.id}/interview-sessions"
    assert (await client.get(their_api)).status_code == 404
    created = await client.post(their_api, json={"target_role": "X"}, headers=_key())
    assert created.status_code == 404
    async with db.transaction() as session:
        still = await session.get(InterviewSession, interview.id)
        assert still is not None
        assert (still.status, still.last_seq) == ("NOT_STARTED", 3)


# --- random configurations ----------------------------------------------------------------------

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    0.5,
    "",
    " ",
    "a",
    "x" * 5000,
    "\x00",
    "nul\x00inside",
    "😀" * 50,
    "\u202e\u200b",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "python",
    "technical",
    [],
    ["Python", "\x00"],
    {"x": 1},
]


async def test_random_configurations_never_give_a_5xx_and_refusals_create_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    rng = random.Random(5605)
    fields = sorted(set(SessionCreate.model_fields) - {"target_role"})
    created = 0
    for _ in range(60):
        body: dict[str, Any] = {"target_role": rng.choice(["Analyst", "Nul\x00role", "😀"])}
        for name in rng.sample(fields, rng.randrange(1, 4)):
            body[name] = rng.choice(ODD_VALUES)
        response = await client.post(team.api, json=body, headers=_key())
        assert response.status_code < 500, (body, response.text)
        if response.status_code == 201:
            created += 1
        else:
            assert response.status_code in (404, 422), (body, response.text)
            assert response.headers["content-type"] == PROBLEM
    assert created > 0, "no random configuration was valid: the fuzz proves little"
    assert await _count(db, InterviewSession, organization_id=team.organization.id) == created
    assert await _count(db, IdempotencyRecord, organization_id=team.organization.id) == created
