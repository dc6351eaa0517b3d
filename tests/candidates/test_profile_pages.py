"""The recruiter's candidate form with experience and education rows, and the profile's
"Older events" (keyset pages of the timeline, appended by htmx or as a page without it)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, Candidate, CandidateEvent
from tests.candidates.conftest import Team
from tests.factories.candidates import make_candidate
from tests.factories.organizations import make_organization
from tests.web.test_pages import assert_html

HTML = {"accept": "text/html"}
HTMX = {"hx-request": "true", "accept": "text/html"}

TURING: dict[str, str | None] = {
    "title": "Researcher",
    "company": "National Physical Laboratory",
    "start_on": "1945-10-01",
    "end_on": "1947-09-30",
    "description": "Designed the ACE.",
}
BLETCHLEY: dict[str, str | None] = {
    "title": "Cryptanalyst",
    "company": "Bletchley Park",
    "start_on": "1939-09-04",
    "end_on": "1945-05-08",
    "description": None,
}
PRINCETON: dict[str, str | None] = {
    "institution": "Princeton University",
    "degree": "PhD",
    "field": "Mathematics",
    "start_on": "1936-09-01",
    "end_on": "1938-06-30",
}


async def _plain_form(client: httpx.AsyncClient) -> dict[str, str]:
    """The CSRF field, posted like a browser without script (no CSRF header)."""
    token = client.headers.pop("X-CSRF-Token")
    return {"csrf_token": token}


def _profile(**fields: Any) -> dict[str, Any]:
    """The form's other fields, as `_turing` has them (so only what a test changes changes)."""
    return {"full_name": "Alan Turing", "email": "alan@example.test", "source": "manual", **fields}


Row = Mapping[str, str | None]


def _experience_rows(*rows: Row) -> dict[str, list[str]]:
    """Repeated fieldsets as the browser posts them: one list per column."""
    keys = ("title", "company", "start_on", "end_on", "description")
    return {f"exp_{key}": [row.get(key) or "" for row in rows] for key in keys}


def _education_rows(*rows: Row) -> dict[str, list[str]]:
    keys = ("institution", "degree", "field", "start_on", "end_on")
    return {f"edu_{key}": [row.get(key) or "" for row in rows] for key in keys}


async def _turing(db: Database, team: Team) -> Candidate:
    async with db.transaction() as session:
        return await make_candidate(
            session,
            team.org,
            full_name="Alan Turing",
            email="alan@example.test",
            skills=[],
            experience=[BLETCHLEY, TURING],
        )


async def _stored(db: Database, candidate_id: uuid.UUID) -> Candidate:
    async with db.transaction() as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate


async def _count(db: Database, model: Any, **where: Any) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


# --- experience and education on the edit form --------------------------------------------


async def test_edit_form_shows_entries_with_blank_rows_to_add(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    response = await client.get(f"{team.pages}/candidates/{candidate.id}/edit", headers=HTML)
    page = assert_html(response)
    assert not page.csp_offences
    assert 'value="Bletchley Park"' in response.text
    assert 'value="1945-10-01"' in response.text
    assert "Designed the ACE." in response.text
    # Two entries and two blank rows; a remove box on the entries only.
    assert [i for i in page.ids if i.startswith("exp-title-")] == [
        f"exp-title-{i}" for i in range(4)
    ]
    assert [i for i in page.ids if i.startswith("exp-remove-")] == ["exp-remove-0", "exp-remove-1"]
    # The box posts the row's index (unticked boxes post nothing).
    box = 'id="exp-remove-1" name="exp_remove" type="checkbox" value="1"'
    assert box in response.text
    assert [i for i in page.ids if i.startswith("edu-institution-")] == [
        "edu-institution-0",
        "edu-institution-1",
    ]
    assert not [i for i in page.ids if i.startswith("edu-remove-")]


async def test_edit_form_changes_removes_and_adds_entries(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    fields = await _plain_form(client)
    changed = {**TURING, "title": "  Senior researcher  ", "description": "Designed\r\nthe ACE."}
    added = {"title": "Reader", "company": "University of Manchester", "start_on": "1948-10-01"}
    saved = await client.post(
        f"{team.pages}/candidates/{candidate.id}/edit",
        data={
            **fields,
            **_profile(),
            # Row 0 (Bletchley) is ticked for removal, row 1 is changed, row 2 is new and
            # row 3 was left blank.
            **_experience_rows(BLETCHLEY, changed, added, {}),
            "exp_remove": ["0"],
            **_education_rows(PRINCETON, {}),
        },
        headers=HTML,
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].endswith(f"/candidates/{candidate.id}?notice=candidate-saved")

    stored = await _stored(db, candidate.id)
    assert stored.experience == [
        {**TURING, "title": "Senior researcher", "description": "Designed\nthe ACE."},
        {**added, "end_on": None, "description": None},
    ]
    assert stored.education == [PRINCETON]
    # The same service call as the API: a timeline event and an audit event naming the fields.
    async with db.transaction() as session:
        event = await session.scalar(
            select(CandidateEvent).where(
                CandidateEvent.candidate_id == candidate.id, CandidateEvent.type == "updated"
            )
        )
        audit = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "candidate.updated", AuditEvent.target_id == str(candidate.id)
            )
        )
    assert event is not None
    assert event.data == {"fields": ["education", "experience"]}
    assert audit is not None
    assert audit.data == {"fields": ["education", "experience"]}
    assert audit.actor_user_id == team.owner.id

    profile = await client.get(f"{team.pages}/candidates/{candidate.id}", headers=HTML)
    assert "Senior researcher" in profile.text
    assert "University of Manchester" in profile.text
    assert "Princeton University" in profile.text
    assert "Bletchley Park" not in profile.text


