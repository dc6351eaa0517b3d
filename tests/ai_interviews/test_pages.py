"""The recruiter's AI interview pages: the list (empty state, status filter, "More"), the
configure form (prefilled from a job or an application; nothing stored before it is sent;
refusals shown on the form), the link shown once (a double submit makes one session and shows
the same link), a session's page (transcript, scores with reasons and quotes, overrides,
timeline; pending scoring; a person's review instead of AI), its link and cancel actions, and
who may see what."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from hireflow.ai_interviews import pages, service
from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import (
    Application,
    AuditEvent,
    Candidate,
    InterviewSession,
    Job,
    Organization,
    User,
)
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.interviews import (
    STRONG_ANSWER,
    ctx_for,
    make_session,
    run_interview,
    token_of,
)
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.web.test_pages import HTML, assert_html

LINK_INPUT = re.compile(r'id="candidate-link"[^>]*value="([^"]+)"')


@dataclass
class World:
    org: Organization
    owner: User
    job: Job
    candidate: Candidate
    application: Application

    def page(self, path: str = "") -> str:
        return f"/organizations/{self.org.id}{path}"


@pytest.fixture
async def world(client: httpx.AsyncClient, db: Database) -> World:
    async with db.transaction() as session:
        org = await make_organization(session, name="Acme Robotics")
        owner, _ = await make_member(session, org, role="owner")
        job = await make_job(
            session,
            org,
            title="Platform Engineer",
            skills=["Python", "Kubernetes"],
            description_html="<p>Run our <strong>Kubernetes</strong> clusters &amp; CI.</p>",
        )
        candidate = await make_candidate(
            session, org, full_name="Ada Lovelace", email="ada@example.test"
        )
        application = await make_application(session, job, candidate)
    await sign_in(client, owner.email)
    return World(org, owner, job, candidate, application)


async def _sessions(db: Database, org: Organization) -> list[InterviewSession]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(InterviewSession).where(InterviewSession.organization_id == org.id)
        )
        return list(rows)


def _form(**fields: str) -> dict[str, str]:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "target_role": "Platform Engineer",
        "job_description": "Run our clusters.",
        "skills": "Python, Kubernetes",
        "duration_minutes": "30",
        "question_count": "3",
        "max_follow_ups": "1",
        "link_valid_days": "7",
        **fields,
    }


# Sent as multipart/form-data, like the page's form (an empty file input included).
NO_FILE = {"job_description_file": ("", b"", "application/octet-stream")}


# --- the list -------------------------------------------------------------------------------------


async def test_the_empty_list_calls_to_configure_an_interview(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(world.page("/interviews"), headers=HTML)
    page = assert_html(response)
    assert page.h1 == ["AI interviews"]
    assert not page.csp_offences
    assert "No AI interviews yet" in response.text
    assert world.page("/interviews/new") in page.links
    # The navigation leads here, and marks it as the current page.
    assert f'href="{world.page("/interviews")}" aria-current="page">Interviews</a>' in (
        response.text
    )


async def test_the_list_filters_by_status_and_pages_with_more(
    client: httpx.AsyncClient,
    db: Database,
    world: World,
    test_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with db.transaction() as session:
        made = [
            (await make_session(session, world.org, world.owner, test_settings, **fields))[0]
            for fields in (
                {"candidate_name": "Grace Hopper", "job_id": world.job.id},
                {"candidate_name": "Alan Turing"},
                {"candidate_name": "Edsger Dijkstra"},
            )
        ]
        ctx = await ctx_for(session, world.org, world.owner)
        await service.cancel_session(session, ctx, made[1].id, "Filled", origin=SYSTEM)
    everything = await client.get(world.page("/interviews"), headers=HTML)
    assert_html(everything)
    for name in ("Grace Hopper", "Alan Turing", "Edsger Dijkstra"):
        assert name in everything.text
    assert "Platform Engineer</a>" in everything.text  # the job's title, linked
    assert "Active" in everything.text  # a working link

    cancelled = await client.get(world.page("/interviews?status=CANCELLED"), headers=HTML)
    assert_html(cancelled)
    assert "Alan Turing" in cancelled.text
    assert "Grace Hopper" not in cancelled.text
    assert "Edsger Dijkstra" not in cancelled.text
    none_yet = await client.get(world.page("/interviews?status=COMPLETED"), headers=HTML)
    assert "No completed AI interviews" in none_yet.text

    # Two a page: "More" leads on from where the first page ended, without repeats.
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    names = ("Grace Hopper", "Alan Turing", "Edsger Dijkstra")
    first = await client.get(world.page("/interviews"), headers=HTML)
    on_first = {name for name in names if name in first.text}
    assert len(on_first) == 2
    more = re.search(r'<a href="([^"]+)" rel="next">More</a>', first.text)
    assert more is not None
    second = await client.get(more.group(1).replace("&amp;", "&"), headers=HTML)
    assert_html(second)
    assert {name for name in names if name in second.text} == set(names) - on_first
    assert 'aria-disabled="true">More</span>' in second.text
    assert world.page("/interviews") in assert_html(second).links  # back to the newest


# --- configuring a session ------------------------------------------------------------------------


async def test_the_form_is_prefilled_from_a_job_and_stores_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    response = await client.get(world.page(f"/interviews/new?job_id={world.job.id}"), headers=HTML)
    page = assert_html(response)
    assert not page.csp_offences
    text = response.text
    assert 'name="target_role" type="text" value="Platform Engineer"' in text
    assert "Run our Kubernetes clusters &amp; CI.</textarea>" in text
    assert 'value="Python, Kubernetes"' in text
    assert f'name="job_id" value="{world.job.id}"' in text
    assert 'enctype="multipart/form-data"' in text
    assert 'type="file"' in text
    assert "internal — never shown to the candidate" in text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', text)
    assert key is not None
    uuid.UUID(key.group(1))
    # A4: opening the form creates nothing.
    assert await _sessions(db, world.org) == []


async def test_the_form_is_prefilled_from_an_application(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        world.page(f"/interviews/new?application_id={world.application.id}"), headers=HTML
    )
    assert_html(response)
    assert 'value="Ada Lovelace"' in response.text
    assert 'value="ada@example.test"' in response.text
    assert f'name="application_id" value="{world.application.id}"' in response.text
    assert 'value="Platform Engineer"' in response.text


async def test_create_shows_the_link_once_and_a_double_submit_makes_one_session(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    form = _form(job_id=str(world.job.id), candidate_name="Grace Hopper")
    response = await client.post(world.page("/interviews"), data=form, files=NO_FILE, headers=HTML)
    page = assert_html(response)
    assert not page.csp_offences
    assert page.h1 == ["Session created"]
    assert response.headers["cache-control"] == "no-store"
    link = LINK_INPUT.search(response.text)
    assert link is not None
    url = link.group(1)
    assert url.startswith(f"{test_settings.base_url}/interview/join?token=")
    assert "readonly" in response.text
    assert "Copy link" in response.text
    assert "will not be shown again" in response.text
    [stored] = await _sessions(db, world.org)
    assert stored.candidate_name == "Grace Hopper"
    assert stored.job_id == world.job.id
    assert world.page(f"/interviews/{stored.id}") in page.links

    # UC-R1 A3: the same form again (a double click, a reload) makes nothing new and shows
    # the same link.
    again = await client.post(world.page("/interviews"), data=form, files=NO_FILE, headers=HTML)
    assert_html(again)
    repeated = LINK_INPUT.search(again.text)
    assert repeated is not None
    assert repeated.group(1) == url
    assert [s.id for s in await _sessions(db, world.org)] == [stored.id]


async def test_the_job_description_can_be_a_file(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    form = _form(job_description="")
    upload = {"job_description_file": ("role.txt", b"Operate Terraform and Grafana.", "text/plain")}
    response = await client.post(world.page("/interviews"), data=form, files=upload, headers=HTML)
    assert_html(response)
    [stored] = await _sessions(db, world.org)
    assert stored.job_description == "Operate Terraform and Grafana."
    assert stored.job_description_filename == "role.txt"
    # Text and a file together are refused on the form, next to the file input.
    both = await client.post(world.page("/interviews"), data=_form(), files=upload, headers=HTML)
    assert_html(both, 422)
    assert "not both" in both.text
    assert len(await _sessions(db, world.org)) == 1


async def test_invalid_input_shows_the_form_again_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    form = _form(
        target_role="  ",
        duration_minutes="3",
        candidate_email="not an address",
        candidate_name="Grace Hopper",
        recruiter_notes="Keep me",
    )
    response = await client.post(world.page("/interviews"), data=form, files=NO_FILE, headers=HTML)
    page = assert_html(response, 422)
    assert not page.csp_offences
    assert page.h1 == ["New AI interview"]
    text = response.text
    assert pages.FORM_MESSAGES["target_role"] in text
    assert pages.FORM_MESSAGES["duration_minutes"] in text
    assert pages.FORM_MESSAGES["candidate_email"] in text
    # What was typed is kept, the key too (so the corrected form still sends once).
    assert 'value="Grace Hopper"' in text
    assert "Keep me</textarea>" in text
    assert f'name="idempotency_key" value="{form["idempotency_key"]}"' in text
    assert await _sessions(db, world.org) == []
    # A form without its key is refused too.
    keyless = await client.post(
        world.page("/interviews"), data=_form(idempotency_key=""), files=NO_FILE, headers=HTML
    )
    assert_html(keyless, 422)
    assert "Reload the page" in keyless.text
    assert await _sessions(db, world.org) == []


# --- a session ------------------------------------------------------------------------------------


async def test_a_scored_session_shows_its_transcript_scores_and_timeline(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        interview, token = await make_session(
            session,
            world.org,
            world.owner,
            test_settings,
            candidate_name="Grace Hopper",
            job_id=world.job.id,
            recruiter_notes="Met at PyCon; strong referral.",
            coding_language="python",
        )
        interview = await run_interview(session, token, test_settings, [STRONG_ANSWER])
        state = interview.state
    response = await client.get(world.page(f"/interviews/{interview.id}"), headers=HTML)
    page = assert_html(response)
    assert not page.csp_offences
    assert page.h1 == ["Grace Hopper"]
    text = response.text
    assert "Completed" in text
    assert "Met at PyCon; strong referral." in text
    assert "Internal — never shown to the candidate." in text
    assert world.page(f"/jobs/{world.job.id}") in page.links
    assert "<details" in text
    assert "Job description" in text
    scores = {q["question_id"]: q for q in state["scoring"]["questions"]}
    for question in state["questions"]:
        assert f"Question {question['id'][1:]}" in text or question.get("follow_up_of")
        scored = scores[question["id"]]
        assert f"Score {scored['score']}" in text
        for quote in scored["quotes"]:
            assert f'<blockquote class="interviews-quote">{_escaped(quote)}</blockquote>' in text
    coding = next(q for q in state["questions"] if q["kind"] == "coding")
    assert '<pre class="interviews-code"><code>' in text
    assert coding["prompt"][:40] in text or _escaped(coding["prompt"][:40]) in text
    assert "Met</span>" in text
    assert "Competency scores" in text
    for competency in state["scoring"]["competencies"]:
        assert competency["competency"] in text
    for event_type in ("SESSION_CREATED", "QUESTIONS_GENERATED", "SCORING_COMPLETED"):
        assert f"<code>{event_type}</code>" in text
    assert 'class="form override-form"' in text
    # No verdict and no ranking.
    lowered = text.lower()
    for word in ("verdict", "recommend", "rank", "no hire", "hire this"):
        assert word not in lowered


def _escaped(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


async def test_an_override_is_saved_shown_and_audited(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        interview, token = await make_session(session, world.org, world.owner, test_settings)
        interview = await run_interview(session, token, test_settings)
        first = interview.state["scoring"]["questions"][0]
    url = world.page(f"/interviews/{interview.id}/overrides")
    target = first["question_id"]
    new_score = 7 if first["score"] != 7 else 8

    no_reason = await client.post(
        url, data={"target": target, "score": str(new_score), "reason": ""}, headers=HTML
    )
    assert_html(no_reason, 422)
    assert pages.OVERRIDE_MESSAGES["reason"] in no_reason.text
    out_of_range = await client.post(
        url, data={"target": target, "score": "101", "reason": "Too high"}, headers=HTML
    )
    assert_html(out_of_range, 422)
    assert pages.OVERRIDE_MESSAGES["score"] in out_of_range.text
    async with db.transaction() as session:
        unchanged = await session.get_one(InterviewSession, interview.id)
        assert unchanged.state["overrides"] == []

    saved = await client.post(
        url,
        data={"target": target, "score": str(new_score), "reason": "Their example was ours."},
        headers=HTML,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("notice=interview-score-overridden#scores-title")
    shown = await client.get(saved.headers["location"].split("#")[0], headers=HTML)
    assert_html(shown)
    assert "Score overridden" in shown.text
    assert f"Score {new_score}</strong>" in shown.text
    assert f"(AI score {first['score']}, overridden)" in shown.text
    assert "Their example was ours." in shown.text
    async with db.transaction() as session:
        stored = await session.get_one(InterviewSession, interview.id)
        assert stored.state["overrides"][0]["score"] == new_score
        audit = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "interview_session.score_overridden")
        )
        assert audit is not None
        assert audit.actor_user_id == world.owner.id


async def test_pending_scoring_and_a_persons_review_are_said_plainly(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        pending, token = await make_session(session, world.org, world.owner, test_settings)
        await run_interview(session, token, test_settings, score=False)
        human, token = await make_session(session, world.org, world.owner, test_settings)
        await run_interview(session, token, test_settings, ai_evaluation=False)
    waiting = await client.get(world.page(f"/interviews/{pending.id}"), headers=HTML)
    assert_html(waiting)
    assert "Scoring in progress" in waiting.text
    assert "reload this page" in waiting.text
    assert "interviews-score" not in waiting.text
    by_person = await client.get(world.page(f"/interviews/{human.id}"), headers=HTML)
    assert_html(by_person)
    assert "The candidate asked for a person to review their answers" in by_person.text
    assert STRONG_ANSWER[:40] in by_person.text  # the transcript is there to read
    assert "override-form" not in by_person.text
    assert "interviews-score" not in by_person.text
    assert "Competency scores" not in by_person.text


async def test_a_new_link_replaces_the_old_one_and_links_can_be_revoked(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        interview, old_token = await make_session(session, world.org, world.owner, test_settings)
    base = world.page(f"/interviews/{interview.id}")
    detail = await client.get(base, headers=HTML)
    assert_html(detail)
    assert "Issue a new link" in detail.text
    assert "Active" in detail.text

    bad_days = await client.post(f"{base}/link", data={"link_valid_days": "0"}, headers=HTML)
    assert_html(bad_days, 422)
    assert pages.FORM_MESSAGES["link_valid_days"] in bad_days.text

    issued = await client.post(f"{base}/link", data={"link_valid_days": "3"}, headers=HTML)
    page = assert_html(issued)
    assert page.h1 == ["New link issued"]
    assert issued.headers["cache-control"] == "no-store"
    link = LINK_INPUT.search(issued.text)
    assert link is not None
    new_token = token_of(link.group(1).replace("&amp;", "&"))
    assert new_token != old_token
    assert (await client.get(f"/interview/join?token={old_token}", headers=HTML)).status_code == 410

    revoked = await client.post(f"{base}/link/revoke", headers=HTML)
    assert revoked.status_code == 303
    shown = await client.get(revoked.headers["location"], headers=HTML)
    assert "Link revoked" in shown.text
    assert "Revoked</span>" in shown.text
    assert (await client.get(f"/interview/join?token={new_token}", headers=HTML)).status_code == 410
    # Nothing left to revoke: refused on the page, with the reason.
    again = await client.post(f"{base}/link/revoke", headers=HTML)
    assert_html(again, 409)
    assert "no working link" in again.text


async def test_cancelling_ends_the_interview_with_its_reason(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        interview, token = await make_session(session, world.org, world.owner, test_settings)
    base = world.page(f"/interviews/{interview.id}")
    too_long = await client.post(f"{base}/cancel", data={"reason": "x" * 600}, headers=HTML)
    assert_html(too_long, 422)
    cancelled = await client.post(f"{base}/cancel", data={"reason": "Role filled"}, headers=HTML)
    assert cancelled.status_code == 303
    shown = await client.get(cancelled.headers["location"], headers=HTML)
    assert_html(shown)
    assert "Interview cancelled" in shown.text
    assert "Cancel interview" not in shown.text
    assert "Issue a new link" not in shown.text
    async with db.transaction() as session:
        stored = await session.get_one(InterviewSession, interview.id)
        assert stored.status == "CANCELLED"
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "interview_session.cancelled" in actions
    assert (await client.get(f"/interview/join?token={token}", headers=HTML)).status_code == 410


# --- who sees what --------------------------------------------------------------------------------


async def test_the_job_and_application_pages_offer_an_ai_interview(
    client: httpx.AsyncClient, world: World
) -> None:
    job_page = await client.get(world.page(f"/jobs/{world.job.id}"), headers=HTML)
    assert world.page(f"/interviews/new?job_id={world.job.id}") in assert_html(job_page).links
    application_page = await client.get(
        world.page(f"/applications/{world.application.id}"), headers=HTML
    )
    expected = world.page(f"/interviews/new?application_id={world.application.id}")
    assert expected in assert_html(application_page).links


async def test_an_interviewer_may_read_but_not_configure(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        interviewer, _ = await make_member(session, world.org, role="interviewer")
    client.cookies.clear()
    await sign_in(client, interviewer.email)
    listing = await client.get(world.page("/interviews"), headers=HTML)
    assert_html(listing)
    assert world.page("/interviews/new") not in listing.text
    assert "AI interviews appear here" in listing.text
    assert_html(await client.get(world.page("/interviews/new"), headers=HTML), 403)
    refused = await client.post(
        world.page("/interviews"), data=_form(), files=NO_FILE, headers=HTML
    )
    assert_html(refused, 403)
    assert await _sessions(db, world.org) == []
    job_page = await client.get(world.page(f"/jobs/{world.job.id}"), headers=HTML)
    assert "Start AI interview" not in job_page.text


def _id_routes() -> list[tuple[str, str]]:
    """Every (method, path) of these pages taking a session id, read from the router."""
    found: list[tuple[str, str]] = []
    for route in pages.router.routes:
        assert isinstance(route, APIRoute)
        if "{session_id}" in route.path:
            found.extend((m, route.path) for m in sorted(set(route.methods or ()) - {"HEAD"}))
    return found


async def test_another_organizations_session_is_not_found_on_every_page(
    client: httpx.AsyncClient, db: Database, world: World, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs Inc")
        them, _ = await make_member(session, theirs, role="owner")
        their_interview, _ = await make_session(
            session, theirs, them, test_settings, recruiter_notes="Their secret note"
        )
    routes = _id_routes()
    assert len(routes) >= 5
    data: dict[str, Any] = {
        "reason": "Because",
        "target": "q1",
        "score": "50",
        "link_valid_days": "3",
    }
    for method, path in routes:
        for org_id in (world.org.id, theirs.id):
            url = path.replace("{organization_id}", str(org_id)).replace(
                "{session_id}", str(their_interview.id)
            )
            response = await client.request(
                method, url, data=data if method == "POST" else None, headers=HTML
            )
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Their secret note" not in response.text
    async with db.transaction() as session:
        stored = await session.get_one(InterviewSession, their_interview.id)
        assert stored.status == "NOT_STARTED"
        assert stored.last_seq == 3
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.organization_id == theirs.id,
                AuditEvent.action != "interview_session.created",
            )
        )
    assert count == 0


async def test_the_application_page_lists_its_ai_interviews(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    before = await client.get(world.page(f"/applications/{world.application.id}"), headers=HTML)
    assert_html(before)
    assert "AI interviews" not in before.text
    async with db.transaction() as session:
        interview, _ = await make_session(
            session, world.org, world.owner, application_id=world.application.id
        )
    after = await client.get(world.page(f"/applications/{world.application.id}"), headers=HTML)
    assert_html(after)
    assert "AI interviews" in after.text
    assert f'href="/organizations/{world.org.id}/interviews/{interview.id}"' in after.text