async def test_saving_unchanged_entries_records_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    fields = await _plain_form(client)
    response = await client.post(
        f"{team.pages}/candidates/{candidate.id}/edit",
        data={
            **fields,
            **_profile(),
            **_experience_rows(BLETCHLEY, TURING, {}, {}),
        },
        headers=HTML,
    )
    assert response.status_code == 303, response.text
    assert await _count(db, CandidateEvent, candidate_id=candidate.id, type="updated") == 0
    assert (await _stored(db, candidate.id)).experience == [BLETCHLEY, TURING]


async def test_entry_errors_show_next_to_their_fields_keep_values_and_change_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    fields = await _plain_form(client)
    backwards = {**TURING, "start_on": "1947-09-30", "end_on": "1945-10-01"}
    untitled = {"company": "Ferranti", "description": "x" * 5001}
    long_school = {"institution": "K" * 201, "degree": "BA", "end_on": "not a date"}
    response = await client.post(
        f"{team.pages}/candidates/{candidate.id}/edit",
        data={
            **fields,
            **_profile(full_name="Alan M. Turing"),
            **_experience_rows(backwards, {}, untitled),
            **_education_rows(long_school),
        },
        headers=HTML,
    )
    page = assert_html(response, 422)
    assert not page.csp_offences
    text = response.text
    assert "Correct the positions marked below" in text
    assert "Correct the schools marked below" in text
    # Each message is tied to its field (aria-describedby → the message's id).
    for field_id, message in (
        ("exp-end-0", "The end date cannot be before the start date."),
        ("exp-title-1", "Enter the job title (200 characters at most)."),
        ("exp-description-1", "Keep the description under 5,000 characters."),
        ("edu-institution-0", "Enter the school (200 characters at most)."),
        ("edu-end-0", "Enter a date like 2021-03-31."),
    ):
        assert re.search(rf'id="{field_id}-error"[^>]*>\s*{re.escape(message)}', text), field_id
    # What was typed is shown again (the blank row dropped, the untitled one kept), with
    # fresh blank rows after it.
    assert 'value="Alan M. Turing"' in text
    assert 'value="1947-09-30"' in text
    assert 'value="Ferranti"' in text
    assert 'value="not a date"' in text
    assert "x" * 5001 in text
    assert "exp-title-3" in page.ids
    assert "exp-title-4" not in page.ids
    # Nothing saved.
    stored = await _stored(db, candidate.id)
    assert stored.full_name == "Alan Turing"
    assert stored.experience == [BLETCHLEY, TURING]
    assert stored.education == []
    assert await _count(db, CandidateEvent, candidate_id=candidate.id) == 0
    assert await _count(db, AuditEvent, target_id=str(candidate.id)) == 0


async def test_a_ticked_row_is_dropped_even_when_invalid(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    fields = await _plain_form(client)
    broken = {**BLETCHLEY, "start_on": "1946-01-01"}  # ends before it starts, but removed
    response = await client.post(
        f"{team.pages}/candidates/{candidate.id}/edit",
        data={
            **fields,
            **_profile(),
            **_experience_rows(broken, TURING),
            "exp_remove": "0",
        },
        headers=HTML,
    )
    assert response.status_code == 303, response.text
    assert (await _stored(db, candidate.id)).experience == [TURING]


async def test_new_candidate_form_takes_experience_and_education(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    form = assert_html(await client.get(f"{team.pages}/candidates/new", headers=HTML))
    assert "exp-title-0" in form.ids
    assert "edu-institution-1" in form.ids
    fields = await _plain_form(client)
    created = await client.post(
        f"{team.pages}/candidates",
        data={
            **fields,
            **_profile(full_name="Grace Hopper"),
            **_experience_rows({"title": "Rear admiral", "company": "US Navy"}, {}),
            **_education_rows({"institution": "Yale", "degree": "PhD"}, {}),
        },
        headers=HTML,
    )
    assert created.status_code == 303, created.text
    async with db.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == team.org.id)
        )
    assert candidate is not None
    assert [e["title"] for e in candidate.experience] == ["Rear admiral"]
    assert candidate.education[0]["institution"] == "Yale"

    refused = await client.post(
        f"{team.pages}/candidates",
        data={
            **fields,
            **_profile(full_name="Nobody Saved"),
            **_experience_rows({"start_on": "2020-01-01", "end_on": "2019-01-01"}),
        },
        headers=HTML,
    )
    assert_html(refused, 422)
    assert "Enter the job title" in refused.text
    assert await _count(db, Candidate, organization_id=team.org.id) == 1


async def test_edit_post_without_the_csrf_field_is_refused(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _turing(db, team)
    await _plain_form(client)
    response = await client.post(
        f"{team.pages}/candidates/{candidate.id}/edit",
        data={**_profile(), **_experience_rows(TURING)},
        headers=HTML,
    )
    assert response.status_code == 403
    assert (await _stored(db, candidate.id)).experience == [BLETCHLEY, TURING]


# --- older timeline events -----------------------------------------------------------------


async def _with_events(db: Database, team: Team, count: int) -> Candidate:
    """A candidate with `count` events, `event 0` the newest, a minute apart."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    async with db.transaction() as session:
        candidate = await make_candidate(session, team.org, full_name="Edsger Dijkstra")
        for n in range(count):
            session.add(
                CandidateEvent(
                    organization_id=team.org.id,
                    candidate_id=candidate.id,
                    type="consent_given",
                    actor_user_id=None,
                    data={"purpose": f"event {n}"},
                    created_at=start - timedelta(minutes=n),
                )
            )
        await session.flush()
    return candidate


def _events(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"· event (\d+)\b", text)]


def _older_link(text: str) -> str | None:
    match = re.search(r'href="([^"]*/timeline\?cursor=[^"]+)"', text)
    return match.group(1).replace("&amp;", "&") if match else None


async def test_older_events_follow_as_pages_without_javascript(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _with_events(db, team, 65)
    profile = await client.get(f"{team.pages}/candidates/{candidate.id}", headers=HTML)
    assert_html(profile)
    assert _events(profile.text) == list(range(30))
    link = _older_link(profile.text)
    assert link is not None
    assert link.startswith(f"{team.pages}/candidates/{candidate.id}/timeline?cursor=")
    assert f'hx-get="{link}"' in profile.text

    second = await client.get(link, headers=HTML)
    page = assert_html(second)
    assert page.h1 == ["Timeline of Edsger Dijkstra"]
    assert f"{team.pages}/candidates/{candidate.id}" in page.links
    assert not page.csp_offences
    assert _events(second.text) == list(range(30, 60))
    last_link = _older_link(second.text)
    assert last_link is not None

    last = await client.get(last_link, headers=HTML)
    assert_html(last)
    assert _events(last.text) == list(range(60, 65))
    assert _older_link(last.text) is None


async def test_older_events_come_as_list_items_for_htmx(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _with_events(db, team, 35)
    profile = await client.get(f"{team.pages}/candidates/{candidate.id}", headers=HTML)
    link = _older_link(profile.text)
    assert link is not None
    fragment = await client.get(link, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.strip().startswith("<li>")
    assert _events(fragment.text) == list(range(30, 35))
    assert _older_link(fragment.text) is None
    assert not assert_html(fragment).csp_offences


async def test_a_profile_without_events_says_so(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _with_events(db, team, 0)
    profile = await client.get(f"{team.pages}/candidates/{candidate.id}", headers=HTML)
    assert_html(profile)
    assert "No events yet." in profile.text
    assert _older_link(profile.text) is None


async def test_a_bad_cursor_is_a_clear_422(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    candidate = await _with_events(db, team, 3)
    url = f"{team.pages}/candidates/{candidate.id}/timeline"
    for cursor in ("not-a-cursor!", "eyJhdCI6IngifQ", "W10"):  # garbage, {"at":"x"}, []
        response = await client.get(url, params={"cursor": cursor}, headers=HTML)
        assert response.status_code == 422, cursor
        assert "cursor" in response.text
    too_long = await client.get(url, params={"cursor": "a" * 1001}, headers=HTML)
    assert too_long.status_code == 422


# --- other organizations -------------------------------------------------------------------


async def test_another_organizations_candidate_is_404_and_unchanged(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        stranger = await make_candidate(
            session, theirs, full_name="Their Person", experience=[TURING]
        )
    for url in (
        f"{team.pages}/candidates/{stranger.id}/timeline",
        f"{team.pages}/candidates/{stranger.id}/timeline?cursor=W10",
        f"/organizations/{theirs.id}/candidates/{stranger.id}/timeline",
    ):
        response = await client.get(url, headers=HTML)
        assert response.status_code == 404, url
        assert "Their Person" not in response.text
    fields = await _plain_form(client)
    posted = await client.post(
        f"{team.pages}/candidates/{stranger.id}/edit",
        data={**fields, **_profile(full_name="Taken Over"), **_experience_rows(BLETCHLEY)},
        headers=HTML,
    )
    assert posted.status_code == 404
    assert "Their Person" not in posted.text
    stored = await _stored(db, stranger.id)
    assert stored.full_name == "Their Person"
    assert stored.experience == [TURING]
